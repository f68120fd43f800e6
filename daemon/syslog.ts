/**
 * A log sink to the local syslog socket (`/dev/log`, which journald and
 * rsyslog both serve): one datagram per record in the BSD format glibc's
 * `syslog(3)` sends (RFC 3164 §4.1: `<PRI>Mmm dd hh:mm:ss tandem[pid]: `),
 * facility `daemon`. Records at the `private` level never go to syslog
 * (keys would end up on disk); they reach stderr and `show log` only.
 *
 * The socket is a Unix datagram socket bound to a temporary path that is
 * unlinked at once; sends are queued in order, and dropped (counted) when
 * the syslog daemon is away or the queue is full.
 *
 * @module
 */
import type { Level, LogRecord, LogSink } from "../core/log.ts";

/** RFC 5424 §6.2.1 severities for our levels. */
const SEVERITY: Record<Level, number> = {
  error: 3,
  warn: 4,
  audit: 5,
  control: 6,
  detail: 7,
  raw: 7,
  private: 7,
};
const FACILITY_DAEMON = 3;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MAX_QUEUE = 1000;
const MAX_DATAGRAM = 8192;

/** The datagram for a record (local time, as syslog(3) writes it). */
export function formatSyslog(r: LogRecord, pid: number, tag = "tandem"): string {
  const d = new Date(r.time);
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const pri = FACILITY_DAEMON * 8 + SEVERITY[r.level];
  return `<${pri}>${stamp} ${tag}[${pid}]: ${r.subsystem} ${r.level}: ${r.message}`;
}

/** See the module doc. */
export class SyslogSink {
  #conn: Deno.DatagramConn;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #closed = false;
  /** Records not delivered (syslog away, queue full). */
  dropped = 0;

  private constructor(readonly target: string, conn: Deno.DatagramConn, readonly pid: number) {
    this.#conn = conn;
  }

  /**
   * Opens a sink to `target` when it exists; `bindDir` holds the short-lived
   * path the socket is bound to. Undefined when there is no syslog socket.
   */
  static open(target: string, bindDir: string): SyslogSink | undefined {
    try {
      if (!Deno.statSync(target).isSocket) return undefined;
    } catch {
      return undefined;
    }
    const path = `${bindDir}/.syslog-${Deno.pid}`;
    try {
      Deno.removeSync(path);
    } catch { /* not there */ }
    const conn = Deno.listenDatagram({ transport: "unixpacket", path });
    Deno.removeSync(path);
    return new SyslogSink(target, conn, Deno.pid);
  }

  /** The sink function for a `LogHub`. */
  sink(): LogSink {
    const enc = new TextEncoder();
    return (r) => {
      if (this.#closed || r.level === "private") return;
      if (this.#pending >= MAX_QUEUE) {
        this.dropped++;
        return;
      }
      const data = enc.encode(formatSyslog(r, this.pid)).subarray(0, MAX_DATAGRAM);
      this.#pending++;
      this.#queue = this.#queue
        .then(() => this.#conn.send(data, { transport: "unix", path: this.target }))
        .then(() => {}, () => {
          this.dropped++;
        })
        .finally(() => {
          this.#pending--;
        });
    };
  }

  /** Waits for the queued records to be sent (or dropped). */
  flush(): Promise<void> {
    return this.#queue;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    this.#conn.close();
  }
}
