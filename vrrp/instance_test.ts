/**
 * The RFC 5798 §6 state machine under a fake clock: one labelled case per
 * transition and timer rule of §6.1, §6.4.1-§6.4.3 and §7.1. Times are in
 * ms from `start()`.
 */
import { assert, assertEquals } from "../tests/assert.ts";
import { ip, peerAdvert } from "../tests/vrrp_fakes.ts";
import { type Case, harness, MDI_100, MDI_200 } from "../tests/vrrp_harness.ts";
import { masterDownIntervalMs, skewTimeMs } from "./config.ts";
import { VRRP_GROUP_V4 } from "./packet.ts";

const CASES: Case[] = [
  {
    label: "§6.1 timer formulas: Skew_Time and Master_Down_Interval",
    run() {
      assertEquals(skewTimeMs(100, 1000), 609.375);
      assertEquals(masterDownIntervalMs(100, 1000), MDI_100);
      assertEquals(masterDownIntervalMs(200, 1000), MDI_200);
      assertEquals(masterDownIntervalMs(254, 10), 30 + 2 * 10 / 256);
      assertEquals(masterDownIntervalMs(1, 40950), 3 * 40950 + 255 * 40950 / 256);
    },
  },
  {
    label: "§6.4.1 Initialize -> Master for priority 255: add addresses, advert, GARP, Adver_Timer",
    run() {
      const h = harness({ priority: 255 });
      assertEquals(h.inst.state, "initialize");
      h.inst.start();
      assertEquals(h.inst.state, "master");
      assertEquals(h.port.events, ["add 10.100.0.2/24 accept", "advert 255", "announce 5"]);
      assertEquals(h.transitions.map((t) => [t.from, t.to, t.cause]), [[
        "initialize",
        "master",
        "owner",
      ]]);
      h.clock.advance(10_000);
      assertEquals(h.port.adverts.map((a) => a.at), [
        0,
        1000,
        2000,
        3000,
        4000,
        5000,
        6000,
        7000,
        8000,
        9000,
        10000,
      ]);
    },
  },
  {
    label:
      "§6.4.1 Initialize -> Backup, then §6.4.2 Master_Down_Timer fires at 3 x interval + Skew_Time",
    run() {
      const h = harness();
      h.inst.start();
      assertEquals(h.inst.state, "backup");
      assertEquals(h.port.events, []);
      h.clock.advance(MDI_100 - 0.001);
      assertEquals(h.inst.state, "backup");
      h.clock.advance(0.001);
      assertEquals(h.inst.state, "master");
      assertEquals(h.port.events, ["add 10.100.0.2/24 accept", "advert 100", "announce 5"]);
      const t = h.inst.lastTransition!;
      assertEquals([t.from, t.to, t.cause, t.reason], [
        "backup",
        "master",
        "master-down",
        "no advertisement for 3609.375 ms",
      ]);
    },
  },
  {
    label:
      "§6.4.2 Backup: higher-priority adverts restart the Master_Down_Timer; silence -> Master",
    run() {
      const h = harness();
      h.inst.start();
      h.peer("10.22.0.9", 200, 1000, 10_000);
      assertEquals(h.inst.state, "backup");
      assertEquals([ip(h.inst.master!.address), h.inst.master!.priority], ["10.22.0.9", 200]);
      const last = 9000; // the last advert arrived at 9000
      assertEquals(h.until("master"), last + MDI_100);
      assertEquals(
        h.inst.lastTransition!.reason,
        "no advertisement from 10.22.0.9 for 3609.375 ms",
      );
      assertEquals(h.inst.counters.advertsReceived, 10);
    },
  },
  {
    label:
      "§6.4.2 Backup, preempt on: lower-priority adverts are discarded; Master at Master_Down_Interval",
    run() {
      const h = harness({ priority: 200 });
      h.inst.start();
      h.clock.advance(500);
      h.peer("10.22.0.9", 100, 1000, 2000);
      assertEquals(h.inst.state, "backup");
      assertEquals(h.until("master"), MDI_200);
      assertEquals(h.inst.counters.preemptDiscards, 2);
      assertEquals(
        h.inst.lastTransition!.reason,
        "preempting lower-priority master 10.22.0.9 (100 < 200)",
      );
    },
  },
  {
    label: "§6.4.2 Backup, preempt off: lower-priority adverts are accepted",
    run() {
      const h = harness({ priority: 200, preempt: false });
      h.inst.start();
      h.peer("10.22.0.9", 100, 1000, 20_000);
      assertEquals(h.inst.state, "backup");
      assertEquals(h.inst.counters.preemptDiscards, 0);
    },
  },
  {
    label:
      "§6.4.2 Backup, equal priority: accepted whatever the sender's address (no tie-break in Backup)",
    run() {
      for (const peer of ["10.22.0.9", "10.22.0.2"]) {
        const h = harness();
        h.inst.start();
        h.peer(peer, 100, 1000, 20_000);
        assertEquals(h.inst.state, "backup", peer);
      }
    },
  },
  {
    label: "§6.4.2 Backup, priority 0 received: Master_Down_Timer = Skew_Time",
    run() {
      const h = harness();
      h.inst.start();
      h.peer("10.22.0.9", 200, 1000, 2000);
      h.rx("10.22.0.9", 0);
      assertEquals(h.inst.master, undefined);
      assertEquals(h.until("master") - 2000, 609.375);
      assertEquals(h.inst.counters.priorityZeroReceived, 1);
      assertEquals(
        h.inst.lastTransition!.reason,
        "10.22.0.9 resigned (priority 0), after skew time 609.375 ms",
      );
    },
  },
  {
    label: "§6.1 Backup learns Master_Adver_Interval (10 cs from a 100 ms master): 300 ms + skew",
    run() {
      const h = harness();
      h.inst.start();
      h.peer("10.22.0.9", 200, 100, 1000, 10);
      assertEquals(h.inst.masterAdverIntervalMs, 100);
      assertEquals(h.inst.masterDownIntervalMs, 300 + 60.9375);
      assertEquals(h.until("master") - 900, 360.9375);
      // Master again: it advertises at its own 1000 ms, not the learned 100 ms.
      h.clock.advance(3000);
      assertEquals(h.port.adverts.length, 4);
    },
  },
  {
    label: "§6.4.3 Master: Adver_Timer sends one advert per Advertisement_Interval",
    run() {
      const h = harness();
      h.inst.start();
      const t0 = h.until("master");
      h.clock.advance(60_000);
      const times = h.port.adverts.map((a) => a.at - t0);
      assertEquals(times.length, 61);
      assert(times.every((t, i) => t === i * 1000));
    },
  },
  {
    label: "§6.4.3 Master, priority 0 received: advert at once, Adver_Timer restarted",
    run() {
      const h = harness();
      h.inst.start();
      const t0 = h.until("master");
      h.clock.advance(300);
      h.rx("10.22.0.9", 0);
      h.clock.advance(1000);
      assertEquals(h.port.adverts.map((a) => a.at - t0), [0, 300, 1300]);
      assertEquals(h.inst.state, "master");
    },
  },
  {
    label:
      "§6.4.3 Master, higher priority received -> Backup: addresses removed, no priority 0, learned interval",
    run() {
      const h = harness();
      h.inst.start();
      const t0 = h.until("master");
      h.port.events.length = 0;
      h.clock.advance(100);
      h.rx("10.22.0.1", 200, { intervalCs: 50 });
      assertEquals(h.inst.state, "backup");
      assertEquals(h.port.events, ["remove 10.100.0.2/24"]);
      const t = h.inst.lastTransition!;
      assertEquals([t.cause, t.reason], [
        "higher-priority",
        "advert from 10.22.0.1 with higher priority 200 (ours 100)",
      ]);
      assertEquals(h.inst.masterAdverIntervalMs, 500);
      assertEquals(h.until("master") - t0 - 100, 1500 + 156 / 256 * 500);
    },
  },
  {
    label: "§6.4.3 Master, equal priority from a higher address -> Backup",
    run() {
      const h = harness();
      h.inst.start();
      h.until("master");
      h.rx("10.22.0.6", 100);
      assertEquals(h.inst.state, "backup");
      assertEquals(h.inst.lastTransition!.cause, "higher-address");
    },
  },
  {
    label: "§6.4.3 Master, equal priority from a lower address: stays Master (answers, keepalived)",
    run() {
      const h = harness();
      h.inst.start();
      const t0 = h.until("master");
      h.clock.advance(200);
      h.rx("10.22.0.4", 100);
      assertEquals(h.inst.state, "master");
      assertEquals(h.port.adverts.map((a) => a.at - t0), [0, 200]);
    },
  },
  {
    label:
      "§6.4.3 Master, lower priority: stays Master; advert + GARP reply at most once per second",
    run() {
      const h = harness({ advertisementIntervalMs: 100 });
      h.inst.start();
      const t0 = h.until("master");
      h.port.events.length = 0;
      h.clock.advance(50);
      h.rx("10.22.0.9", 50);
      h.clock.advance(10);
      h.rx("10.22.0.9", 50);
      assertEquals(h.port.events, ["advert 100", "announce 5"]);
      h.clock.advance(1000);
      h.rx("10.22.0.9", 50);
      assertEquals(h.inst.state, "master");
      assertEquals(h.port.announcements.map((a) => a.at - t0), [0, 50, 1060]);
    },
  },
  {
    label: "§6.4.3 Master, lower priority with lowerPriorityReply false: discarded (RFC strict)",
    run() {
      const h = harness({ lowerPriorityReply: false });
      h.inst.start();
      h.until("master");
      h.port.events.length = 0;
      h.rx("10.22.0.9", 50);
      assertEquals(h.port.events, []);
      assertEquals(h.inst.state, "master");
    },
  },
  {
    label: "§6.4.3 Shutdown in Master: priority 0 advert, addresses removed, Initialize, silence",
    run() {
      const h = harness();
      h.inst.start();
      h.until("master");
      h.port.events.length = 0;
      h.inst.stop();
      assertEquals(h.port.events, ["advert 0", "remove 10.100.0.2/24"]);
      assertEquals(h.inst.state, "initialize");
      assertEquals(h.inst.lastTransition!.cause, "shutdown");
      assertEquals(h.inst.counters.priorityZeroSent, 1);
      h.clock.advance(10_000);
      assertEquals(h.port.events.length, 2);
      assertEquals(h.clock.pending, 0);
    },
  },
  {
    label: "§6.4.2 Shutdown in Backup: Initialize, nothing sent, timer cancelled",
    run() {
      const h = harness();
      h.inst.start();
      h.inst.stop();
      assertEquals([h.inst.state, h.port.events, h.clock.pending], ["initialize", [], 0]);
    },
  },
  {
    label: "§6.4.1 Initialize: adverts are not processed",
    run() {
      const h = harness();
      h.rx("10.22.0.9", 200);
      assertEquals(h.inst.counters.drops.inactive, 1);
      assertEquals(h.inst.counters.advertsReceived, 0);
    },
  },
  {
    label: "§7.1 the address owner discards adverts, even priority 255 ones (warned once)",
    run() {
      const h = harness({ priority: 255 });
      h.inst.start();
      h.rx("10.22.0.9", 255);
      h.rx("10.22.0.9", 255);
      h.rx("10.22.0.9", 0);
      assertEquals([h.inst.state, h.inst.counters.drops.owner], ["master", 3]);
      assertEquals(h.hub.recent({ level: "warn" }).length, 1);
    },
  },
  {
    label: "§7.1 a different address list is dropped unless the sender is the owner",
    run() {
      const h = harness();
      h.inst.start();
      h.rx("10.22.0.9", 200, { addresses: ["10.100.0.3"] });
      h.rx("10.22.0.9", 200, { addresses: ["10.100.0.2", "10.100.0.3"] });
      assertEquals(h.inst.counters.drops.addresses, 2);
      assertEquals(h.inst.master, undefined);
      h.rx("10.22.0.9", 255, { addresses: ["10.100.0.3"] });
      assertEquals(h.inst.master?.priority, 255);
    },
  },
  {
    label: "§7.1 our own advert looped back is dropped; a checksum error is counted",
    run() {
      const h = harness();
      h.inst.start();
      h.until("master");
      const mine = h.port.adverts[0]!;
      h.inst.receive(mine.message, mine.src, VRRP_GROUP_V4, 255);
      assertEquals(h.inst.counters.drops.own, 1);
      const bad = peerAdvert({ src: "10.22.0.9", priority: 200 });
      bad.message[7]! ^= 0xff;
      h.inst.receive(bad.message, bad.src, bad.dst, 255);
      h.inst.receive(peerAdvert({ src: "10.22.0.9", priority: 200 }).message, bad.src, bad.dst, 64);
      h.inst.receive(
        peerAdvert({ src: "10.22.0.9", priority: 200, vrid: 2 }).message,
        bad.src,
        bad.dst,
        255,
      );
      assertEquals([
        h.inst.counters.drops.checksum,
        h.inst.counters.drops.ttl,
        h.inst.counters.drops.vrid,
      ], [1, 1, 1]);
      assertEquals(h.inst.state, "master");
    },
  },
  {
    label: "§6.4.2 timers restart from an advert's arrival, not from when it was read",
    run() {
      const h = harness();
      h.inst.start();
      h.clock.advance(1000);
      // Read 30 ms after it arrived: Master_Down_Interval counts from the arrival.
      const a = peerAdvert({ src: "10.22.0.9", priority: 200 });
      h.inst.receive(a.message, a.src, a.dst, 255, h.clock.now() - 30);
      assertEquals(h.inst.masterDownDue, 1000 - 30 + MDI_100);
      // A priority-0 advert read 5 ms late: Skew_Time from the arrival.
      const z = peerAdvert({ src: "10.22.0.9", priority: 0 });
      h.clock.advance(500);
      h.inst.receive(z.message, z.src, z.dst, 255, h.clock.now() - 5);
      assertEquals(h.until("master"), 1500 - 5 + skewTimeMs(100, 1000));
      // An arrival time in the future is taken as now.
      const h2 = harness();
      h2.inst.start();
      h2.inst.receive(a.message, a.src, a.dst, 255, 50);
      assertEquals(h2.inst.masterDownDue, MDI_100);
    },
  },
];

Deno.test("vrrp instance: RFC 5798 §6 state machine", async (t) => {
  for (const c of CASES) await t.step(c.label, () => c.run());
});
