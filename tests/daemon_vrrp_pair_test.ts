/**
 * Two Tandem daemons as the reference's ha1 and ha2 (VRRP instances
 * vrrp51 on eth1 and vrrp52 on eth2 in vrrp group group1, notifying ha
 * group ha-group1), end to end through `tandem cli` only:
 *
 * - they elect one master (ha1, priority 200; ha2 has the default 100),
 *   `show vrrp --json` and `show ha group --json` of both agree, and the
 *   master holds the virtual addresses on its macvlans;
 * - kill -9 of the master's daemon (its links cut with it): the other
 *   takes over after Master_Down_Interval and its HA group goes master;
 *   the killed node restarts from its saved configuration (its leftover
 *   macvlans reused) and preempts;
 * - SIGTERM of the master: priority 0, the backup takes over at once (its
 *   transition names the resignation); the stopped node's macvlans and
 *   virtual addresses are gone;
 * - a master killed, then reconfigured in local mode without vrrp52: its
 *   next start deletes the leftover macvlan vrrp52 and reuses vrrp51's;
 * - a priority committed through the CLI preempts live; a static `ha
 *   group x state master` is master with no controller; removing the VRRP
 *   configuration stops the instances (the peer hears priority 0) and
 *   removes the macvlans.
 *
 * No test asserts a duration: every wait is for a state, with a generous
 * deadline.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { rootTest } from "./netns.ts";
import { type DaemonNode, haConfig, HaPairLab } from "./daemon_vrrp_lab.ts";
import { tandem } from "./daemon_lab.ts";
import type { VrrpInstanceShow } from "../vrrp/show.ts";

/** Waits until `node` is backup of both instances, following `master` (ha1 .1 / ha2 .2). */
async function following(node: DaemonNode, master: 1 | 2): Promise<void> {
  await node.waitInstances(
    `backup of 10.22.0.${master} and 10.23.0.${master}`,
    (i) =>
      i["vrrp51"]?.state === "backup" && i["vrrp52"]?.state === "backup" &&
      i["vrrp51"].master?.address === `10.22.0.${master}` &&
      i["vrrp52"].master?.address === `10.23.0.${master}` &&
      i["vrrp51"].counters.advertsReceived >= 2 && i["vrrp52"].counters.advertsReceived >= 2,
  );
}

/**
 * Starts ha1 (priority 200) and ha2 (the default 100) and waits for the
 * election: ha1 master, ha2 following it; returns ha1's instances.
 */
async function elect(pair: HaPairLab): Promise<Record<string, VrrpInstanceShow>> {
  await pair.ha1.start(haConfig(1, { priority: 200 }));
  await pair.ha2.start(haConfig(2));
  const m = await pair.ha1.waitStates("master");
  await following(pair.ha2, 1);
  return m;
}

/** The HA group of a node, as `state controller`. */
async function ha(node: DaemonNode): Promise<string> {
  const g = await node.haGroup("ha-group1");
  return `${g.state} ${g.controller}`;
}

function lastReason(i: VrrpInstanceShow | undefined): string {
  const t = i?.lastTransition;
  return t ? `${t.cause}: ${t.reason}` : "none";
}

rootTest(
  "daemon vrrp: ha1/ha2 elect, agree, survive kill -9 and SIGTERM of the master",
  async () => {
    await using pair = await HaPairLab.create();
    const { ha1, ha2 } = pair;
    const m = await elect(pair);
    assertEquals(m["vrrp51"]!.master, {
      address: "10.22.0.1",
      priority: 200,
      advertisementIntervalMs: 1000,
      self: true,
    });
    assertEquals(await ha(ha1), "master vrrp group group1");
    assertEquals(await ha(ha2), "backup vrrp group group1");
    const [g1] = (await ha1.vrrp())[0]!.groups;
    assertEquals([g1!.name, g1!.state, g1!.haGroup, g1!.members], [
      "group1",
      "master",
      "ha-group1",
      ["vrrp51", "vrrp52"],
    ]);
    assertEquals(await ha1.addresses("vrrp51"), ["10.100.0.2/24"]);
    assertEquals(await ha1.addresses("vrrp52"), ["10.200.0.2/24"]);
    assertEquals(await ha2.addresses("vrrp51"), [], "the backup's macvlan is down and empty");
    const text = await ha2.ok("show vrrp instance vrrp51");
    assertStringIncludes(text, "vrrp vrrp51: backup");
    assertStringIncludes(text, "master 10.22.0.1, priority 200");
    assertStringIncludes(await ha2.ok("show daemon"), "vrrp (2 instances in 1 vrf, 0 master)");

    // kill -9 of the master, its links cut with it: ha2 waits out Master_Down_Interval.
    await ha1.kill();
    await ha1.cable("down");
    const took = await ha2.waitStates("master");
    assertEquals(took["vrrp51"]!.lastTransition?.cause, "master-down", lastReason(took["vrrp51"]));
    assertEquals(await ha(ha2), "master vrrp group group1");
    assertEquals(await ha2.addresses("vrrp51"), ["10.100.0.2/24"]);
    const hg = await ha2.haGroup("ha-group1");
    assertEquals(hg.transitions.at(-1)?.to, "master");
    assertStringIncludes(hg.transitions.at(-1)!.reason, "vrrp group group1");

    // ha1 restarts from its saved configuration (its leftover macvlans reused) and preempts.
    await ha1.cable("up");
    await ha1.start();
    await ha1.waitStates("master");
    await following(ha2, 1);
    assertEquals(await ha(ha1), "master vrrp group group1");
    assertEquals(await ha(ha2), "backup vrrp group group1");
    assertEquals(await ha2.addresses("vrrp51"), []);

    // SIGTERM of the master: priority 0, ha2 takes over after its skew time.
    assertEquals(await ha1.term(), 0);
    const after = await ha2.waitStates("master");
    // The first member to move names the resignation; the group takes the other along.
    const reasons = ["vrrp51", "vrrp52"].map((n) => lastReason(after[n]));
    assert(reasons.some((r) => r.includes("resigned (priority 0)")), reasons.join("\n"));
    for (const n of ["vrrp51", "vrrp52"]) {
      assert(after[n]!.counters.priorityZeroReceived >= 1, JSON.stringify(after[n]!.counters));
    }
    assertEquals(await ha(ha2), "master vrrp group group1");
    assertEquals(await ha1.addresses("vrrp51"), undefined, "macvlan removed at stop");
    assertEquals(await ha1.addresses("vrrp52"), undefined, "macvlan removed at stop");
    assertEquals(await ha1.addresses("eth1"), ["10.22.0.1/24"], "the rest of the kernel stays");

    // ha2 is killed as master, and vrrp52 is removed from its configuration in local mode: at
    // the next start its leftover macvlan vrrp52 is deleted, vrrp51's is reused.
    await ha2.kill();
    assertEquals(await ha2.addresses("vrrp52"), ["10.200.0.2/24"], "left by the crash");
    const local = await tandem([
      "cli",
      "--state-dir",
      ha2.stateDir,
      "-c",
      "delete / vrf main vrrp group group1 instance vrrp52",
      "-c",
      "delete / vrf main interface vrrp vrrp52",
      "-c",
      "commit",
    ]);
    assertEquals(local.code, 0, local.stderr);
    await ha2.start();
    await ha2.waitStates("master", ["vrrp51"]);
    assertEquals(await ha2.addresses("vrrp52"), undefined, "swept at start");
    assertEquals(await ha2.addresses("vrrp51"), ["10.100.0.2/24"]);
    assertStringIncludes(
      await ha2.daemon.stderr(),
      "clean-up: vrf main: macvlan vrrp52 (00:00:5e:00:01:01) is no longer configured",
    );
  },
);

rootTest(
  "daemon vrrp: a committed priority preempts; static ha group; removing VRRP stops it",
  async () => {
    await using pair = await HaPairLab.create();
    const { ha1, ha2 } = pair;
    await elect(pair);

    // A live priority change on ha2: it preempts ha1.
    await ha2.ok(
      "/ vrf main interface vrrp vrrp51 priority 250",
      "/ vrf main interface vrrp vrrp52 priority 250",
      "commit",
    );
    const up = await ha2.waitStates("master");
    assertEquals(up["vrrp51"]!.priority, 250);
    const down = await ha1.waitStates("backup");
    for (const n of ["vrrp51", "vrrp52"]) {
      assertEquals(down[n]!.master?.priority, 250, lastReason(down[n]));
    }
    assertEquals(await ha(ha2), "master vrrp group group1");
    assertEquals(await ha(ha1), "backup vrrp group group1");

    // A static HA group: master, no controller.
    await ha2.ok("/ ha group x state master", "commit");
    const x = await ha2.haGroup("x");
    assertEquals([x.state, x.controller, x.reason], ["master", "static", "static state master"]);

    // VRRP removed from ha2 (its HA group made static): instances stop, ha1 hears priority 0.
    await ha2.ok(
      "delete / vrf main vrrp",
      "delete / vrf main interface vrrp",
      "/ ha group ha-group1 state backup",
      "commit",
    );
    assertEquals(await ha2.vrrp(), []);
    assertEquals(await ha2.ok("show vrrp"), "no vrrp instance\n");
    assertEquals(await ha2.addresses("vrrp51"), undefined, "macvlan removed");
    assertEquals(await ha2.addresses("vrrp52"), undefined, "macvlan removed");
    assertEquals(await ha(ha2), "backup static");
    const back = await ha1.waitStates("master");
    const why = ["vrrp51", "vrrp52"].map((n) => lastReason(back[n]));
    assert(why.some((r) => r.includes("resigned (priority 0)")), why.join("\n"));
    assertEquals(await ha(ha1), "master vrrp group group1");

    // And back: the configuration returns, ha2 (priority 250) preempts again.
    await ha2.ok(
      "delete / ha group ha-group1 state",
      ...haConfig(2, { priority: 250 }).trim().split("\n"),
      "commit",
    );
    await ha2.waitStates("master");
    await ha1.waitStates("backup");
    assertEquals(await ha(ha2), "master vrrp group group1");
    assertEquals(await ha2.addresses("vrrp51"), ["10.100.0.2/24"]);
  },
);
