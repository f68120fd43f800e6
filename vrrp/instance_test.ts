/**
 * The RFC 5798 §6 state machine under a fake clock: one labelled case per
 * transition and timer rule. Times are in ms from `start()`.
 */
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { ip, peerAdvert, RecordingPort, referenceVrrp } from "../tests/vrrp_fakes.ts";
import { FakeClock } from "../core/clock.ts";
import { parseInterfaceAddress, parseIp } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { masterDownIntervalMs, skewTimeMs, type VrrpInstanceConfig } from "./config.ts";
import { VrrpInstance } from "./instance.ts";
import { VRRP_GROUP_V4 } from "./packet.ts";
import { VRRP_TRANSITIONS, type VrrpTransition } from "./state.ts";

function harness(over: Partial<VrrpInstanceConfig> = {}) {
  const clock = new FakeClock();
  const hub = new LogHub({ wallNow: () => clock.wallNow(), level: "detail" });
  const port = new RecordingPort(clock);
  const inst = new VrrpInstance(referenceVrrp(51, 5, over), {
    clock,
    log: hub.logger("vrrp"),
    port,
  });
  const transitions: VrrpTransition[] = [];
  /** Monotonic time of each transition. */
  const times: number[] = [];
  inst.onTransition((t) => {
    transitions.push(t);
    times.push(clock.now());
  });
  /** Delivers a peer advert now. */
  const rx = (
    src: string,
    priority: number,
    opts: { intervalCs?: number; addresses?: string[] } = {},
  ) => {
    const a = peerAdvert({ src, priority, ...opts });
    inst.receive(a.message, a.src, a.dst, a.ttl);
  };
  /** Delivers a peer advert every `everyMs` from now for `forMs`, advancing the clock. */
  const peer = (
    src: string,
    priority: number,
    everyMs: number,
    forMs: number,
    intervalCs = 100,
  ) => {
    const end = clock.now() + forMs;
    while (clock.now() + everyMs <= end) {
      rx(src, priority, { intervalCs });
      clock.advance(everyMs);
    }
  };
  /** Runs the clock until the state changes (at most `limit` ms); returns the time of the change. */
  const until = (state: string, limit = 60_000) => {
    const start = clock.now();
    while (inst.state !== state) {
      const due = clock.nextDue();
      if (due === undefined || due - start > limit) throw new Error(`never ${state}`);
      clock.advance(due - clock.now());
    }
    return clock.now();
  };
  return { clock, hub, port, inst, rx, peer, until, transitions, times };
}

interface Case {
  label: string;
  run(): void;
}

const MDI_100 = 3000 + (156 / 256) * 1000; // 3609.375 ms: priority 100 at 1 s
const MDI_200 = 3000 + (56 / 256) * 1000; // 3218.75 ms: priority 200 at 1 s

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
    label:
      "10 ms interval: 1 cs on the wire, 101 adverts in a second; a 10 ms backup takes over in 30 ms + skew",
    run() {
      const h = harness({ advertisementIntervalMs: 10, priority: 255 });
      h.inst.start();
      h.clock.advance(1000);
      assertEquals(h.port.adverts.length, 101);
      assertEquals(h.port.adverts[0]!.message[5], 1);
      const b = harness({ advertisementIntervalMs: 10 });
      b.inst.start();
      b.peer("10.22.0.9", 200, 10, 100, 1);
      assertEquals(b.until("master") - 90, 30 + 156 / 256 * 10);
    },
  },
  {
    label: "interval rounding: 1005 ms is advertised as 101 cs and sent every 1010 ms",
    run() {
      const h = harness({ advertisementIntervalMs: 1005, priority: 255 });
      h.inst.start();
      h.clock.advance(2020);
      assertEquals(h.inst.config.advertisementIntervalMs, 1010);
      assertEquals(h.port.adverts.map((a) => [a.at, a.message[5]]), [[0, 101], [1010, 101], [
        2020,
        101,
      ]]);
      assertThrows(
        () => harness({ advertisementIntervalMs: 5 }),
        RangeError,
        'Cannot set "advertisement-interval": 5 is out of range 10..40950',
      );
    },
  },
  {
    label:
      "preempt-delay: a lower-priority master is accepted for the delay, then preempted after Master_Down_Interval",
    run() {
      const h = harness({ priority: 200, preemptDelayMs: 5000 });
      h.inst.start();
      h.clock.advance(100);
      h.peer("10.22.0.9", 100, 1000, 10_000);
      // Accepted at 100..4100; from 5100 on discarded; timer from 4100 runs out.
      assertEquals(h.inst.lastTransition!.to, "master");
      assertEquals(h.times.at(-1), 4100 + MDI_200);
      assertEquals(h.inst.counters.preemptDiscards, 3);
    },
  },
  {
    label: "preempt-delay: a higher-priority advert cancels a running delay",
    run() {
      const h = harness({ priority: 200, preemptDelayMs: 5000 });
      h.inst.start();
      h.rx("10.22.0.9", 100);
      assert(h.inst.preemptDeadline !== undefined);
      h.clock.advance(1000);
      h.rx("10.22.0.8", 250);
      assertEquals(h.inst.preemptDeadline, undefined);
    },
  },
  {
    label: "startup delay: Backup that listens, no takeover before delay + Master_Down_Interval",
    run() {
      const h = harness({ startupDelayMs: 5000 });
      h.inst.start();
      assertEquals(h.inst.state, "backup");
      assertEquals(h.until("master"), 5000 + MDI_100);
      const o = harness({ startupDelayMs: 5000, priority: 255 });
      o.inst.start();
      assertEquals([o.inst.state, o.until("master")], ["backup", 5000]);
      assertEquals(o.inst.lastTransition!.cause, "owner");
      // An advert heard during the delay still wins the election.
      const l = harness({ startupDelayMs: 5000 });
      l.inst.start();
      l.peer("10.22.0.9", 200, 1000, 20_000);
      assertEquals(l.inst.state, "backup");
    },
  },
  {
    label:
      "link down in Master: priority 0 tried, addresses removed, Initialize; link up: Backup again",
    run() {
      const h = harness();
      h.inst.start();
      h.until("master");
      h.port.events.length = 0;
      h.port.sendOk = false;
      h.inst.linkDown();
      assertEquals(h.port.events, ["advert 0", "remove 10.100.0.2/24"]);
      assertEquals([h.inst.state, h.inst.blockedBy], [
        "initialize",
        ["link-down"],
      ]);
      assertEquals(h.inst.counters.sendErrors, 1);
      h.rx("10.22.0.9", 50);
      assertEquals(h.inst.counters.drops.inactive, 1);
      h.port.sendOk = true;
      const t = h.clock.now();
      h.inst.linkUp();
      assertEquals([h.inst.state, h.inst.lastTransition!.reason], ["backup", "link eth1 up"]);
      assertEquals(h.until("master") - t, MDI_100);
    },
  },
  {
    label: "link down while stopped stays Initialize; both must clear before Startup",
    run() {
      const h = harness();
      h.inst.linkDown();
      h.inst.start();
      assertEquals(h.inst.state, "initialize");
      h.inst.linkUp();
      assertEquals(h.inst.state, "backup");
    },
  },
  {
    label:
      "GARP: 5 at once on becoming Master, 5 more after 5 s (keepalived defaults); refresh when set",
    run() {
      const h = harness({ priority: 255, garpRefreshMs: 60_000 });
      h.inst.start();
      h.clock.advance(130_000);
      assertEquals(h.port.announcements.map((a) => [a.at, a.count]), [[0, 5], [5000, 5], [
        60_000,
        1,
      ], [120_000, 1]]);
      const n = harness({ priority: 255, garpDelayMs: 0, garpRepeat: 1 });
      n.inst.start();
      n.clock.advance(10_000);
      assertEquals(n.port.announcements.map((a) => [a.at, a.count]), [[0, 1]]);
    },
  },
  {
    label: "GARP second burst is cancelled when Master is left before it",
    run() {
      const h = harness();
      h.inst.start();
      h.until("master");
      h.peer("10.22.0.9", 200, 1000, 8000);
      assertEquals(h.inst.state, "backup");
      assertEquals(h.port.announcements.length, 1);
    },
  },
  {
    label: "setPriority(255) on a Backup takes over at once; priorities are checked",
    run() {
      const h = harness();
      h.inst.start();
      h.peer("10.22.0.9", 200, 1000, 3000);
      h.inst.setPriority(255);
      assertEquals([h.inst.state, h.inst.lastTransition!.cause], ["master", "owner"]);
      assertEquals(h.port.adverts[0]!.priority, 255);
      assertThrows(
        () => h.inst.setPriority(0),
        RangeError,
        'Cannot set "priority": 0 is out of range 1..255',
      );
    },
  },
  {
    label: "accept mode off is passed to the port (an owner always accepts)",
    run() {
      const h = harness({ accept: false });
      h.inst.start();
      h.until("master");
      assertEquals(h.port.events[0], "add 10.100.0.2/24");
      const o = harness({ accept: false, priority: 255 });
      o.inst.start();
      assertEquals(o.port.events[0], "add 10.100.0.2/24 accept");
    },
  },
  {
    label: "states are data: the transition table of §6.4",
    run() {
      assertEquals(VRRP_TRANSITIONS, {
        initialize: ["backup", "master"],
        backup: ["master", "initialize"],
        master: ["backup", "initialize"],
      });
      const h = harness();
      h.inst.start();
      h.until("master");
      h.rx("10.22.0.9", 200);
      h.inst.stop();
      const log = h.hub.recent({ subsystem: "vrrp", level: "audit" }).map((r) => r.message);
      assertEquals(log, [
        "vrrp vrrp51: initialize -> backup (startup: started)",
        "vrrp vrrp51: backup -> master (master-down: no advertisement for 3609.375 ms)",
        "vrrp vrrp51: master -> backup (higher-priority: advert from 10.22.0.9 with higher priority 200 (ours 100))",
        "vrrp vrrp51: backup -> initialize (shutdown: stopped)",
      ]);
      assertEquals(h.inst.counters.transitions, 4);
    },
  },
  {
    label: "configuration errors in the project's voice",
    run() {
      assertThrows(
        () => harness({ vrid: 0 }),
        RangeError,
        'Cannot set "vrid": 0 is out of range 1..255',
      );
      assertThrows(
        () => harness({ priority: 256 }),
        RangeError,
        'Cannot set "priority": 256 is out of range 1..255',
      );
      assertThrows(
        () => harness({ virtualAddresses: [] }),
        RangeError,
        'it has no "virtual-address"',
      );
      assertThrows(
        () =>
          harness({
            virtualAddresses: [
              parseInterfaceAddress("10.1.1.1/24"),
              parseInterfaceAddress("2001:db8::1/64"),
            ],
          }),
        RangeError,
        "an instance is IPv4 or IPv6 (RFC 5798 §1), not both",
      );
      assertThrows(() => harness({ name: "vrrp-name-too-long" }), RangeError, "1..15 letters");
    },
  },
];

Deno.test("vrrp instance: RFC 5798 §6 state machine", async (t) => {
  for (const c of CASES) await t.step(c.label, () => c.run());
});

Deno.test("vrrp instance: IPv6 instance advertises from its link-local address to ff02::12", () => {
  const h = harness({
    virtualAddresses: [
      parseInterfaceAddress("fe80::1/64"),
      parseInterfaceAddress("2001:db8::1/64"),
    ],
    primaryAddress: parseIp("fe80::5"),
    priority: 255,
  });
  h.inst.start();
  const a = h.port.adverts[0]!;
  assertEquals([ip(a.src), a.message.length, a.message[3]], ["fe80::5", 40, 2]);
  assertEquals(h.hub.recent({ level: "warn" }).length, 0);
  const w = harness({
    virtualAddresses: [parseInterfaceAddress("2001:db8::1/64")],
    primaryAddress: parseIp("fe80::5"),
  });
  assertEquals(w.hub.recent({ level: "warn" }).map((r) => r.message), [
    "vrrp vrrp51: the first IPv6 virtual address should be link-local (RFC 5798 §5.2.9)",
  ]);
  const b = peerAdvert({ src: "fe80::9", priority: 200, addresses: ["fe80::1", "2001:db8::1"] });
  h.inst.setPriority(100);
  h.inst.receive(b.message, b.src, b.dst, 255);
  assertEquals(h.inst.state, "backup");
});
