/**
 * Two Tandem VRRP runtimes (standalone runners in namespaces) on a bridged
 * LAN: election and preemption, a live priority change (SIGHUP reload:
 * applied to the running instance, no restart), graceful and crash
 * failover, `show vrrp` / `show ha group` of live runtimes, and a sync
 * group over two links driving an HA group (one link down: the whole group
 * fails over, the HA groups of both nodes follow).
 *
 * Every wait is for an event with a generous deadline; no duration is
 * asserted.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { rootTest } from "./netns.ts";
import {
  lanAddress,
  oneInstance,
  SLOW_MS,
  type TandemEvent,
  type TandemNode,
  VrrpLan,
} from "./vrrp_lab.ts";
import { waitFor } from "../lab/command.ts";
import type { StandaloneConfig } from "../vrrp/standalone.ts";
import type { VrrpRuntimeShow } from "../vrrp/runtime_show.ts";
import type { HaGroupShow } from "../ha/show.ts";

const VIP = lanAddress(4, 0, 10);
const VMAC = "00:00:5e:00:01:4f";

function transitions(events: TandemEvent[], instance = "vr79"): string[] {
  return events.filter((e) => e.event === "transition" && e.instance === instance)
    .map((e) => `${e.from}->${e.to}`);
}

async function showOf(n: TandemNode): Promise<{ vrrp: VrrpRuntimeShow; ha: HaGroupShow[] }> {
  const s = await n.show();
  return { vrrp: s.vrrp as VrrpRuntimeShow, ha: s.ha as HaGroupShow[] };
}

rootTest(
  "vrrp pair: Tandem and Tandem elect, preempt, change priority live, fail over on stop and crash",
  async () => {
    await using lan = await VrrpLan.create();
    // The lower priority starts first and is master alone; the higher one joins and preempts.
    const a = await lan.tandem("a", oneInstance({ priority: 100 }));
    await a.waitState("vr79", "master");
    await lan.vipAnswersAt(VIP, VMAC);
    const b = await lan.tandem("b", oneInstance({ priority: 200 }));
    const pre = await b.waitState("vr79", "master");
    assertStringIncludes(String(pre.reason), "preempting lower-priority master 10.79.0.1");
    assertEquals((await a.waitState("vr79", "backup")).cause, "higher-priority");
    await lan.vipAnswersAt(VIP, VMAC);
    assertEquals(await lan.holders(VIP), ["b"]);

    // show vrrp on both live runtimes.
    const sa = await showOf(a);
    const sb = await showOf(b);
    assertEquals(
      [sa.vrrp.instances[0]!.state, sa.vrrp.instances[0]!.master?.address],
      ["backup", "10.79.0.2"],
    );
    assertEquals(sa.vrrp.virtualLinks[0]!.state, "down");
    assertEquals([sb.vrrp.instances[0]!.state, sb.vrrp.virtualLinks[0]!.state], ["master", "up"]);
    const text = String((await b.show()).vrrpText);
    assertMatch(text, /^vrf main\nvrrp vr79: master\n/);
    assertStringIncludes(text, "master 10.79.0.2 (this node), priority 200");
    assertMatch(text, /virtual link vr79 \(vrrp vr79\): up, ifindex \d+, MAC 00:00:5e:00:01:4f/);

    // Live priority change: a goes to 250 and preempts b without restarting its instance.
    await a.reconfigure(oneInstance({ priority: 250 }));
    const live = await a.waitState("vr79", "master");
    assertStringIncludes(String(live.reason), "preempting lower-priority master 10.79.0.2");
    assertEquals(transitions(await a.events()), [
      "initialize->backup",
      "backup->master",
      "master->backup",
      "backup->master",
    ]);
    await b.waitState("vr79", "backup");
    await lan.vipAnswersAt(VIP, VMAC);
    assertEquals(await lan.holders(VIP), ["a"]);

    // Graceful stop of a: b takes over after its skew time.
    assertEquals(await a.term(), 0);
    const took = await b.waitState("vr79", "master");
    assertStringIncludes(String(took.reason), "10.79.0.1 resigned (priority 0)");
    await lan.vipAnswersAt(VIP, VMAC);
    assertEquals(await lan.holders(VIP), ["b"]);

    // a comes back at 100 (stays backup), then b crashes: a waits out Master_Down_Interval.
    const a2 = await lan.tandem("a", oneInstance({ priority: 100 }), "tandem-a-2");
    await a2.waitState("vr79", "backup");
    await a2.waitFollowing("vr79", "10.79.0.2");
    await b.crash();
    await lan.cable("b", "down");
    const up = await a2.waitState("vr79", "master");
    assertEquals(up.cause, "master-down");
    assertStringIncludes(String(up.reason), "no advertisement from 10.79.0.2");
    await lan.vipAnswersAt(VIP, VMAC);

    // The crashed node restarts: the leftover macvlan is reused (down, flushed), it stays backup.
    await lan.cable("b", "up");
    const b2 = await lan.tandem("b", oneInstance({ priority: 50 }), "tandem-b-2");
    await b2.waitState("vr79", "backup");
    await waitFor(async () => (await b2.proc.stderr()).includes("reusing macvlan vr79"), {
      timeoutMs: SLOW_MS,
      what: "the leftover macvlan to be reused",
    });
    assertEquals(await lan.holders(VIP), ["a"]);
    await lan.vipAnswersAt(VIP, VMAC);
  },
);

/** Two instances on two links in one sync group notifying ha-group1. */
function syncPair(priority: number): StandaloneConfig {
  const inst = (n: 0 | 1) => ({
    name: `vr${79 + n}`,
    linkInterface: `eth${n}`,
    vrid: 79 + n,
    priority,
    advertisementInterval: 1000,
    virtualAddresses: [`${lanAddress(4, n, 10)}/24`],
  });
  return {
    haGroups: ["ha-group1"],
    vrrp: {
      instances: [inst(0), inst(1)],
      groups: [{ name: "group1", instances: ["vr79", "vr80"], notifyHaGroup: "ha-group1" }],
    },
  };
}

/** The last `ha` event of a node (undefined: still the initial backup). */
async function haState(n: TandemNode): Promise<string | undefined> {
  const ha = (await n.events()).filter((e) => e.event === "ha");
  return ha.at(-1)?.state as string | undefined;
}

async function waitHa(n: TandemNode, state: string, count: number): Promise<TandemEvent> {
  return await n.waitEvent(
    (e) => e.event === "ha" && e.state === state && Number(e.seq) === count,
    `ha-group1 ${state} (#${count})`,
  );
}

rootTest(
  "vrrp pair: a sync group over two links moves as one and drives the HA group on both nodes",
  async () => {
    await using lan = await VrrpLan.create({ segments: 2 });
    const vip1 = lanAddress(4, 1, 10);
    const a = await lan.tandem("a", syncPair(200));
    await waitHa(a, "master", 1);
    const b = await lan.tandem("b", syncPair(100));
    await b.waitState("vr79", "backup");
    await b.waitState("vr80", "backup");
    await lan.vipAnswersAt(VIP, VMAC);
    await lan.vipAnswersAt(vip1, "00:00:5e:00:01:50");
    assertEquals(await haState(b), undefined, "b's HA group stays backup");

    const s = await showOf(a);
    assertEquals(s.vrrp.groups[0], {
      ...s.vrrp.groups[0]!,
      name: "group1",
      state: "master",
      members: ["vr79", "vr80"],
      haGroup: "ha-group1",
    });
    assertEquals(
      [s.ha[0]!.name, s.ha[0]!.state, s.ha[0]!.controller, s.ha[0]!.seq],
      ["ha-group1", "master", "vrrp group group1", 1],
    );
    const haText = String((await a.show()).haText);
    assertMatch(haText, /^ha group ha-group1: master \(since .*, change #1\)\n/);
    assertStringIncludes(haText, "controller: vrrp group group1");
    assertStringIncludes(String((await b.show()).vrrpText), "vrrp group group1: backup");

    // a loses eth1: its group fails (vr79 held, resigning with priority 0), b takes both.
    await lan.cable("a", "down", ["eth1"]);
    await waitHa(a, "backup", 2);
    await waitHa(b, "master", 1);
    await b.waitState("vr79", "master");
    await b.waitState("vr80", "master");
    const held = await a.waitState("vr79", "initialize");
    assertEquals(held.cause, "group");
    assertEquals(await a.state("vr80"), "initialize");
    assertEquals(await lan.holders(VIP), ["b"]);
    assertEquals(await lan.holders(vip1), ["b"]);
    await lan.vipAnswersAt(VIP, VMAC);
    const sa = await showOf(a);
    assertEquals(sa.vrrp.groups[0]!.state, "fault");
    assertEquals(sa.vrrp.instances.map((i) => i.blockedBy), [["group"], ["link-down"]]);

    // eth1 back: a's members start again and preempt together.
    await lan.cable("a", "up", ["eth1"]);
    await waitHa(a, "master", 3);
    await waitHa(b, "backup", 2);
    await b.waitState("vr79", "backup");
    await b.waitState("vr80", "backup");
    await lan.vipAnswersAt(VIP, VMAC);
    await lan.vipAnswersAt(vip1, "00:00:5e:00:01:50");
    assertEquals(await lan.holders(vip1), ["a"]);
    const groups = (await a.events()).filter((e) => e.event === "group").map((e) => e.to);
    assert(groups.includes("fault"), `group transitions: ${groups.join(", ")}`);
  },
);
