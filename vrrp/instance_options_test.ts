/**
 * VRRP instance behaviour around the RFC's state machine: intervals down to
 * 10 ms and their rounding, preempt-delay, startup delay, link tracking,
 * GARP bursts, run-time priority, accept mode, IPv6, configuration errors.
 */
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { ip, peerAdvert } from "../tests/vrrp_fakes.ts";
import { type Case, harness, MDI_100, MDI_200 } from "../tests/vrrp_harness.ts";
import { parseInterfaceAddress, parseIp } from "../core/ip.ts";
import { VRRP_TRANSITIONS } from "./state.ts";

const CASES: Case[] = [
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

Deno.test("vrrp instance: timers, delays, link tracking, GARP, configuration", async (t) => {
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
