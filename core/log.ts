/**
 * Logging by subsystem and level, in strongSwan's spirit: every subsystem
 * has its own threshold, changeable at run time; messages at or below the
 * threshold go to the sinks (stderr, syslog, the ring buffer behind
 * `show log`). Key material is logged only at the `private` level, which is
 * never on unless an operator asks for it.
 *
 * Levels, from always-on to most verbose:
 * - `error`, `warn`: something failed or looks wrong.
 * - `audit`: state an operator tracks (SA up/down, role changes, commits).
 * - `control`: protocol steps (the default threshold).
 * - `detail`: more of the same: payload lists, proposals, timers.
 * - `raw`: packet dumps; the only level the packet path may use per packet.
 * - `private`: secrets (keys, PSKs, nonces) in clear.
 *
 * @module
 */
import { writeAll } from "./stdio.ts";

export const SUBSYSTEMS = [
  "dmn",
  "cfg",
  "cli",
  "knl",
  "net",
  "ike",
  "chd",
  "enc",
  "esp",
  "vrrp",
  "ha",
  "lab",
] as const;
export type Subsystem = typeof SUBSYSTEMS[number];

export const LEVELS = ["error", "warn", "audit", "control", "detail", "raw", "private"] as const;
export type Level = typeof LEVELS[number];

/** The level each subsystem starts with. */
export const DEFAULT_LEVEL: Level = "control";

/** One emitted message. */
export interface LogRecord {
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  readonly subsystem: Subsystem;
  readonly level: Level;
  readonly message: string;
}

/** Where records go. */
export type LogSink = (record: LogRecord) => void;

/** A message, or a function that builds it only when the level is enabled. */
export type LogMessage = string | (() => string);

const rank = (l: Level): number => LEVELS.indexOf(l);

/** Whether `text` names a level. */
export function isLevel(text: string): text is Level {
  return (LEVELS as readonly string[]).includes(text);
}

/** Whether `text` names a subsystem. */
export function isSubsystem(text: string): text is Subsystem {
  return (SUBSYSTEMS as readonly string[]).includes(text);
}

/**
 * The process's (or a test's) logging state: thresholds, sinks, and a
 * bounded ring of recent records.
 */
export class LogHub {
  #thresholds = new Map<Subsystem, number>();
  #sinks: LogSink[] = [];
  #ring: LogRecord[] = [];
  #ringStart = 0;
  readonly ringSize: number;
  #wallNow: () => number;

  constructor(opts: { ringSize?: number; wallNow?: () => number; level?: Level } = {}) {
    this.ringSize = opts.ringSize ?? 2000;
    this.#wallNow = opts.wallNow ?? Date.now;
    for (const s of SUBSYSTEMS) this.#thresholds.set(s, rank(opts.level ?? DEFAULT_LEVEL));
  }

  /** Sets the threshold of one subsystem, or of all with `"all"`. */
  setLevel(subsystem: Subsystem | "all", level: Level): void {
    const subs = subsystem === "all" ? SUBSYSTEMS : [subsystem];
    for (const s of subs) this.#thresholds.set(s, rank(level));
  }

  /** The current threshold of a subsystem. */
  level(subsystem: Subsystem): Level {
    return LEVELS[this.#thresholds.get(subsystem)!]!;
  }

  /** Whether a message at `level` from `subsystem` would be emitted. */
  enabled(subsystem: Subsystem, level: Level): boolean {
    return rank(level) <= this.#thresholds.get(subsystem)!;
  }

  /** Adds a sink; returns the function that removes it. */
  addSink(sink: LogSink): () => void {
    this.#sinks.push(sink);
    return () => {
      const i = this.#sinks.indexOf(sink);
      if (i >= 0) this.#sinks.splice(i, 1);
    };
  }

  /** Emits a record if the level is enabled. */
  write(subsystem: Subsystem, level: Level, message: LogMessage): void {
    if (!this.enabled(subsystem, level)) return;
    const record: LogRecord = {
      time: this.#wallNow(),
      subsystem,
      level,
      message: typeof message === "string" ? message : message(),
    };
    if (this.#ring.length < this.ringSize) {
      this.#ring.push(record);
    } else {
      this.#ring[this.#ringStart] = record;
      this.#ringStart = (this.#ringStart + 1) % this.ringSize;
    }
    for (const sink of this.#sinks) sink(record);
  }

  /** Recent records, oldest first, optionally filtered. */
  recent(filter: { subsystem?: Subsystem; level?: Level; limit?: number } = {}): LogRecord[] {
    const all = [...this.#ring.slice(this.#ringStart), ...this.#ring.slice(0, this.#ringStart)];
    const maxRank = filter.level ? rank(filter.level) : LEVELS.length;
    const out = all.filter((r) =>
      (!filter.subsystem || r.subsystem === filter.subsystem) && rank(r.level) <= maxRank
    );
    return filter.limit !== undefined ? out.slice(-filter.limit) : out;
  }

  /** A logger bound to one subsystem. */
  logger(subsystem: Subsystem): Logger {
    return new Logger(this, subsystem);
  }
}

/** Logs for one subsystem; one method per level. */
export class Logger {
  constructor(readonly hub: LogHub, readonly subsystem: Subsystem) {}

  enabled(level: Level): boolean {
    return this.hub.enabled(this.subsystem, level);
  }
  error(m: LogMessage): void {
    this.hub.write(this.subsystem, "error", m);
  }
  warn(m: LogMessage): void {
    this.hub.write(this.subsystem, "warn", m);
  }
  audit(m: LogMessage): void {
    this.hub.write(this.subsystem, "audit", m);
  }
  control(m: LogMessage): void {
    this.hub.write(this.subsystem, "control", m);
  }
  detail(m: LogMessage): void {
    this.hub.write(this.subsystem, "detail", m);
  }
  raw(m: LogMessage): void {
    this.hub.write(this.subsystem, "raw", m);
  }
  /** Secrets only: emitted solely when the subsystem's level is `private`. */
  private(m: LogMessage): void {
    this.hub.write(this.subsystem, "private", m);
  }
}

/** `HH:MM:SS.mmm sub  level message` in UTC, the stderr and `show log` line format. */
export function formatRecord(r: LogRecord): string {
  const t = new Date(r.time).toISOString().slice(11, 23);
  const lvl = r.level === "error" || r.level === "warn" ? `${r.level.toUpperCase()}: ` : "";
  return `${t} ${r.subsystem.padEnd(4)} ${lvl}${r.message}`;
}

/**
 * A sink writing one line per record to stderr. Lines logged by one task
 * (say, the IKE exchanges of one batch of datagrams) leave in one write at
 * its end; a warning or an error, the process exiting (`unload`), an
 * uncaught error or an unhandled rejection write what is pending at once,
 * so nothing is lost before a crash or an exit.
 */
export function stderrSink(out: { writeSync(p: Uint8Array): number } = Deno.stderr): LogSink {
  let pending = "";
  let queued = false;
  const flush = () => {
    queued = false;
    if (pending === "") return;
    const text = pending;
    pending = "";
    try {
      writeAll(out, text);
    } catch {
      // stderr unusable (closed, not writable): nothing sensible left to do with a log line.
    }
  };
  globalThis.addEventListener("unload", flush);
  globalThis.addEventListener("error", flush);
  globalThis.addEventListener("unhandledrejection", flush);
  return (r) => {
    pending += formatRecord(r) + "\n";
    if (r.level === "error" || r.level === "warn") flush();
    else if (!queued) {
      queued = true;
      queueMicrotask(flush);
    }
  };
}

/** A hub with no sinks, for components built in tests that do not care about logs. */
export function quietLogger(subsystem: Subsystem): Logger {
  return new LogHub({ ringSize: 1 }).logger(subsystem);
}
