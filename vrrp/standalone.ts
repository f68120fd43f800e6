/**
 * One VRRP runtime as a program of its own, for tests and benchmarks: run
 * it in a namespace exactly like keepalived,
 *
 * ```sh
 * ip netns exec NS deno run -A --v8-flags=--no-lazy vrrp/standalone.ts --config node.json [--log-level detail]
 * ```
 *
 * (`--no-lazy`: V8 compiles everything at start instead of at first use, so
 * a process that has only ever been backup does not compile its takeover
 * path during its first takeover; measured, that cost about 1 ms.)
 *
 * with `node.json` = `{ "haGroups": ["ha-group1"], "vrrp": <VrrpRuntimeConfig> }`.
 * It runs in the namespace it was started in until SIGTERM or SIGINT
 * (graceful stop: priority-0 adverts, addresses and macvlans removed, exit
 * 0); SIGKILL is the crash. SIGHUP re-reads the file and applies it;
 * SIGUSR2 prints `show vrrp` and `show ha group` (not SIGUSR1: Deno opens
 * its inspector on that one). Logs go to stderr;
 * stdout carries one JSON object per line, each with `event` and `t`
 * (wall-clock milliseconds since the epoch, sub-millisecond):
 *
 * | event | fields |
 * | --- | --- |
 * | `started` | `pid` |
 * | `transition` | `instance`, `from`, `to`, `cause`, `reason` |
 * | `group` | `group`, `from`, `to`, `reason` |
 * | `ha` | `group`, `state`, `previous`, `seq`, `reason` |
 * | `show` | `vrrp` (data), `vrrpText`, `ha` (data), `haText` |
 * | `applied` | after a SIGHUP reload |
 * | `error` | `message` (bad file at reload; at start the program exits 1) |
 * | `stopped` | after the graceful stop |
 *
 * @module
 */
import { HaGroupRegistry } from "../ha/group.ts";
import { renderHaGroups, showHaGroups } from "../ha/show.ts";
import { systemClock } from "../core/clock.ts";
import { isLevel, LogHub, stderrSink } from "../core/log.ts";
import { parseRuntimeConfig, type VrrpRuntimeConfig } from "./runtime_config.ts";
import { VrrpRuntime } from "./runtime.ts";
import { renderVrrpRuntime } from "./runtime_show.ts";

/** The file the standalone runner reads. */
export interface StandaloneConfig {
  /** HA groups to create (`ha group <name>`), so `notifyHaGroup` has something to drive. */
  readonly haGroups: readonly string[];
  readonly vrrp: VrrpRuntimeConfig;
}

/** Reads and checks a standalone configuration file's text. */
export function parseStandaloneConfig(text: string): StandaloneConfig {
  const json: unknown = JSON.parse(text);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RangeError("Cannot read the configuration: the top level must be an object");
  }
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== "haGroups" && k !== "vrrp") {
      throw new RangeError(`Cannot read the configuration: "${k}" is not a field`);
    }
  }
  const ha = o.haGroups ?? [];
  if (!Array.isArray(ha) || ha.some((x) => typeof x !== "string")) {
    throw new RangeError("Cannot read the configuration: haGroups must be a list of names");
  }
  return { haGroups: ha as string[], vrrp: parseRuntimeConfig(o.vrrp) };
}

const encoder = new TextEncoder();

function emit(event: string, fields: Record<string, unknown> = {}): void {
  const t = performance.timeOrigin + performance.now();
  Deno.stdout.writeSync(encoder.encode(JSON.stringify({ event, ...fields, t }) + "\n"));
}

function usage(msg: string): never {
  console.error(`${msg}\nusage: standalone.ts --config FILE [--log-level LEVEL]`);
  Deno.exit(2);
}

/** Runs until a stop signal; see the module doc. */
export async function main(args: string[]): Promise<void> {
  let file: string | undefined;
  let level = "control";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--config") file = args[++i];
    else if (a === "--log-level") level = args[++i] ?? "";
    else usage(`Cannot parse argument "${a}"`);
  }
  if (file === undefined) usage("Cannot start: --config is missing");
  if (!isLevel(level)) usage(`Cannot set "--log-level": "${level}" is not a level`);
  const hub = new LogHub({ level });
  hub.addSink(stderrSink());
  const log = hub.logger("vrrp");
  let config: StandaloneConfig;
  try {
    config = parseStandaloneConfig(await Deno.readTextFile(file));
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
  const ha = new HaGroupRegistry(systemClock, hub.logger("ha"));
  for (const name of config.haGroups) {
    ha.create(name);
    ha.listen(name, "standalone", (c) => emit("ha", { ...c }));
  }
  const runtime = await VrrpRuntime.open({ ha, log });
  runtime.onTransition((t) => emit("transition", { ...t }));
  runtime.onGroupTransition((t) => emit("group", { ...t }));
  try {
    await runtime.apply(config.vrrp);
  } catch (e) {
    console.error(`Cannot start vrrp: ${(e as Error).message}`);
    await runtime.stop().catch(() => {});
    Deno.exit(1);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await runtime.stop();
      emit("stopped");
      Deno.exit(0);
    } catch (e) {
      console.error(`vrrp stop failed: ${(e as Error).message}`);
      Deno.exit(1);
    }
  };
  Deno.addSignalListener("SIGTERM", () => void stop());
  Deno.addSignalListener("SIGINT", () => void stop());
  Deno.addSignalListener("SIGUSR2", () => {
    const vrrp = runtime.show();
    const groups = showHaGroups(ha.list());
    emit("show", {
      vrrp,
      vrrpText: renderVrrpRuntime(vrrp),
      ha: groups,
      haText: renderHaGroups(groups),
    });
  });
  Deno.addSignalListener("SIGHUP", () => {
    void (async () => {
      try {
        const next = parseStandaloneConfig(await Deno.readTextFile(file));
        await runtime.apply(next.vrrp);
        emit("applied");
      } catch (e) {
        emit("error", { message: (e as Error).message });
      }
    })();
  });
  emit("started", { pid: Deno.pid });
}

if (import.meta.main) await main(Deno.args);
