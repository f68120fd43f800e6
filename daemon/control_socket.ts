/**
 * The control socket, daemon side: a Unix stream socket (mode 0660, in a
 * 0750 directory) speaking the line-delimited JSON of
 * `cli/daemon_socket.ts`. Each connection gets its own session (the user
 * its `hello` names goes into the commit history); requests on one
 * connection are answered in order, connections are served concurrently,
 * and the datastore serializes commits.
 *
 * Opening refuses a socket another daemon answers on, and replaces a
 * stale one (a socket file nobody listens on, left by a killed daemon).
 *
 * @module
 */
import type { Logger } from "../core/log.ts";
import {
  encodeMessage,
  type Hello,
  type HelloReply,
  isStaleSocket,
  LineReader,
  probeDaemon,
  type WireRequest,
  writeAll,
} from "../cli/daemon_socket.ts";
import { serveSessionRequest, type SessionRequest } from "../cli/session_rpc.ts";
import type { Session } from "../cli/session.ts";

/** What the server needs from the daemon. */
export interface ControlHandlers {
  hello(): HelloReply;
  /** A session for a new connection, for `user` (from its hello). */
  session(user: string | undefined): Session;
  log: Logger;
}

function parseRequest(line: string): WireRequest | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return `Cannot parse request: ${e instanceof Error ? e.message : String(e)}`;
  }
  const r = v as Partial<WireRequest>;
  if (
    typeof v !== "object" || v === null || typeof r.id !== "number" ||
    typeof r.method !== "string" || !Array.isArray(r.params)
  ) {
    return "Cannot parse request: expected {id, method, params}";
  }
  return r as WireRequest;
}

/** See the module doc. */
export class ControlServer {
  #listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  #conns = new Set<Deno.UnixConn>();
  #inflight = new Set<Promise<unknown>>();
  #serving: Promise<void> | undefined;
  #closed = false;

  private constructor(
    readonly path: string,
    listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>,
    readonly handlers: ControlHandlers,
  ) {
    this.#listener = listener;
  }

  /**
   * Binds the socket (not serving yet: connections wait in the backlog
   * until {@linkcode serve}). Throws `Cannot start: …` when a daemon
   * answers there, or the path holds something else.
   */
  static async open(path: string, handlers: ControlHandlers): Promise<ControlServer> {
    const dir = path.slice(0, Math.max(path.lastIndexOf("/"), 0)) || "/";
    Deno.mkdirSync(dir, { recursive: true, mode: 0o750 });
    const other = await probeDaemon(path);
    if (other) {
      throw new Error(
        `Cannot start: a Tandem daemon (pid ${other.pid}, state directory "${other.stateDir}") ` +
          `already serves "${path}"`,
      );
    }
    if (await isStaleSocket(path)) {
      handlers.log.warn(`replacing the stale socket "${path}" (a daemon was killed)`);
      Deno.removeSync(path);
    }
    let listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
    try {
      listener = Deno.listen({ transport: "unix", path });
    } catch (e) {
      throw new Error(
        `Cannot start: cannot listen on "${path}": ${e instanceof Error ? e.message : e}`,
      );
    }
    Deno.chmodSync(path, 0o660);
    return new ControlServer(path, listener, handlers);
  }

  /** Starts answering (returns at once). */
  serve(): void {
    this.#serving ??= (async () => {
      for await (const conn of this.#listener) {
        if (this.#closed) {
          conn.close();
          break;
        }
        this.#conns.add(conn);
        this.#connection(conn).catch((e) =>
          this.handlers.log.warn(`control connection: ${e instanceof Error ? e.message : e}`)
        ).finally(() => {
          this.#conns.delete(conn);
          try {
            conn.close();
          } catch { /* already closed */ }
        });
      }
    })().catch((e) => {
      if (!this.#closed) this.handlers.log.error(`control socket: ${e}`);
    });
  }

  async #connection(conn: Deno.UnixConn): Promise<void> {
    const lines = new LineReader(conn.readable);
    let session: Session | undefined;
    for (;;) {
      const line = await lines.next().catch(() => undefined);
      if (line === undefined || this.#closed) return;
      const req = parseRequest(line);
      if (typeof req === "string") {
        await writeAll(conn, encodeMessage({ id: null, ok: false, error: req }));
        return;
      }
      if (req.method === "hello") {
        const hello = (req.params[0] ?? {}) as Partial<Hello>;
        const user = typeof hello.user === "string" ? hello.user : undefined;
        session = this.handlers.session(user);
        this.handlers.log.detail(
          `control connection: ${hello.client ?? "client"}${user ? ` of ${user}` : ""}`,
        );
        await writeAll(
          conn,
          encodeMessage({ id: req.id, ok: true, result: this.handlers.hello() }),
        );
        continue;
      }
      session ??= this.handlers.session(undefined);
      const work = serveSessionRequest(session, req as SessionRequest);
      this.#inflight.add(work);
      try {
        await writeAll(conn, encodeMessage(await work));
      } finally {
        this.#inflight.delete(work);
      }
    }
  }

  /** Stops accepting, waits for requests being answered (up to `waitMs`), closes everything. */
  async close(waitMs = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    if (this.#inflight.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([...this.#inflight]),
        new Promise((r) => (timer = setTimeout(r, waitMs))),
      ]);
      clearTimeout(timer);
    }
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    // Closing the listener removed the socket file.
    await this.#serving;
  }
}
