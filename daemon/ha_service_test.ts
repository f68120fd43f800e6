import { assertEquals } from "../tests/assert.ts";
import { FakeClock } from "../core/clock.ts";
import { LogHub } from "../core/log.ts";
import { systemRng } from "../core/rng.ts";
import { Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { OperationalRegistry } from "../cli/operational.ts";
import { HaGroupRegistry, type HaStateChange } from "../ha/group.ts";
import { Vrfs } from "../kernel/vrf.ts";
import { haService } from "./ha_service.ts";
import { Owned } from "./owned.ts";

function setup() {
  const clock = new FakeClock(0, Date.UTC(2026, 0, 1));
  const hub = new LogHub();
  const ha = new HaGroupRegistry(clock, hub.logger("ha"));
  const datastore = Datastore.open();
  const operational = new OperationalRegistry();
  const service = haService();
  service.register({
    datastore,
    operational,
    vrfs: new Vrfs("tdh"),
    owned: Owned.load(),
    ha,
    hub,
    clock,
    rng: systemRng,
    stateDir: "/nonexistent",
  });
  const commit = (text: string) => datastore.commit(parseConfigText(ROOT, text));
  const run = async (...words: string[]) => {
    const r = await operational.run(words);
    return r.ok ? r.output : `error: ${r.error}`;
  };
  return { ha, commit, run, service };
}

Deno.test("ha service: static groups follow the configuration; listeners see each change once", async () => {
  const { ha, commit, run, service } = setup();
  assertEquals((await commit("ha group x state master\n")).ok, true);
  const seen: HaStateChange[] = [];
  ha.listen("x", "test", (c) => seen.push(c));
  assertEquals((await commit("ha group x state backup\n")).ok, true);
  assertEquals((await commit("ha group x state master\n")).ok, true);
  assertEquals(seen.map((c) => `#${c.seq} ${c.previous} -> ${c.state}: ${c.reason}`), [
    "#1 master -> backup: static state backup",
    "#2 backup -> master: static state master",
  ]);
  assertEquals(service.status?.(), "1 group, 1 master");
  const data = JSON.parse(await run("show", "ha", "group", "x", "--json"));
  assertEquals(data.groups.length, 1);
  assertEquals(
    [data.groups[0].name, data.groups[0].state, data.groups[0].controller],
    ["x", "master", "static"],
  );
  assertEquals(data.groups[0].listeners, ["test"]);
  assertEquals(
    (await run("show", "ha", "group")).split("\n").slice(0, 4),
    [
      "ha group x: master (since 2026-01-01T00:00:00.000Z, change #2)",
      "  controller: static",
      "  listeners: test",
      "  reason: static state master",
    ],
  );
  assertEquals(
    await run("show", "ha", "group", "y"),
    'error: Cannot run "show ha group": no ha group y',
  );
  assertEquals((await commit("")).ok, true);
  assertEquals(ha.list(), []);
  assertEquals(await run("show", "ha", "group"), "no ha group\n");
});
