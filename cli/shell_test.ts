import { assert, assertEquals } from "../tests/assert.ts";
import { Datastore } from "../config/datastore.ts";
import { OperationalRegistry } from "./operational.ts";
import { LocalSession, type Session } from "./session.ts";
import { RpcSession, serveSessionRequest } from "./session_rpc.ts";
import { Shell } from "./shell.ts";

async function shellOn(session?: Session): Promise<Shell> {
  return await Shell.create(session ?? new LocalSession(Datastore.open()));
}

async function run(shell: Shell, ...lines: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of lines) {
    const r = await shell.execute(l);
    out.push(...r.output, ...r.errors);
  }
  return out;
}

Deno.test("shell: the prompt names the host, the context and uncommitted changes", async () => {
  const sh = await shellOn();
  assertEquals(sh.prompt(), "tandem running config# ");
  await run(sh, "system hostname ha1");
  assertEquals(sh.prompt(), "tandem running config#! ");
  assertEquals(await run(sh, "commit"), ["Configuration committed."]);
  assertEquals(sh.prompt(), "ha1 running config# ");
  await run(sh, "ha group g state master", "vrf main interface physical eth1");
  assertEquals(sh.prompt(), "ha1 running physical eth1#! ");
  await run(sh, "delete / vrf main", "delete / ha group g");
  assertEquals(sh.prompt(), "ha1 running config# ");
});

Deno.test("shell: errors in one voice; a failed commit lists every problem", async () => {
  const sh = await shellOn();
  assertEquals(await run(sh, "vrf main ike ha node-id 16"), [
    'Cannot set "node-id": 16 is out of range 1..15',
  ]);
  assertEquals(await run(sh, "vrf main ike ha nod-id 1"), [
    'Cannot parse "nod-id": not a node of vrf main ike ha; did you mean "node-id"?',
  ]);
  assertEquals(await run(sh, 'system hostname "ha'), ["Cannot parse line: unterminated quote"]);
  assertEquals(await run(sh, "comit"), [
    'Cannot run "comit": not a command or a node of config; did you mean "commit"?',
  ]);
  assertEquals(await run(sh, "/ vrf main ike ha", "commit"), [
    'Cannot commit "vrf main ike ha": node-id is mandatory when ha is enabled',
    'Cannot commit "vrf main ike ha": listen-ha-group is mandatory when ha is enabled',
    'Cannot commit "vrf main ike ha": local-address is mandatory when ha is enabled',
    'Cannot commit "vrf main ike ha": remote-address is mandatory when ha is enabled',
    "Configuration not committed.",
  ]);
  assert((await sh.execute("commit")).ok === false);
});

Deno.test("shell: discard, rollback and the commit history", async () => {
  const sh = await shellOn();
  await run(sh, "system hostname one", "commit comment first", "system hostname two", "commit");
  const hist = await run(sh, "show commit history");
  assertEquals(hist.length, 2);
  assert(hist[0]!.startsWith("  0  commit 2  "));
  assert(hist[1]!.endsWith("  first"));
  await run(sh, "system hostname three");
  await run(sh, "discard");
  assertEquals(sh.dirty, false);
  assertEquals(await run(sh, "rollback 1"), [
    "Loaded commit from 1 commit ago; commit to apply it.",
  ]);
  assertEquals(await run(sh, "show config nodefault system"), ["system", "  hostname one", ".."]);
  assertEquals(await run(sh, "show config running nodefault system"), [
    "system",
    "  hostname two",
    "..",
  ]);
  assertEquals(await run(sh, "rollback 9"), [
    "Cannot rollback 9: no such commit in the history (show commit history)",
  ]);
  await run(sh, "commit");
  assertEquals(sh.hostname(), "one");
});

Deno.test("shell: exit asks twice when changes are uncommitted", async () => {
  const sh = await shellOn();
  assertEquals((await sh.execute("exit")).exit, true);
  await run(sh, "system hostname x");
  const first = await sh.execute("exit");
  assertEquals([first.exit, first.errors], [undefined, [
    "Uncommitted changes: commit or discard them, or exit again to drop them",
  ]]);
  assertEquals((await sh.execute("exit")).exit, true);
});

Deno.test("shell: operational commands registered by subsystems run with their arguments", async () => {
  const registry = new OperationalRegistry();
  registry.register({
    words: ["show", "vrrp"],
    help: "VRRP instances",
    args: [{
      name: "instance",
      syntax: "<instance>",
      help: "one instance",
      optional: true,
      complete: () => ["vrrp51"],
    }],
    run: (args) => `instances: ${args.join(",") || "all"}\n`,
  });
  const sh = await shellOn(new LocalSession(Datastore.open(), { registry }));
  assertEquals(await run(sh, "show vrrp"), ["instances: all"]);
  assertEquals(await run(sh, "show vrrp vrrp51"), ["instances: vrrp51"]);
  assertEquals(await run(sh, "show vrrp a b"), [
    'Cannot run "show vrrp a b": usage: show vrrp [<instance>]',
  ]);
  assertEquals(await run(sh, "show vrp"), [
    'Cannot run "show vrp": unknown word "vrp"; did you mean "vrrp"?',
  ]);
  assertEquals((await sh.complete("show vrrp ")).candidates.map((c) => c.word), [
    "<instance>",
    "vrrp51",
  ]);
});

Deno.test("shell: a session carried as JSON behaves as the local one", async () => {
  const local = new LocalSession(Datastore.open());
  const remote = new RpcSession(async (req) => {
    const wire = JSON.parse(JSON.stringify(req));
    return JSON.parse(JSON.stringify(await serveSessionRequest(local, wire)));
  });
  const sh = await shellOn(remote);
  assertEquals(await run(sh, "system hostname far", "commit"), ["Configuration committed."]);
  assertEquals(local.datastore.typed().system.hostname, "far");
  assertEquals(await run(sh, "rollback 4"), [
    "Cannot rollback 4: no such commit in the history (show commit history)",
  ]);
  const bad = await serveSessionRequest(local, { id: 9, method: "nope" as never, params: [] });
  assertEquals(bad, { id: 9, ok: false, error: 'Cannot serve "nope": unknown method' });
});
