/**
 * A real Tandem daemon (`tandem daemon`, this build, run as `./tandem
 * daemon` runs it) in a lab namespace, driven only through `tandem cli
 * --socket`: what the `tandem lab` demo and the end-to-end tests run.
 *
 * The daemon is started with `nsenter --net=/run/netns/<ns>`, not
 * `ip netns exec`: the latter gives it a private mount namespace, where the
 * VRF namespaces it creates would be invisible to the host and vanish with
 * it. Its socket, state directory and log live in the lab's run directory;
 * its VRF namespaces carry a prefix unique to the lab and are deleted at
 * dispose, after the daemon has been stopped (SIGTERM: it deletes its IKE
 * SAs at the peers first).
 *
 * @module
 */
import { run, type RunResult, waitFor } from "./command.ts";
import { LabProcess } from "./lab_process.ts";
import type { NetnsLab } from "./netns_lab.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/**
 * How to run this build's `tandem`: the compiled binary itself, or Deno on
 * `main.ts` as `./tandem` runs it (the dependency cache of the checkout,
 * `DENO_DIR`, and the permission set `tandem` of `deno.json`, the one the
 * binary is compiled with).
 */
export function tandemCommand(denoFlags: readonly string[] = []): string[] {
  if (import.meta.url.includes("/deno-compile-")) return [Deno.execPath()];
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    "--cached-only",
    "--config",
    CONFIG,
    "-P=tandem",
    "--no-prompt",
    ...denoFlags,
    MAIN,
  ];
}

/** What `./tandem daemon` adds: the daemon compiles all its code at start (VRRP takeovers). */
export const DAEMON_DENO_FLAGS: readonly string[] = ["--v8-flags=--no-lazy"];

/** Runs `tandem <args>` in the caller's namespace (the daemon is reached through its socket). */
export function tandem(args: readonly string[], stdin?: string): Promise<RunResult> {
  return run([...tandemCommand(), ...args], false, stdin === undefined ? {} : { stdin });
}

/** Where and how to start a daemon. */
export interface DaemonSpec {
  /** Process name (output files `<runDir>/<name>.out|.err`). */
  readonly name: string;
  /** Full name of the namespace that is the daemon's `vrf main`. */
  readonly ns: string;
  readonly socket: string;
  readonly stateDir: string;
  readonly vrfPrefix: string;
  /** More `tandem daemon` arguments (`--config`, `--log-level`, …). */
  readonly args?: readonly string[];
  /** Deno flags when run from source (e.g. {@linkcode DAEMON_DENO_FLAGS}); default none. */
  readonly denoFlags?: readonly string[];
}

/** Starts `tandem daemon` in `spec.ns` (see the module doc); stopped at lab dispose. */
export function spawnDaemon(lab: NetnsLab, spec: DaemonSpec): LabProcess {
  const args = spec.args ?? [];
  const p = new LabProcess({
    name: spec.name,
    outputBase: `${lab.runDir}/${spec.name}`,
    cmd: [
      "nsenter",
      `--net=/run/netns/${spec.ns}`,
      ...tandemCommand(spec.denoFlags),
      "daemon",
      "--socket",
      spec.socket,
      "--state-dir",
      spec.stateDir,
      "--vrf-prefix",
      spec.vrfPrefix,
      ...(args.includes("--syslog") ? [] : ["--no-syslog"]),
      ...(args.includes("--log-level") ? [] : ["--log-level", "detail"]),
      ...args,
    ],
  }, lab.clock);
  lab.onDispose(() => p.stop({ timeoutMs: 10_000 }).then(() => {}));
  return p;
}

/** Waits until a daemon says it started; throws with its stderr if it exits first. */
export async function daemonReady(p: LabProcess, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => {
    if ((await p.stderr()).includes(" dmn  started: ")) return true;
    if (!p.running) throw new Error(`${p.name} exited: ${await p.stderr()}`);
    return false;
  }, { timeoutMs, what: `${p.name} to start`, detail: () => p.stderr() });
}

/** The namespaces whose names start with `prefix`. */
export async function namespacesWithPrefix(prefix: string): Promise<string[]> {
  const out = (await run(["ip", "netns", "list"])).stdout.split("\n").map((l) => l.split(" ")[0]!);
  return out.filter((n) => n !== "" && n.startsWith(prefix)).sort();
}

/** Options of {@linkcode TandemNode.start}. */
export interface TandemNodeOptions {
  /** Node name: process and file names. */
  readonly name: string;
  /** Full namespace name. */
  readonly ns: string;
  /** Startup configuration text (`--config`). */
  readonly startup?: string;
  /** `--log-level` (default `detail`). */
  readonly logLevel?: string;
}

/** A daemon of the lab and its CLI; see the module doc. */
export class TandemNode {
  readonly socket: string;
  readonly stateDir: string;
  readonly vrfPrefix: string;
  readonly configPath: string | undefined;
  #process: LabProcess;
  #starts = 1;

  private constructor(
    readonly lab: NetnsLab,
    readonly opts: TandemNodeOptions,
    process: LabProcess | undefined,
  ) {
    this.socket = `${lab.runDir}/${opts.name}.sock`;
    this.stateDir = `${lab.runDir}/${opts.name}-state`;
    this.vrfPrefix = `${lab.tag}${opts.name}-`;
    if (opts.startup !== undefined) {
      this.configPath = `${lab.runDir}/${opts.name}.conf`;
      Deno.writeTextFileSync(this.configPath, opts.startup);
    } else {
      this.configPath = undefined;
    }
    this.#process = process ?? this.#spawn(true);
    lab.onDispose(async () => {
      for (const n of await namespacesWithPrefix(this.vrfPrefix)) {
        await run(["ip", "netns", "del", n], false);
      }
    });
  }

  /** Starts the daemon and waits until it answers. */
  static async start(lab: NetnsLab, opts: TandemNodeOptions): Promise<TandemNode> {
    const node = new TandemNode(lab, opts, undefined);
    await daemonReady(node.process);
    return node;
  }

  get process(): LabProcess {
    return this.#process;
  }

  #spawn(withStartup: boolean): LabProcess {
    const args = ["--log-level", this.opts.logLevel ?? "detail"];
    if (withStartup && this.configPath) args.push("--config", this.configPath);
    const n = this.#starts++;
    return spawnDaemon(this.lab, {
      name: n === 1 ? this.opts.name : `${this.opts.name}-${n}`,
      ns: this.opts.ns,
      socket: this.socket,
      stateDir: this.stateDir,
      vrfPrefix: this.vrfPrefix,
      args,
      denoFlags: DAEMON_DENO_FLAGS,
    });
  }

  /** Starts the daemon again from its saved configuration (after a stop or a kill). */
  async restart(): Promise<void> {
    if (this.#process.running) throw new Error(`Cannot restart ${this.opts.name}: it runs`);
    this.#process = this.#spawn(false);
    await daemonReady(this.#process);
  }

  /** `tandem cli --socket … -c <command>…`. */
  cli(...commands: string[]): Promise<RunResult> {
    return tandem(["cli", "--socket", this.socket, ...commands.flatMap((c) => ["-c", c])]);
  }

  /** Runs commands that must succeed; returns stdout. */
  async ok(...commands: string[]): Promise<string> {
    const r = await this.cli(...commands);
    if (r.code !== 0) {
      throw new Error(`tandem cli ${commands.join(" ; ")}: exit ${r.code}\n${r.stderr}`);
    }
    return r.stdout;
  }

  /** An operational command's `--json` output, parsed. */
  async json<T>(command: string): Promise<T> {
    return JSON.parse(await this.ok(`${command} --json`)) as T;
  }

  /** SIGTERM (IKE Deletes sent first); SIGKILL after `timeoutMs`. */
  stop(timeoutMs = 15_000): Promise<Deno.CommandStatus> {
    return this.#process.stop({ timeoutMs });
  }

  /** SIGKILL: a crash. */
  kill(): Promise<Deno.CommandStatus> {
    return this.#process.kill();
  }
}
