/**
 * Tandem's VRRP (the standalone runner, a process of its own) against
 * keepalived 2.2.7 on one bridged LAN in namespaces, VRRPv3 at 1 s: the
 * election by priority both ways, preemption and its absence, takeover
 * after a crash (SIGKILL, the crashed node's link taken down with it) and
 * after a graceful stop (priority 0: the backup takes over after its skew
 * time, which its log or transition reason names), over IPv4 and IPv6.
 * After every move the LAN host reaches the virtual address and its
 * neighbour table holds the new master's MAC: Tandem's virtual MAC, or
 * keepalived's interface MAC, learnt from the gratuitous ARP / unsolicited
 * NA of the new master.
 *
 * No test asserts a duration: every wait is for an event, with a generous
 * deadline.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { rootTest } from "./netns.ts";
import { lanAddress, oneInstance, type TandemEvent, VrrpLan } from "./vrrp_lab.ts";
import { waitFor } from "../lab/command.ts";

const VIP = lanAddress(4, 0, 10);
const VMAC = "00:00:5e:00:01:4f";
const KA = { vrid: 79, advertInt: 1, vips: [`${VIP}/24`] };

/** The `show vrrp` data of a show event's first instance. */
function instanceOf(show: TandemEvent): Record<string, unknown> {
  const data = show.vrrp as { instances: Record<string, unknown>[] };
  return data.instances[0]!;
}

rootTest(
  "vrrp interop: keepalived master (priority 200); Tandem takes over after its crash and its priority-0 stop, yields when it returns",
  async () => {
    await using lan = await VrrpLan.create();
    const macA = await lan.mac("a");
    const ka = lan.keepalived("a", { ...KA, priority: 200 });
    const t = await lan.tandem("b", oneInstance({ priority: 100 }));
    await ka.waitLog(/Entering MASTER STATE/, "MASTER");
    await t.waitState("vr79", "backup");
    await lan.vipAnswersAt(VIP, macA);
    await t.waitFollowing("vr79", "10.79.0.1", 2);

    // keepalived crashes: no priority 0, Tandem waits out Master_Down_Interval.
    await ka.crash();
    await lan.cable("a", "down");
    const up = await t.waitState("vr79", "master");
    assertEquals(up.cause, "master-down");
    await lan.vipAnswersAt(VIP, VMAC);
    assertEquals(await lan.holders(VIP), ["a", "b"], "the crashed node's kernel kept its VIP");

    // keepalived returns with the higher priority and preempts.
    await lan.cable("a", "up");
    const ka2 = lan.keepalived("a", { ...KA, priority: 200 });
    const down = await t.waitState("vr79", "backup");
    assertEquals(down.cause, "higher-priority");
    await ka2.waitLog(/Entering MASTER STATE/, "MASTER again");
    await lan.vipAnswersAt(VIP, macA);
    assertEquals(await lan.holders(VIP), ["a"]);

    // Graceful stop: keepalived's priority-0 advert, Tandem takes over after its skew time.
    assertEquals(await ka2.term(), 0);
    const took = await t.waitState("vr79", "master");
    assertEquals(took.cause, "master-down");
    assertStringIncludes(String(took.reason), "10.79.0.1 resigned (priority 0)");
    await lan.vipAnswersAt(VIP, VMAC);
    const i = instanceOf(await t.show());
    assert(
      (i.counters as { priorityZeroReceived: number }).priorityZeroReceived >= 1,
      JSON.stringify(i),
    );
    assertEquals(await t.term(), 0);
    assertEquals(await lan.holders(VIP), []);
    assertEquals(await lan.hasLink("b", "vr79"), false, "macvlan removed at stop");
  },
  { programs: ["keepalived"] },
);

rootTest(
  "vrrp interop: Tandem master (priority 200); keepalived takes over on its priority-0 stop and after its crash, yields when it returns",
  async () => {
    await using lan = await VrrpLan.create();
    const macB = await lan.mac("b");
    const t = await lan.tandem("a", oneInstance({ priority: 200 }));
    const ka = lan.keepalived("b", { ...KA, priority: 100 });
    await t.waitState("vr79", "master");
    await ka.waitLog(/Entering BACKUP STATE/, "BACKUP");
    await lan.vipAnswersAt(VIP, VMAC);
    assertEquals(await lan.holders(VIP), ["a"]);

    // Graceful stop: keepalived hears priority 0 and takes over after its skew time.
    assertEquals(await t.term(), 0);
    await ka.waitLog(/Backup received priority 0 advertisement/, "priority 0 received");
    await ka.waitLog(/Entering MASTER STATE/, "MASTER");
    await lan.vipAnswersAt(VIP, macB);
    assertEquals(await lan.holders(VIP), ["b"]);
    assertEquals(await lan.hasLink("a", "vr79"), false, "macvlan removed at stop");

    // Tandem returns with the higher priority and preempts keepalived.
    const t2 = await lan.tandem("a", oneInstance({ priority: 200 }), "tandem-a-2");
    const back = await t2.waitState("vr79", "master");
    assertStringIncludes(String(back.reason), "preempting lower-priority master 10.79.0.2");
    await ka.waitLog(/Entering BACKUP STATE/, "BACKUP again", 2);
    await lan.vipAnswersAt(VIP, VMAC);

    // Tandem crashes (its node's link goes with it): keepalived waits out Master_Down_Interval.
    await t2.crash();
    await lan.cable("a", "down");
    await ka.waitLog(/Entering MASTER STATE/, "MASTER again", 2);
    await lan.vipAnswersAt(VIP, macB);
    assertEquals(await lan.holders(VIP), ["a", "b"], "the crashed node's kernel kept its VIP");
  },
  { programs: ["keepalived"] },
);

rootTest(
  "vrrp interop: with preemption off, a higher priority that joins later stays backup (both ways)",
  async () => {
    await using lan = await VrrpLan.create();
    const macA = await lan.mac("a");
    // keepalived is master at 100; Tandem joins at 200 without preemption.
    const ka = lan.keepalived("a", { ...KA, priority: 100 });
    await ka.waitLog(/Entering MASTER STATE/, "MASTER");
    const t = await lan.tandem("b", oneInstance({ priority: 200, preempt: false }));
    await t.waitState("vr79", "backup");
    await t.waitFollowing("vr79", "10.79.0.1", 5);
    assertEquals(await t.state("vr79"), "backup");
    assertEquals(await ka.state(), "MASTER");
    await lan.vipAnswersAt(VIP, macA);
    assertEquals(await t.term(), 0);
    assertEquals(await ka.term(), 0);

    // Tandem is master at 100; keepalived joins at 200 with nopreempt.
    const t2 = await lan.tandem("a", oneInstance({ priority: 100 }), "tandem-a-2");
    await t2.waitState("vr79", "master");
    const ka2 = lan.keepalived("b", { ...KA, priority: 200, preempt: false });
    await ka2.waitLog(/Entering BACKUP STATE/, "BACKUP");
    const sent = () =>
      t2.show().then((s) => (instanceOf(s).counters as { advertsSent: number }).advertsSent);
    const base = await sent();
    // keepalived (priority 200) would take over after 3.2 s without our adverts: 5 more is proof.
    await waitFor(async () => (await sent()) >= base + 5, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: "5 more adverts from Tandem",
    });
    assertEquals(await ka2.state(), "BACKUP");
    assertEquals(await t2.state("vr79"), "master");
    await lan.vipAnswersAt(VIP, VMAC);
  },
  { programs: ["keepalived"] },
);

rootTest(
  "vrrp interop: IPv6 (ff02::12, link-local source, unsolicited NA) with keepalived, ping6 follows the master",
  async () => {
    await using lan = await VrrpLan.create();
    const macB = await lan.mac("b");
    const vip6 = lanAddress(6, 0, 0x10);
    const vips = ["fe80::4f/64", `${vip6}/64`];
    const vmac6 = "00:00:5e:00:02:4f";
    const t = await lan.tandem("a", oneInstance({ priority: 200, virtualAddresses: vips }));
    const ka = lan.keepalived("b", { ...KA, priority: 100, vips });
    await t.waitState("vr79", "master");
    await ka.waitLog(/Entering BACKUP STATE/, "BACKUP");
    await lan.vipAnswersAt(vip6, vmac6);
    const i = instanceOf(await t.show());
    assertEquals(i.family, "ipv6");
    assertStringIncludes(String(i.primaryAddress), "fe80::");

    assertEquals(await t.term(), 0);
    await ka.waitLog(/Backup received priority 0 advertisement/, "priority 0 received");
    await ka.waitLog(/Entering MASTER STATE/, "MASTER");
    await lan.vipAnswersAt(vip6, macB);

    // Tandem returns, preempts, and its unsolicited NA moves the host's entry back.
    const t2 = await lan.tandem("a", oneInstance({ priority: 200, virtualAddresses: vips }), "t2");
    await t2.waitState("vr79", "master");
    await ka.waitLog(/Entering BACKUP STATE/, "BACKUP again", 2);
    await lan.vipAnswersAt(vip6, vmac6);
    const c = instanceOf(await t2.show()).counters as { advertsReceived: number };
    assert(c.advertsReceived >= 1, "keepalived's IPv6 adverts were received and accepted");
  },
  { programs: ["keepalived"] },
);
