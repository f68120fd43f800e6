/**
 * The daemon's logging: `--log-level` (`detail`, or `ike=detail,esp=raw`,
 * `all=` for every subsystem; applied left to right), the stderr sink, and
 * the syslog sink when a syslog socket exists. SIGHUP reopens the syslog
 * socket (after journald or rsyslog restarted, or appeared).
 *
 * @module
 */
import {
  isLevel,
  isSubsystem,
  type Level,
  LEVELS,
  type LogHub,
  stderrSink,
  type Subsystem,
  SUBSYSTEMS,
} from "../core/log.ts";
import { SyslogSink } from "./syslog.ts";

/** One `subsystem=level` setting. */
export interface LevelSetting {
  readonly subsystem: Subsystem | "all";
  readonly level: Level;
}

/** Parses a `--log-level` value; throws `Cannot parse --log-level "…": …`. */
export function parseLogLevels(spec: string): LevelSetting[] {
  const out: LevelSetting[] = [];
  const bad = (why: string) => new Error(`Cannot parse --log-level "${spec}": ${why}`);
  for (const part of spec.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const eq = part.indexOf("=");
    const sub = eq < 0 ? "all" : part.slice(0, eq);
    const level = eq < 0 ? part : part.slice(eq + 1);
    if (sub !== "all" && !isSubsystem(sub)) {
      throw bad(`unknown subsystem "${sub}" (all, ${SUBSYSTEMS.join(", ")})`);
    }
    if (!isLevel(level)) throw bad(`unknown level "${level}" (${LEVELS.join(", ")})`);
    out.push({ subsystem: sub, level });
  }
  if (out.length === 0) throw bad("empty");
  return out;
}

/** The daemon's sinks on a hub. */
export class DaemonLogging {
  #syslog: SyslogSink | undefined;
  #removeSyslog: (() => void) | undefined;

  constructor(
    readonly hub: LogHub,
    readonly opts: { stderr: boolean; syslog?: string; bindDir: string },
  ) {
    if (opts.stderr) hub.addSink(stderrSink());
    this.#openSyslog();
  }

  /** Whether records go to syslog now. */
  get syslogPath(): string | undefined {
    return this.#syslog?.target;
  }

  #openSyslog(): void {
    if (this.opts.syslog === undefined) return;
    try {
      this.#syslog = SyslogSink.open(this.opts.syslog, this.opts.bindDir);
    } catch (e) {
      this.hub.logger("dmn").warn(
        `Cannot open syslog socket "${this.opts.syslog}": ${e instanceof Error ? e.message : e}`,
      );
    }
    if (this.#syslog) this.#removeSyslog = this.hub.addSink(this.#syslog.sink());
  }

  /** Closes and reopens the syslog socket (SIGHUP). */
  async reopen(): Promise<void> {
    await this.#closeSyslog();
    this.#openSyslog();
  }

  async #closeSyslog(): Promise<void> {
    this.#removeSyslog?.();
    this.#removeSyslog = undefined;
    const s = this.#syslog;
    this.#syslog = undefined;
    await s?.close();
  }

  close(): Promise<void> {
    return this.#closeSyslog();
  }
}
