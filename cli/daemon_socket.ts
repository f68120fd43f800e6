/**
 * The daemon's control socket, client side, and the wire both sides share.
 *
 * Wire: a Unix stream socket carrying one JSON object per line (UTF-8,
 * `\n`-terminated, no newline inside a message since JSON escapes them),
 * at most {@linkcode MAX_MESSAGE} bytes. The client sends requests
 * `{"id":n,"method":m,"params":[…]}` and reads one response per request,
 * `{"id":n,"ok":true,"result":…}` or `{"id":n,"ok":false,"error":"…"}`,
 * in order. The first request of a connection is `hello`
 * (`params: [{"client":"tandem-cli","user":"alice"}]`), answered with the
 * daemon's identity ({@linkcode HelloReply}); the others are the
 * {@linkcode Session} methods (`session_rpc.ts`).
 *
 * A daemon also records itself in its state directory: it holds an
 * exclusive lock on `daemon.lock` for its whole life and writes
 * `daemon.json` (pid, socket); {@linkcode daemonHolding} tells whether a
 * daemon serves a state directory, and through which socket.
 *
 * @module
 */
import { VERSION } from "../core/version.ts";
import { RpcSession, type SessionRequest, type SessionResponse } from "./session_rpc.ts";

/** Where the daemon listens unless told otherwise. */
export const DEFAULT_SOCKET = "/run/tandem/tandem.sock";
/** The longest message line either side accepts. */
export const MAX_MESSAGE = 64 << 20;
/** Files of a running daemon in its state directory. */
export const DAEMON_LOCK = "daemon.lock";
export const DAEMON_RECORD = "daemon.json";

/** What a client says first. */
export interface Hello {
  readonly client: string;
  readonly user?: string;
}

/** What the daemon answers to `hello`. */
export interface HelloReply {
  readonly daemon: "tandem";
  readonly version: string;
  readonly pid: number;
  readonly stateDir: string;
}

/** A request on the wire: a session method, or `hello`. */
export interface WireRequest {
  readonly id: number;
  readonly method: string;
  readonly params: readonly unknown[];
}

/** What `daemon.json` holds. */
export interface DaemonRecord {
  readonly pid: number;
  readonly socket: string;
  /** ISO time the daemon started. */
  readonly started: string;
}

const encoder = new TextEncoder();

/** One message as it goes on the wire. */
export function encodeMessage(msg: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(msg) + "\n");
}

/** Writes all of `data` (one stream write may take only part of it). */
export async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/** Splits a byte stream into lines (without the `\n`). */
export class LineReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buf = new Uint8Array(0);
  #decoder = new TextDecoder();

  constructor(readable: ReadableStream<Uint8Array>, readonly max = MAX_MESSAGE) {
    this.#reader = readable.getReader();
  }

  /** The next line; undefined at the end of the stream (a partial last line is dropped). */
  async next(): Promise<string | undefined> {
    for (;;) {
      const nl = this.#buf.indexOf(0x0a);
      if (nl >= 0) {
        const line = this.#decoder.decode(this.#buf.subarray(0, nl));
        this.#buf = this.#buf.slice(nl + 1);
        return line;
      }
      if (this.#buf.length > this.max) {
        throw new Error(`Cannot read a message: longer than ${this.max} bytes`);
      }
      const { value, done } = await this.#reader.read();
      if (done) return undefined;
      const joined = new Uint8Array(this.#buf.length + value.length);
      joined.set(this.#buf);
      joined.set(value, this.#buf.length);
      this.#buf = joined;
    }
  }

  /** Stops reading (the stream is cancelled). */
  cancel(): void {
    this.#reader.cancel().catch(() => {});
  }
}

function errorCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String(e.code) : undefined;
}

/** A connection to a daemon; requests go one at a time, in order. */
export class DaemonConnection {
  #next = 1;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    readonly path: string,
    readonly conn: Deno.UnixConn,
    readonly lines: LineReader,
    public hello: HelloReply,
  ) {}

  /**
   * Connects and says hello; throws `Cannot reach the daemon at "…": …`
   * when nothing answers within `timeoutMs`.
   */
  static async connect(
    path: string,
    opts: { hello?: Hello; timeoutMs?: number } = {},
  ): Promise<DaemonConnection> {
    const fail = (why: string) => new Error(`Cannot reach the daemon at "${path}": ${why}`);
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path });
    } catch (e) {
      throw fail(e instanceof Error ? e.message : String(e));
    }
    const c = new DaemonConnection(path, conn, new LineReader(conn.readable), {
      daemon: "tandem",
      version: "",
      pid: 0,
      stateDir: "",
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(fail("no answer")), opts.timeoutMs ?? 5000);
    });
    try {
      const hello = opts.hello ?? { client: `tandem-cli ${VERSION}` };
      const r = await Promise.race([c.#call({ id: 0, method: "hello", params: [hello] }), timeout]);
      if (!r.ok) throw fail(r.error);
      const reply = r.result as HelloReply;
      if (reply?.daemon !== "tandem") throw fail("it is not a Tandem daemon");
      c.hello = reply;
      return c;
    } catch (e) {
      c.close();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async #call(req: WireRequest): Promise<SessionResponse> {
    if (this.#closed) throw new Error(`Cannot reach the daemon at "${this.path}": closed`);
    await writeAll(this.conn, encodeMessage(req));
    const line = await this.lines.next();
    if (line === undefined) {
      throw new Error(`Cannot reach the daemon at "${this.path}": it closed the connection`);
    }
    return JSON.parse(line) as SessionResponse;
  }

  /** Sends one request and waits for its response. */
  request(req: WireRequest): Promise<SessionResponse> {
    const run = this.#queue.then(() => this.#call(req));
    this.#queue = run.catch(() => {});
    return run;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.lines.cancel();
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}

/** A {@linkcode RpcSession} on a daemon's socket. */
export async function connectSession(
  path: string,
  user?: string,
): Promise<{ session: RpcSession; hello: HelloReply }> {
  const c = await DaemonConnection.connect(path, {
    hello: { client: `tandem-cli ${VERSION}`, ...(user ? { user } : {}) },
  });
  const session = new RpcSession(
    (req: SessionRequest) => c.request(req),
    () => Promise.resolve(c.close()),
  );
  return { session, hello: c.hello };
}

/**
 * Whether a daemon answers on `path`: its hello, or undefined when there
 * is no socket or nobody listens (a stale socket file).
 */
export async function probeDaemon(
  path: string,
  timeoutMs = 2000,
): Promise<HelloReply | undefined> {
  try {
    Deno.statSync(path);
  } catch {
    return undefined;
  }
  try {
    const c = await DaemonConnection.connect(path, { timeoutMs });
    c.close();
    return c.hello;
  } catch {
    return undefined;
  }
}

/** Whether `path` is a socket nobody listens on (a daemon was killed). */
export async function isStaleSocket(path: string): Promise<boolean> {
  try {
    const st = Deno.statSync(path);
    if (!st.isSocket) return false;
  } catch {
    return false;
  }
  try {
    (await Deno.connect({ transport: "unix", path })).close();
    return false;
  } catch (e) {
    return errorCode(e) === "ECONNREFUSED";
  }
}

/** The daemon that holds `stateDir` (its lock is taken), or undefined. */
export function daemonHolding(stateDir: string): DaemonRecord | undefined {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(`${stateDir}/${DAEMON_LOCK}`, { read: true });
  } catch {
    return undefined;
  }
  try {
    if (f.tryLockSync(true)) {
      f.unlockSync();
      return undefined;
    }
  } finally {
    f.close();
  }
  try {
    return JSON.parse(Deno.readTextFileSync(`${stateDir}/${DAEMON_RECORD}`)) as DaemonRecord;
  } catch {
    return { pid: 0, socket: "", started: "" };
  }
}
