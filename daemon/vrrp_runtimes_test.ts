/**
 * The VRRP and HA appliers on the real datastore and HA group registry,
 * with runtime doubles that keep the real runtime's contract towards HA
 * groups (a group is attached while it exists with `notifyHaGroup`; a
 * group whose spec changes is rebuilt, i.e. detached and attached again;
 * attaching to a missing, static or already controlled HA group throws).
 * Every commit, its failure in a later applier, and a rejected apply must
 * leave runtimes and HA groups exactly as the committed configuration
 * says.
 */
import { assert, assertEquals } from "../tests/assert.ts";
import { systemClock } from "../core/clock.ts";
import { LogHub } from "../core/log.ts";
import { systemRng } from "../core/rng.ts";
import { Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { OperationalRegistry } from "../cli/operational.ts";
import { type HaController, HaGroupRegistry, type HaState } from "../ha/group.ts";
import { Vrfs } from "../kernel/vrf.ts";
import {
  sameGroup,
  validateRuntimeConfig,
  type VrrpRuntimeConfig,
} from "../vrrp/runtime_config.ts";
import type { VrrpRuntimeShow } from "../vrrp/runtime_show.ts";
import { haService } from "./ha_service.ts";
import { Owned } from "./owned.ts";
import { registerVrrpAppliers } from "./vrrp_service.ts";
import { type VrrpRuntimeLike, VrrpRuntimes } from "./vrrp_runtimes.ts";

class FakeGroup implements HaController {
  readonly kind = "vrrp group" as const;
  constructor(readonly name: string) {}
  haState(): HaState {
    return "master";
  }
  onHaState(): () => void {
    return () => {};
  }
}

class FakeRuntime implements VrrpRuntimeLike {
  config: VrrpRuntimeConfig = { instances: [], groups: [] };
  readonly applied: VrrpRuntimeConfig[] = [];
  readonly groups = new Map<string, FakeGroup>();
  readonly service = { group: (n: string) => this.groups.get(n) };
  stopped = false;
  rejectNext = false;

  constructor(readonly vrf: string, readonly ha: HaGroupRegistry) {}

  apply(c: VrrpRuntimeConfig): Promise<void> {
    if (this.rejectNext) {
      this.rejectNext = false;
      // A rejection after part of the work: the groups are gone already.
      this.#teardown();
      return Promise.reject(new Error("Cannot apply: injected failure"));
    }
    validateRuntimeConfig(c);
    for (const g of this.config.groups ?? []) {
      const n = (c.groups ?? []).find((x) => x.name === g.name);
      if (!n || !sameGroup(g, n)) this.#drop(g.name, g.notifyHaGroup);
    }
    for (const g of c.groups ?? []) {
      if (this.groups.has(g.name)) continue;
      const fg = new FakeGroup(g.name);
      if (g.notifyHaGroup !== undefined) this.ha.attach(g.notifyHaGroup, fg);
      this.groups.set(g.name, fg);
    }
    this.config = c;
    this.applied.push(c);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#teardown();
    this.stopped = true;
    return Promise.resolve();
  }

  show(): VrrpRuntimeShow {
    return { vrf: this.vrf, instances: [], groups: [], receivers: [], virtualLinks: [] };
  }

  #teardown(): void {
    for (const g of this.config.groups ?? []) this.#drop(g.name, g.notifyHaGroup);
    this.config = { instances: [], groups: [] };
  }

  #drop(name: string, ha: string | undefined): void {
    const fg = this.groups.get(name);
    if (fg && ha !== undefined) this.ha.detach(ha, fg);
    this.groups.delete(name);
  }
}

function setup() {
  const hub = new LogHub();
  const ha = new HaGroupRegistry(systemClock, hub.logger("ha"));
  const datastore = Datastore.open();
  const opened: FakeRuntime[] = [];
  haService().register({
    datastore,
    operational: new OperationalRegistry(),
    vrfs: new Vrfs("tdh"),
    owned: Owned.load(),
    ha,
    hub,
    clock: systemClock,
    rng: systemRng,
    stateDir: "/nonexistent",
  });
  const runtimes = new VrrpRuntimes({
    ha,
    log: hub.logger("vrrp"),
    open: (vrf) => {
      const rt = new FakeRuntime(vrf, ha);
      opened.push(rt);
      return Promise.resolve(rt);
    },
    exists: () => true,
  });
  registerVrrpAppliers(datastore, runtimes);
  // A subsystem after VRRP and HA that fails on demand: the commit is then reverted.
  datastore.registerApplier<string>("system hostname", {
    apply: (c) => {
      if (c.new === "fail") throw new Error("injected failure");
    },
  }, { order: 60 });
  const commit = async (text: string) => {
    const lines = text.split("\n").filter((l) => l !== "").map((l) => `/ ${l}`);
    return await datastore.commit(parseConfigText(ROOT, lines.join("\n")));
  };
  /** What the HA registry says: `name state controller`. */
  const haView = () =>
    ha.list().map((g) =>
      `${g.name} ${g.state} ${
        g.controller ? `${g.controller.kind} ${g.controller.name}` : g.staticState ?? "none"
      }`
    );
  const rt = (vrf: string) => runtimes.get(vrf) as FakeRuntime | undefined;
  return { datastore, ha, runtimes, opened, commit, haView, rt };
}

/** vrf main with two instances on eth1/eth2, optionally grouped and notifying. */
function vrrp(opts: { vrf?: string; group?: string; notify?: string; priority?: number } = {}) {
  const v = `vrf ${opts.vrf ?? "main"}`;
  const port = (n: number) => opts.vrf ? ` port ${opts.vrf}${n}` : "";
  const lines = [
    `${v} interface physical eth1${port(1)} ipv4 address 10.22.0.1/24`,
    `${v} interface physical eth2${port(2)} ipv4 address 10.23.0.1/24`,
    `${v} interface vrrp vrrp51 link-interface eth1 vrid 1 virtual-address 10.100.0.2/24` +
    (opts.priority ? ` priority ${opts.priority}` : ""),
    `${v} interface vrrp vrrp52 link-interface eth2 vrid 1 virtual-address 10.200.0.2/24`,
  ];
  if (opts.group) {
    lines.push(`${v} vrrp group ${opts.group} instance vrrp51 instance vrrp52`);
    if (opts.notify) lines.push(`${v} vrrp group ${opts.group} notify-ha-group ${opts.notify}`);
  }
  return lines.join("\n") + "\n";
}

const REF = vrrp({ group: "group1", notify: "ha-group1" }) + "ha group ha-group1\n";
const STATIC = vrrp({ group: "group1" }) + "ha group ha-group1 state master\n";

Deno.test("vrrp appliers: the reference's shape starts a runtime whose group drives the HA group", async () => {
  const { commit, haView, rt, opened } = setup();
  assertEquals((await commit(REF)).ok, true);
  assertEquals(haView(), ["ha-group1 master vrrp group group1"]);
  assertEquals(rt("main")?.config.groups, [
    { name: "group1", instances: ["vrrp51", "vrrp52"], notifyHaGroup: "ha-group1" },
  ]);
  assertEquals(opened.length, 1);
  // A priority change reaches the same runtime; the HA group is not touched.
  assertEquals(
    (await commit(
      vrrp({ group: "group1", notify: "ha-group1", priority: 200 }) +
        "ha group ha-group1\n",
    )).ok,
    true,
  );
  assertEquals(rt("main")?.config.instances[0]?.priority, 200);
  assertEquals(opened.length, 1);
  assertEquals(haView(), ["ha-group1 master vrrp group group1"]);
  // Everything removed: the runtime stops, the HA group goes.
  assertEquals((await commit("")).ok, true);
  assertEquals(rt("main"), undefined);
  assertEquals(opened[0]!.stopped, true);
  assertEquals(haView(), []);
});

Deno.test("vrrp appliers: the controller becomes a static state and back, in one commit each", async () => {
  const { commit, haView } = setup();
  assertEquals((await commit(REF)).ok, true);
  assertEquals((await commit(STATIC)).ok, true);
  assertEquals(haView(), ["ha-group1 master master"]);
  assertEquals((await commit(REF)).ok, true);
  assertEquals(haView(), ["ha-group1 master vrrp group group1"]);
  const backup = vrrp({ group: "group1" }) + "ha group ha-group1 state backup\n";
  assertEquals((await commit(backup)).ok, true);
  assertEquals(haView(), ["ha-group1 backup backup"]);
  assertEquals((await commit(STATIC)).ok, true);
  assertEquals(haView(), ["ha-group1 master master"]);
});

Deno.test("vrrp appliers: a commit that fails after VRRP leaves runtimes and HA groups as they were", async () => {
  const { commit, haView, rt } = setup();
  const cases: Array<[string, string]> = [
    ["", REF],
    [REF, STATIC],
    [STATIC, REF],
    [REF, ""],
    [REF, vrrp({ vrf: "blue", group: "g2", notify: "ha-group1" }) + "ha group ha-group1\n"],
    [REF, vrrp({ group: "group1", notify: "ha-group2" }) + "ha group ha-group2\n"],
  ];
  for (const [from, to] of cases) {
    assertEquals((await commit(from)).ok, true);
    const before = { ha: haView(), main: rt("main")?.config, blue: rt("blue")?.config };
    const r = await commit(to + "system hostname fail\n");
    assert(!r.ok && r.errors[0]!.includes("injected failure"), JSON.stringify(r));
    const after = { ha: haView(), main: rt("main")?.config, blue: rt("blue")?.config };
    assertEquals(after, before, `reverting ${JSON.stringify(to)}`);
    // …and the same change without the failure goes through.
    assertEquals((await commit(to)).ok, true);
  }
});

Deno.test("vrrp appliers: a controller moves to another VRF's group in one commit", async () => {
  const { commit, haView, rt } = setup();
  assertEquals((await commit(REF)).ok, true);
  const blue = vrrp({ group: "group1" }) +
    vrrp({ vrf: "blue", group: "g2", notify: "ha-group1" }) + "ha group ha-group1\n";
  assertEquals(await commit(blue), { ok: true, version: 2, changed: true });
  assertEquals(haView(), ["ha-group1 master vrrp group g2"]);
  assertEquals(rt("main")?.config.groups, [{ name: "group1", instances: ["vrrp51", "vrrp52"] }]);
  assertEquals((await commit(REF)).ok, true);
  assertEquals(haView(), ["ha-group1 master vrrp group group1"]);
  assertEquals(rt("blue"), undefined);
});

Deno.test("vrrp appliers: a rejected apply fails the commit and the previous configuration is re-applied", async () => {
  const { commit, haView, rt, datastore } = setup();
  assertEquals((await commit(REF)).ok, true);
  const main = rt("main")!;
  const good = main.config;
  main.rejectNext = true;
  const r = await commit(
    vrrp({ group: "group1", notify: "ha-group1", priority: 50 }) +
      "ha group ha-group1\n",
  );
  assertEquals(r.ok ? [] : r.errors, [
    'Cannot commit "vrf main interface vrrp vrrp51": Cannot apply: injected failure',
  ]);
  assertEquals(main.config, good);
  assertEquals(main.applied.at(-1), good);
  assertEquals(haView(), ["ha-group1 master vrrp group group1"]);
  assertEquals(datastore.version, 1);
});
