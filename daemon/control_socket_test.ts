import { assert, assertEquals, assertRejects, assertThrows } from "../tests/assert.ts";
import { LogHub } from "../core/log.ts";
import { Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { OperationalRegistry } from "../cli/operational.ts";
import { LocalSession } from "../cli/session.ts";
import {
  connectSession,
  DaemonConnection,
  daemonHolding,
  encodeMessage,
  LineReader,
  probeDaemon,
} from "../cli/daemon_socket.ts";
import { ControlServer } from "./control_socket.ts";
import { StateLock } from "./state_lock.ts";

function server(path: string, ds: Datastore, users: string[] = []) {
  const registry = new OperationalRegistry();
  registry.register({ words: ["show", "who"], help: "", run: () => "x\n" });
  return ControlServer.open(path, {
    hello: () => ({ daemon: "tandem", version: "test", pid: 4242, stateDir: "/state" }),
    session: (user) => {
      users.push(user ?? "-");
      return new LocalSession(ds, { registry, ...(user ? { user } : {}) });
    },
    log: new LogHub().logger("cli"),
  });
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "td-ctl-" });
  try {
    await fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("control socket: sessions over the socket, user from hello, mode 0660, removed at close", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/run/tandem.sock`;
    const ds = Datastore.open();
    const users: string[] = [];
    const srv = await server(path, ds, users);
    srv.serve();
    assertEquals(Deno.statSync(path).mode! & 0o777, 0o660);
    const { session, hello } = await connectSession(path, "alice");
    assertEquals(hello.pid, 4242);
    const base = await session.running();
    const r = await session.commit(parseConfigText(ROOT, "system hostname far\n"), {
      baseVersion: base.version,
    });
    assertEquals(r, { ok: true, version: 1, changed: true });
    assertEquals(ds.history()[0]!.user, "alice");
    assertEquals(await session.runOperational(["show", "who"]), { ok: true, output: "x\n" });
    // A second connection with a stale base version is refused by the datastore.
    const other = await connectSession(path);
    const stale = await other.session.commit(parseConfigText(ROOT, "system hostname near\n"), {
      baseVersion: 0,
    });
    assertEquals(stale.ok, false);
    assertEquals(users, ["alice", "-"]);
    await session.close();
    await other.session.close();
    await srv.close();
    assertEquals(await probeDaemon(path), undefined);
    assertThrows(() => Deno.statSync(path), Deno.errors.NotFound);
  });
});

Deno.test("control socket: a second server is refused while one answers; a stale socket is replaced", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/tandem.sock`;
    const ds = Datastore.open();
    const first = await server(path, ds);
    first.serve();
    await assertRejects(
      () => server(path, ds),
      Error,
      `Cannot start: a Tandem daemon (pid 4242, state directory "/state") already serves "${path}"`,
    );
    await first.close();
    // What a killed daemon leaves: a socket file nobody listens on.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `Deno.listen({ transport: "unix", path: ${JSON.stringify(path)} }); Deno.exit(0);`,
      ],
    });
    assertEquals((await child.output()).code, 0);
    assert(Deno.statSync(path).isSocket);
    const again = await server(path, ds);
    again.serve();
    assert(await probeDaemon(path));
    await again.close();
    Deno.writeTextFileSync(path, "not a socket");
    await assertRejects(() => server(path, ds), Error, "Cannot start: cannot listen on");
  });
});

Deno.test("control socket: a line that is not a request is answered with an error and closed", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/tandem.sock`;
    const srv = await server(path, Datastore.open());
    srv.serve();
    const conn = await Deno.connect({ transport: "unix", path });
    await conn.write(new TextEncoder().encode("{nope\n"));
    const lines = new LineReader(conn.readable);
    const reply = JSON.parse((await lines.next())!);
    assertEquals([reply.ok, reply.error.startsWith("Cannot parse request")], [false, true]);
    assertEquals(await lines.next(), undefined, "closed by the daemon");
    const c = await DaemonConnection.connect(path);
    const r = await c.request({ id: 5, method: "nope", params: [] });
    assertEquals(r, { id: 5, ok: false, error: 'Cannot serve "nope": unknown method' });
    c.close();
    await srv.close();
  });
});

Deno.test("control socket: lines split across reads, and the size limit", async () => {
  const enc = encodeMessage({ a: "x".repeat(10) });
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.subarray(0, 5));
      c.enqueue(enc.subarray(5));
      c.enqueue(new TextEncoder().encode('{"b":1}\n{"partial"'));
      c.close();
    },
  });
  const r = new LineReader(stream);
  assertEquals(JSON.parse((await r.next())!), { a: "x".repeat(10) });
  assertEquals(await r.next(), '{"b":1}');
  assertEquals(await r.next(), undefined);
  const big = new LineReader(
    new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array(64));
      },
    }),
    16,
  );
  await assertRejects(() => big.next(), Error, "longer than 16 bytes");
});

Deno.test("state lock: one daemon per state directory; the record names it", async () => {
  await withDir(async (dir) => {
    const record = { pid: 77, socket: "/run/x.sock", started: "2025-01-01T00:00:00.000Z" };
    assertEquals(daemonHolding(dir), undefined);
    const lock = StateLock.acquire(dir, record);
    assertEquals(daemonHolding(dir), record);
    assertThrows(
      () => StateLock.acquire(dir, { ...record, pid: 78 }),
      Error,
      `Cannot start: the state directory "${dir}" is in use by another daemon (pid 77, socket "/run/x.sock")`,
    );
    lock.release();
    assertEquals(daemonHolding(dir), undefined);
    StateLock.acquire(dir, record).release();
    await Promise.resolve();
  });
});
