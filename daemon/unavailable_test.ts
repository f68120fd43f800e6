import { assertEquals } from "../tests/assert.ts";
import { LogHub } from "../core/log.ts";
import { systemClock } from "../core/clock.ts";
import { systemRng } from "../core/rng.ts";
import { Datastore } from "../config/datastore.ts";
import { HaGroupRegistry } from "../ha/group.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { OperationalRegistry } from "../cli/operational.ts";
import { Vrfs } from "../kernel/vrf.ts";
import { Owned } from "./owned.ts";
import { ORDER } from "./service.ts";
import { unavailableService } from "./unavailable.ts";

function setup(skip: string[] = []) {
  const datastore = Datastore.open();
  const applied: string[] = [];
  unavailableService(skip).register({
    datastore,
    operational: new OperationalRegistry(),
    vrfs: new Vrfs("tdu"),
    owned: Owned.load(),
    ha: new HaGroupRegistry(systemClock, new LogHub().logger("ha")),
    hub: new LogHub(),
    clock: systemClock,
    rng: systemRng,
    stateDir: "/nonexistent",
  });
  datastore.registerApplier("vrf * interface physical *", {
    apply: (c) => void applied.push(`${c.new === undefined ? "remove" : "apply"} ${c.pathText}`),
  }, { order: ORDER.link });
  return { datastore, applied };
}

const tree = (text: string) => parseConfigText(ROOT, text);
const IFACE = "vrf main interface physical eth1 ipv4 address 10.0.0.1/24\n";

const GRE = "vrf main interface gre g1 local 10.0.0.1 remote 10.0.0.2\n";
const GRE_REFUSED = 'Cannot commit "vrf main interface gre g1": GRE interfaces are not available ' +
  "in this build (the userspace GRE encapsulation is not built yet; an svti interface gives the " +
  "same protected cross-VRF channel)";

Deno.test("unavailable: configuring GRE fails the commit before anything is applied", async () => {
  const { datastore, applied } = setup();
  const r = await datastore.commit(tree(IFACE + GRE));
  assertEquals(r, { ok: false, errors: [GRE_REFUSED] });
  assertEquals(applied, []);
  assertEquals(datastore.version, 0);
  assertEquals((await datastore.commit(tree(IFACE))).ok, true);
  assertEquals(applied, ["apply vrf main interface physical eth1"]);
});

Deno.test("unavailable: a service takes a pattern over by skipping its refusal", async () => {
  const { datastore } = setup(["vrf * interface gre *"]);
  assertEquals((await datastore.commit(tree(IFACE + GRE))).ok, true);
  assertEquals((await setup().datastore.commit(tree(IFACE + GRE))).ok, false);
});
