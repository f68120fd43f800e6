import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { FakeClock } from "../core/clock.ts";
import { configText, Datastore } from "./datastore.ts";
import { LoadError, parseConfigText } from "./editor.ts";
import { type PhysicalInterfaceConfig, ROOT } from "./root_schema.ts";
import { FileStore, MemoryStore, type StoredCommit } from "./store.ts";
import type { TreeObject } from "./tree.ts";

const HA1 = parseConfigText(
  ROOT,
  Deno.readTextFileSync(new URL("../tests/vectors/config/ha1.conf", import.meta.url)),
);
const edit = (base: TreeObject, text: string) =>
  parseConfigText(ROOT, configText(ROOT, base) + text);

Deno.test("datastore: commit, no-op commit, history and the typed view", async () => {
  const ds = Datastore.open({ clock: new FakeClock() });
  assertEquals(ds.version, 0);
  assertEquals(ds.typed().system.hostname, "tandem");
  const r = await ds.commit(HA1, { user: "root", comment: "first" });
  assertEquals(r, { ok: true, version: 1, changed: true });
  assertEquals(await ds.commit(HA1), { ok: true, version: 1, changed: false });
  assertEquals(ds.typed().system.hostname, "ha1");
  assertEquals(ds.typed().vrf[0]!.interface.vrrp[0]!.priority, 100);
  assert(Object.isFrozen(ds.typed().vrf[0]), "the typed view is frozen");
  const r2 = await ds.commit(edit(HA1, "system hostname ha9\n"));
  assertEquals(r2, { ok: true, version: 2, changed: true });
  assertEquals(ds.history().map((h) => [h.version, h.comment ?? ""]), [[2, ""], [1, "first"]]);
  assertEquals(ds.historyTree(1), HA1);
  assertEquals(ds.historyTree(5), undefined);
});

Deno.test("datastore: an invalid candidate or a stale base changes nothing", async () => {
  const ds = Datastore.open();
  await ds.commit(HA1);
  const bad = await ds.commit(edit(HA1, "vrf main ike ha node-id 1 listen-ha-group nope\n"));
  assertEquals(bad, {
    ok: false,
    errors: ['Cannot commit "vrf main ike ha listen-ha-group": no ha group "nope"'],
  });
  assertEquals(ds.version, 1);
  const stale = await ds.commit(edit(HA1, "system hostname x\n"), { baseVersion: 0 });
  assert(!stale.ok && stale.errors[0]!.includes("is now commit 1, not 0"));
  assertEquals(ds.typed().system.hostname, "ha1");
});

Deno.test("datastore: appliers see the difference; a failing one leaves running and the store untouched", async () => {
  const store = new MemoryStore();
  const ds = Datastore.open({ store });
  const seen: string[] = [];
  ds.registerApplier<{ hostname: string }>("system", {
    apply(c) {
      if (c.new?.hostname === "boom") throw new Error("cannot set the host name");
      seen.push(`${c.old?.hostname} -> ${c.new?.hostname}`);
    },
  });
  let notified = 0;
  ds.onCommit(() => notified++);
  await ds.commit(HA1);
  const r = await ds.commit(edit(HA1, "system hostname boom\n"));
  assertEquals(r, { ok: false, errors: ['Cannot commit "system": cannot set the host name'] });
  assertEquals(seen, ["tandem -> ha1"]);
  assertEquals(ds.version, 1);
  assertEquals(store.history().length, 1);
  assertEquals(notified, 1);
});

Deno.test("datastore: a failed save reverts the appliers", async () => {
  class FailingStore extends MemoryStore {
    override saveRunning(_c: StoredCommit): void {
      throw new Error("disk full");
    }
  }
  const ds = Datastore.open({ store: new FailingStore() });
  const seen: string[] = [];
  ds.registerApplier<{ hostname: string }>("system", {
    apply: (c) => void seen.push(String(c.new?.hostname)),
  });
  const r = await ds.commit(HA1);
  assert(!r.ok && r.errors[0]!.includes("disk full"));
  assertEquals(seen, ["ha1", "tandem"]);
  assertEquals(ds.version, 0);
});

Deno.test("datastore: a state directory is reloaded, and another process's commit is seen", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tc-ds-" });
  try {
    const a = Datastore.open({ store: new FileStore(dir) });
    await a.commit(HA1);
    const b = Datastore.open({ store: new FileStore(dir) });
    assertEquals(b.version, 1);
    assertEquals(b.running, a.running);
    assertEquals(b.loadIssues, []);
    await b.commit(edit(HA1, "system hostname ha7\n"));
    const stale = await a.commit(edit(HA1, "system hostname ha8\n"), { baseVersion: 1 });
    assert(!stale.ok, "a's base is stale once b committed");
    assertEquals(a.typed().system.hostname, "ha7");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("datastore: applyRunning hands the whole running configuration to the appliers", async () => {
  const store = new MemoryStore();
  await Datastore.open({ store }).commit(HA1);
  const ds = Datastore.open({ store });
  const seen: string[] = [];
  ds.registerApplier<PhysicalInterfaceConfig>("vrf * interface physical *", {
    apply: (c) => void seen.push(`${c.pathText} port ${c.new?.port} mtu ${c.new?.mtu}`),
  });
  await ds.applyRunning();
  assertEquals(seen, [
    "vrf main interface physical eth1 port pci-b0s3 mtu 1500",
    "vrf main interface physical eth2 port pci-b0s4 mtu 1500",
    "vrf main interface physical eth3 port pci-b0s5 mtu 1500",
  ]);
});

Deno.test("datastore: an unreadable stored configuration is an error naming the line", () => {
  class Corrupt extends MemoryStore {
    override loadRunning(): StoredCommit {
      return { version: 3, time: 0, text: "config\n  bogus\n" };
    }
  }
  assertThrows(
    () => Datastore.open({ store: new Corrupt() }),
    LoadError,
    'line 2: Cannot parse "bogus"',
  );
});
