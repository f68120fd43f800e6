/**
 * A real strongSwan peer for interop tests and the lab demo: a private
 * charon (5.9.8, userspace ESP through kernel-libipsec) in one namespace,
 * driven through swanctl.
 *
 * Isolation: charon hard-codes `/var/run/charon.pid` and refuses to start
 * while that pid lives, so each instance runs with its own directory bind
 * mounted over `/run` inside the private mount namespace of
 * `ip netns exec`. `STRONGSWAN_CONF` points charon and swanctl at the
 * instance's generated strongswan.conf; swanctl runs in the host namespace
 * and reaches charon over the instance's unix socket.
 *
 * Readiness is `swanctl --stats` answering: the vici socket file appears
 * before charon has finished loading plugins and stays when it aborts.
 *
 * Observed behaviour worth knowing: SIGTERM makes charon send a DELETE for
 * every IKE SA (about 1.5 s with SAs up); SIGKILL is a crash. ESP always
 * travels in UDP 4500 (libipsec fakes a NAT), no ESN, a fixed replay window
 * of 128 whose drops are only visible as log lines ({@linkcode REPLAY_DROP}).
 *
 * Secrets: the PSK is written only into swanctl.conf and, with `logKeys`,
 * keys into charon.log, both in the instance's 0700 directory, which
 * {@linkcode StrongSwanPeer.cleanup} deletes unless asked to keep it. Error
 * messages carry log tails with key dumps removed ({@linkcode redactLog}).
 *
 * @module
 */
import { findProgram, run, type RunResult, waitFor } from "./command.ts";
import type { LabProcess } from "./lab_process.ts";
import type { NetnsLab } from "./netns_lab.ts";
import { type CharonOptions, renderStrongswanConf } from "./strongswan_conf.ts";
import { renderSwanctlConf, type SwanctlConfig } from "./swanctl_conf.ts";
import {
  type CharonStats,
  type IkeSa,
  parseCounters,
  parseIkeSas,
  parseStats,
} from "./swanctl_output.ts";

/** The log line libipsec writes for every packet its replay check drops. */
export const REPLAY_DROP = "ESP sequence number verification failed";

/** Where charon may be installed. */
const CHARON_PATHS = ["/usr/lib/ipsec/charon", "/usr/libexec/ipsec/charon", "/usr/sbin/charon"];

/** Finds the charon binary, if installed. */
export function findCharon(): string | undefined {
  return CHARON_PATHS.find((p) => findProgram(p) !== undefined);
}

/** Options of {@linkcode StrongSwanPeer.start}. */
export interface StrongSwanOptions extends CharonOptions {
  /** Instance name: subdirectory of the lab's run dir and process name. */
  name: string;
  /** Namespace (full name) charon runs in. */
  ns: string;
  charon?: string;
  swanctl?: string;
  /** How long charon may take to answer (default 10 s). */
  startTimeoutMs?: number;
  /** Keep the instance directory (configs, logs with keys) after cleanup. */
  keepDir?: boolean;
}

/** What an initiate/terminate/rekey acts on. */
export interface SaTarget {
  child?: string;
  ike?: string;
}

/** Drops lines that carry key material (chunk dumps `x => N bytes @ 0x..` and their hex rows). */
export function redactLog(lines: readonly string[]): string[] {
  return lines.filter((l) => !/=> \d+ bytes @|\s\d+: [0-9A-F]{2}( |$)/.test(l));
}

/** See the module doc. */
export class StrongSwanPeer {
  readonly name: string;
  readonly ns: string;
  /** The instance's private directory: strongswan.conf, swanctl.conf, charon.log, run/. */
  readonly dir: string;
  readonly confPath: string;
  readonly swanctlConfPath: string;
  readonly logPath: string;
  readonly viciPath: string;
  readonly process: LabProcess;
  readonly #swanctl: string;
  readonly #lab: NetnsLab;
  readonly #keepDir: boolean;
  #cleaned = false;

  private constructor(lab: NetnsLab, opts: StrongSwanOptions, dir: string, swanctl: string) {
    this.#lab = lab;
    this.name = opts.name;
    this.ns = opts.ns;
    this.dir = dir;
    this.confPath = `${dir}/strongswan.conf`;
    this.swanctlConfPath = `${dir}/swanctl.conf`;
    this.logPath = `${dir}/charon.log`;
    this.viciPath = `${dir}/charon.vici`;
    this.#swanctl = swanctl;
    this.#keepDir = opts.keepDir ?? false;
    const charon = opts.charon ?? findCharon();
    if (!charon) throw new Error(`Cannot start charon "${opts.name}": charon is not installed`);
    Deno.writeTextFileSync(
      this.confPath,
      renderStrongswanConf({ log: this.logPath, vici: this.viciPath }, opts),
      { mode: 0o600 },
    );
    Deno.writeTextFileSync(this.logPath, "", { mode: 0o600 });
    this.process = lab.start(opts.ns, [charon], {
      name: "charon",
      outputDir: dir,
      env: { STRONGSWAN_CONF: this.confPath },
      bindMounts: [[`${dir}/run`, "/run"]],
      stopSignal: "SIGKILL",
    });
  }

  /** Starts charon in `opts.ns` and returns once it answers on its socket. */
  static async start(lab: NetnsLab, opts: StrongSwanOptions): Promise<StrongSwanPeer> {
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(opts.name)) {
      throw new Error(`Cannot use charon instance name "${opts.name}": bad characters`);
    }
    const swanctl = opts.swanctl ?? findProgram("swanctl");
    if (!swanctl) throw new Error(`Cannot start charon "${opts.name}": swanctl is not installed`);
    const dir = `${lab.runDir}/${opts.name}`;
    await Deno.mkdir(`${dir}/run`, { recursive: true, mode: 0o700 });
    await Deno.chmod(dir, 0o700);
    const peer = new StrongSwanPeer(lab, opts, dir, swanctl);
    lab.onDispose(() => peer.cleanup());
    await waitFor(async () => {
      if (!peer.running) {
        throw new Error(
          `charon "${peer.name}" exited during startup (code ${peer.process.exitStatus?.code})\n` +
            (await peer.diagnostics()),
        );
      }
      return (await peer.swanctl(["--stats"], false)).code === 0;
    }, {
      timeoutMs: opts.startTimeoutMs ?? 10_000,
      what: `charon "${peer.name}" to answer on ${peer.viciPath}`,
      detail: () => peer.diagnostics(),
      clock: lab.clock,
    });
    lab.log.control(`charon ${peer.name} up in ${peer.ns} (pid ${peer.pid})`);
    return peer;
  }

  get pid(): number {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Runs swanctl against this instance; throws on failure unless `check` is false. */
  swanctl(args: string[], check = true): Promise<RunResult> {
    return run([this.#swanctl, ...args], check, { env: { STRONGSWAN_CONF: this.confPath } });
  }

  /** Writes swanctl.conf and loads it (`swanctl --load-all`). */
  async load(cfg: SwanctlConfig): Promise<void> {
    await Deno.writeTextFile(this.swanctlConfPath, renderSwanctlConf(cfg), { mode: 0o600 });
    const r = await this.swanctl(
      ["--load-all", "--noprompt", "--file", this.swanctlConfPath],
      false,
    );
    if (r.code !== 0) {
      // swanctl complains about the credential folders next to the file: noise.
      const out = (r.stdout + r.stderr).split("\n").filter((l) => !/opening directory/.test(l));
      throw new Error(`Cannot load swanctl.conf into charon "${this.name}":\n${out.join("\n")}`);
    }
  }

  /** Initiates a CHILD SA (with its IKE SA) or an IKE SA alone and waits up to `timeoutSeconds`. */
  async initiate(target: SaTarget, timeoutSeconds = 20): Promise<void> {
    await this.#control("--initiate", target, ["--timeout", String(timeoutSeconds)]);
  }

  /** Terminates (sends a DELETE for) a CHILD SA or IKE SA. */
  async terminate(target: SaTarget & { force?: boolean }, timeoutSeconds = 20): Promise<void> {
    const extra = ["--timeout", String(timeoutSeconds), ...(target.force ? ["--force"] : [])];
    await this.#control("--terminate", target, extra);
  }

  /**
   * Asks charon to rekey a CHILD SA or IKE SA (`reauth` for IKE
   * reauthentication). charon answers once the rekey is queued, not done:
   * wait for the result with {@linkcode waitForSas}.
   */
  async rekey(target: SaTarget & { reauth?: boolean }): Promise<void> {
    await this.#control("--rekey", target, target.reauth ? ["--reauth"] : []);
  }

  async #control(verb: string, target: SaTarget, extra: string[]): Promise<void> {
    const args = [verb];
    if (target.child) args.push("--child", target.child);
    if (target.ike) args.push("--ike", target.ike);
    if (!target.child && !target.ike) throw new Error(`Cannot ${verb.slice(2)}: no child or ike`);
    const r = await this.swanctl([...args, ...extra], false);
    if (r.code !== 0) {
      throw new Error(
        `Cannot ${verb.slice(2)} ${target.child ?? target.ike} on charon "${this.name}" ` +
          `(swanctl exit ${r.code}):\n${redactLog((r.stdout + r.stderr).split("\n")).join("\n")}`,
      );
    }
  }

  /** The IKE SAs (with their CHILD SAs) charon has now. */
  async listSas(filter: { ike?: string } = {}): Promise<IkeSa[]> {
    const args = ["--list-sas", "--pretty", ...(filter.ike ? ["--ike", filter.ike] : [])];
    return parseIkeSas((await this.swanctl(args)).stdout);
  }

  /** Polls {@linkcode listSas} until `pred` holds; returns that list. */
  waitForSas(
    pred: (sas: IkeSa[]) => boolean,
    opts: { timeoutMs?: number; what?: string } = {},
  ): Promise<IkeSa[]> {
    return waitFor(async () => {
      const sas = await this.listSas();
      return pred(sas) ? sas : undefined;
    }, {
      timeoutMs: opts.timeoutMs ?? 10_000,
      what: `${opts.what ?? "the SAs"} on charon "${this.name}"`,
      detail: () => this.diagnostics(),
      clock: this.#lab.clock,
    });
  }

  /** `swanctl --stats`: uptime, workers, queues, IKE SA counts, plugins. */
  async stats(): Promise<CharonStats> {
    return parseStats((await this.swanctl(["--stats", "--pretty"])).stdout);
  }

  /** `swanctl --counters`: IKE message counters (counters plugin), by name. */
  async counters(): Promise<Record<string, number>> {
    return parseCounters((await this.swanctl(["--counters", "--pretty"])).stdout);
  }

  /** Packets libipsec dropped in its replay check (one log line each). */
  async replayDrops(): Promise<number> {
    return (await this.logLines()).filter((l) => l.includes(REPLAY_DROP)).length;
  }

  /** charon's log so far, one entry per line (may hold keys: do not print). */
  async logLines(): Promise<string[]> {
    const text = await Deno.readTextFile(this.logPath).catch(() => "");
    return text === "" ? [] : text.replace(/\n$/, "").split("\n");
  }

  /**
   * Waits until a log line at index `from` or later matches `re`; returns
   * the line. Use `(await logLines()).length` as `from` to see only news.
   */
  waitForLog(re: RegExp, opts: { timeoutMs?: number; from?: number } = {}): Promise<string> {
    return waitFor(async () => {
      const hit = (await this.logLines()).slice(opts.from ?? 0).find((l) => re.test(l));
      if (hit === undefined && !this.running) {
        throw new Error(`charon "${this.name}" exited while waiting for ${re}`);
      }
      return hit;
    }, {
      timeoutMs: opts.timeoutMs ?? 10_000,
      what: `a log line matching ${re} from charon "${this.name}"`,
      clock: this.#lab.clock,
    });
  }

  /** The last lines of charon's log and stderr, key dumps removed. */
  async diagnostics(lines = 25): Promise<string> {
    // Every swanctl call logs a vici connect/disconnect: noise in a tail.
    const log = redactLog(await this.logLines()).filter((l) => !l.includes("vici client"))
      .slice(-lines);
    const err = (await this.process.stderr()).trim().split("\n").slice(-lines);
    return `--- ${this.logPath} (tail)\n${log.join("\n")}\n--- charon stderr\n${err.join("\n")}`;
  }

  /** SIGTERM (charon deletes its SAs first); SIGKILL after `timeoutMs`. */
  stop(timeoutMs = 10_000): Promise<Deno.CommandStatus> {
    return this.process.stop({ signal: "SIGTERM", timeoutMs });
  }

  /** SIGKILL: a crashed peer that sends nothing. */
  kill(): Promise<Deno.CommandStatus> {
    return this.process.kill();
  }

  /**
   * Kills charon if it still runs and deletes the instance directory
   * (unless `keepDir`). Runs at lab dispose; safe to call twice.
   */
  async cleanup(): Promise<void> {
    if (this.#cleaned) return;
    this.#cleaned = true;
    await this.kill();
    if (!this.#keepDir) await Deno.remove(this.dir, { recursive: true });
  }
}
