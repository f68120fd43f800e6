/**
 * VRRP instances on fake wires under a fake clock: elections, failovers,
 * sync groups across two links driving HA groups, and keepalived 2.2.7 as
 * the peer, replayed from the lab captures (its advert bytes at their
 * captured times) and scripted from its captured packets.
 */
import { assert, assertEquals } from "./assert.ts";
import { FakeLan } from "./vrrp_lan.ts";
import { readVrrpCapture, type VrrpCaptureName } from "./vrrp_captures.ts";
import { toHex } from "./pcap.ts";
import { FakeClock } from "../core/clock.ts";
import { formatIp, type InterfaceAddress, parseInterfaceAddress, parseIp } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { HaGroupRegistry, type HaStateChange } from "../ha/group.ts";
import { masterDownIntervalMs, VrrpGroup, VrrpInstance } from "../vrrp/mod.ts";
import { type RecordingPort, referenceVrrp } from "./vrrp_fakes.ts";

interface NodeSpec {
  name: string;
  src: string;
  priority: number;
  intervalMs?: number;
  vips?: string[];
  vrid?: number;
  preempt?: boolean;
}

function lan(specs: NodeSpec[], latencyMs = 0.05) {
  const clock = new FakeClock();
  const hub = new LogHub({ wallNow: () => clock.wallNow() });
  const wire = new FakeLan(clock, latencyMs);
  const nodes = new Map<string, { inst: VrrpInstance; port: RecordingPort }>();
  /** Monotonic time and state of every transition, per node. */
  const log: { at: number; node: string; to: string }[] = [];
  for (const s of specs) {
    const port = wire.port(s.name);
    const inst = new VrrpInstance({
      name: s.name,
      linkInterface: "eth1",
      vrid: s.vrid ?? 78,
      priority: s.priority,
      advertisementIntervalMs: s.intervalMs ?? 1000,
      virtualAddresses: (s.vips ?? ["10.78.0.10/24"]).map(parseInterfaceAddress),
      primaryAddress: parseIp(s.src),
      ...(s.preempt === undefined ? {} : { preempt: s.preempt }),
    }, { clock, log: hub.logger("vrrp"), port });
    wire.bind(s.name, inst);
    inst.onTransition((t) => log.push({ at: clock.now(), node: s.name, to: t.to }));
    nodes.set(s.name, { inst, port });
  }
  const n = (name: string) => nodes.get(name)!.inst;
  /** Longest time two nodes were master at once, in ms. */
  const dualMaster = () => {
    const masters = new Set<string>();
    let worst = 0;
    let since = 0;
    for (const e of log) {
      const before = masters.size;
      if (e.to === "master") masters.add(e.node);
      else masters.delete(e.node);
      if (before < 2 && masters.size >= 2) since = e.at;
      if (before >= 2 && masters.size < 2) worst = Math.max(worst, e.at - since);
    }
    return worst;
  };
  /** Starts the named nodes (all when none is named). */
  const startAll = (...names: string[]) => {
    for (const name of names.length ? names : [...nodes.keys()]) n(name).start();
  };
  return { clock, wire, nodes, n, log, dualMaster, startAll };
}

/** keepalived's r1 and r2 of the lab captures. */
const R1: NodeSpec = { name: "r1", src: "10.78.0.1", priority: 200 };
const R2: NodeSpec = { name: "r2", src: "10.78.0.2", priority: 100 };

const MDI = (prio: number, ms = 1000) => masterDownIntervalMs(prio, ms);

/** Equality of times up to float rounding (1 ns). */
function assertNear(actual: number, expected: number, msg = ""): void {
  assert(Math.abs(actual - expected) < 1e-6, `${msg} ${actual} is not ${expected}`);
}

Deno.test("vrrp wire: two routers elect the higher priority, once, and keep it", () => {
  const l = lan([R1, R2]);
  l.startAll();
  l.clock.advance(60_000);
  assertEquals([l.n("r1").state, l.n("r2").state], ["master", "backup"]);
  assertEquals(l.log.filter((e) => e.to === "master").map((e) => [e.node, e.at]), [[
    "r1",
    MDI(200),
  ]]);
  assertEquals(l.n("r2").master?.priority, 200);
  // r1 advertised once a second from its takeover on.
  const sent = l.wire.frames.filter((f) => f.from === "r1");
  assertEquals(sent.length, Math.floor((60_000 - MDI(200)) / 1000) + 1);
});

Deno.test("vrrp wire: hard failure: the backup takes over 3 x interval + skew after the last advert", () => {
  const l = lan([R1, R2]);
  l.startAll();
  l.clock.advance(10_000);
  l.wire.detach("r1"); // crash: silence, no priority 0
  const last = l.wire.frames.filter((f) => f.from === "r1").at(-1)!.at;
  l.clock.advance(10_000);
  const t = l.log.find((e) => e.node === "r2" && e.to === "master")!.at;
  assertNear(t - last, 0.05 + MDI(100));
});

Deno.test("vrrp wire: graceful stop: priority 0, the backup takes over after its skew time", () => {
  const l = lan([R1, R2]);
  l.startAll();
  l.clock.advance(10_000);
  const t0 = l.clock.now();
  l.n("r1").stop();
  l.clock.advance(5000);
  const t = l.log.find((e) => e.node === "r2" && e.to === "master")!.at;
  assertNear(t - t0, 0.05 + 609.375);
  assertEquals(l.nodes.get("r2")!.port.active.has("10.78.0.10/24"), true);
  assertEquals(l.nodes.get("r1")!.port.active.size, 0);
});

Deno.test("vrrp wire: the higher priority comes back and preempts; never two masters for longer than one hop", () => {
  const l = lan([R1, R2]);
  l.n("r2").start();
  l.clock.advance(10_000);
  assertEquals(l.n("r2").state, "master");
  const t0 = l.clock.now();
  l.n("r1").start();
  l.clock.advance(10_000);
  assertEquals([l.n("r1").state, l.n("r2").state], ["master", "backup"]);
  const r1m = l.log.find((e) => e.node === "r1" && e.to === "master")!.at;
  assertEquals(r1m - t0, MDI(200));
  assert(l.dualMaster() <= 0.05 + 1e-9, `two masters for ${l.dualMaster()} ms`);
  // Without preemption r1 stays backup.
  const np = lan([{ ...R1, preempt: false }, R2]);
  np.n("r2").start();
  np.clock.advance(10_000);
  np.n("r1").start();
  np.clock.advance(60_000);
  assertEquals([np.n("r1").state, np.n("r2").state], ["backup", "master"]);
});

Deno.test("vrrp wire: equal priorities started together: the higher address wins (§6.4.3)", () => {
  const l = lan([{ ...R1, name: "a", priority: 100 }, { ...R2, name: "b" }]);
  l.startAll();
  l.clock.advance(30_000);
  assertEquals([l.n("a").state, l.n("b").state], ["backup", "master"]);
  assertEquals(l.n("a").lastTransition!.cause, "higher-address");
  assert(l.dualMaster() <= 0.05 + 1e-9);
});

Deno.test("vrrp wire: 10 ms adverts: failover in 30 ms + skew, 100 adverts a second", () => {
  const l = lan([{ ...R1, intervalMs: 10 }, { ...R2, intervalMs: 10 }], 0.02);
  l.startAll();
  l.clock.advance(1000);
  const t1 = l.clock.now();
  l.clock.advance(1000);
  assertEquals(l.wire.frames.filter((f) => f.from === "r1" && f.at > t1).length, 100);
  l.wire.detach("r1");
  const last = l.wire.frames.filter((f) => f.from === "r1").at(-1)!.at;
  l.clock.advance(1000);
  const t = l.log.find((e) => e.node === "r2" && e.to === "master")!.at;
  assertNear(t - last, 0.02 + MDI(100, 10));
  assert(t - last < 37);
});

Deno.test("vrrp wire: three routers: the best backup (highest priority) takes over first and alone", () => {
  const l = lan([
    { name: "r1", src: "10.78.0.1", priority: 250 },
    { name: "r2", src: "10.78.0.2", priority: 150 },
    { name: "r3", src: "10.78.0.3", priority: 100 },
  ]);
  l.startAll();
  l.clock.advance(10_000);
  l.wire.detach("r1");
  l.clock.advance(20_000);
  assertEquals([l.n("r2").state, l.n("r3").state], ["master", "backup"]);
  assertEquals(l.log.filter((e) => e.node === "r3" && e.to === "master").length, 0);
});

// ---------------------------------------------------------------------------
// The reference topology: ha1 and ha2, each with vrrp51 (eth1) and vrrp52
// (eth2) in vrrp group group1 notifying ha-group1.

function reference() {
  const clock = new FakeClock();
  const hub = new LogHub({ wallNow: () => clock.wallNow() });
  const eth1 = new FakeLan(clock);
  const eth2 = new FakeLan(clock);
  const side = (node: string, host: number, priority: number) => {
    const mk = (which: 51 | 52, wire: FakeLan) => {
      const port = wire.port(node);
      const inst = new VrrpInstance(referenceVrrp(which, host, { priority }), {
        clock,
        log: hub.logger("vrrp"),
        port,
      });
      wire.bind(node, inst);
      return inst;
    };
    const v51 = mk(51, eth1);
    const v52 = mk(52, eth2);
    const group = new VrrpGroup("group1", { clock, log: hub.logger("vrrp") });
    group.addMember(v51);
    group.addMember(v52);
    const ha = new HaGroupRegistry(clock, hub.logger("ha"));
    ha.create("ha-group1");
    ha.attach("ha-group1", group);
    const changes: (HaStateChange & { mono: number })[] = [];
    ha.listen("ha-group1", "ike vrf main", (c) => changes.push({ ...c, mono: clock.now() }));
    return { v51, v52, group, ha, changes };
  };
  const ha1 = side("ha1", 1, 100);
  const ha2 = side("ha2", 2, 100);
  /** Whether both nodes' HA groups were master at once at any instant. */
  const bothHaMaster = () => {
    const ev = [
      ...ha1.changes.map((c) => ({ t: c.mono, n: 1, s: c.state })),
      ...ha2.changes.map((c) => ({ t: c.mono, n: 2, s: c.state })),
    ].sort((a, b) => a.t - b.t);
    const st = { 1: "backup", 2: "backup" } as Record<number, string>;
    let worst = 0;
    let since = -1;
    for (const e of ev) {
      st[e.n] = e.s;
      const both = st[1] === "master" && st[2] === "master";
      if (both && since < 0) since = e.t;
      if (!both && since >= 0) {
        worst = Math.max(worst, e.t - since);
        since = -1;
      }
    }
    return worst;
  };
  const startAll = () => {
    for (const s of [ha1, ha2]) {
      s.v51.start();
      s.v52.start();
    }
  };
  return { clock, eth1, eth2, ha1, ha2, bothHaMaster, startAll };
}

Deno.test("vrrp wire: reference ha1/ha2: equal priorities, ha2 (higher addresses) becomes the HA master", () => {
  const r = reference();
  r.startAll();
  r.clock.advance(20_000);
  assertEquals([r.ha1.group.state, r.ha2.group.state], ["backup", "master"]);
  assertEquals(r.ha1.ha.get("ha-group1")!.state, "backup");
  assertEquals(r.ha2.changes.map((c) => [c.seq, c.state]), [[1, "master"]]);
  assert(r.bothHaMaster() <= 0.05 + 1e-9, `both HA master for ${r.bothHaMaster()} ms`);
});

Deno.test("vrrp wire: reference ha1/ha2: ha2 loses eth2: its group faults, ha1 takes both VIPs and the HA role", () => {
  const r = reference();
  r.startAll();
  r.clock.advance(20_000);
  const t0 = r.clock.now();
  r.eth2.detach("ha2");
  r.ha2.v52.linkDown();
  r.clock.advance(20_000);
  assertEquals([r.ha2.group.state, r.ha1.group.state], ["fault", "master"]);
  assertEquals([r.ha1.v51.state, r.ha1.v52.state], ["master", "master"]);
  // ha2 resigned vrrp51 with priority 0: ha1's vrrp51 was ready after its skew
  // time; vrrp52 heard nothing and waited the full Master_Down_Interval.
  const took = r.ha1.changes.at(-1)!;
  assertEquals(took.state, "master");
  assert(took.mono - t0 <= 0.05 + MDI(100), `${took.mono - t0}`);
  assertEquals(r.ha2.changes.map((c) => c.state), ["master", "backup"]);
  assertEquals(r.ha2.changes[1]!.mono, t0);
  assert(took.mono > t0, "ha1 became HA master before ha2 left it");
  // eth2 back on ha2: it starts again as backup; ha1 keeps the role (equal priority, no preemption by address).
  r.eth2.attach("ha2");
  r.ha2.v52.linkUp();
  r.clock.advance(30_000);
  assertEquals([r.ha2.group.state, r.ha1.group.state], ["backup", "master"]);
});

// ---------------------------------------------------------------------------
// keepalived 2.2.7 as the peer, from the lab captures.

interface Replay {
  file: VrrpCaptureName;
  /** Our side plays this node of the capture. */
  ours: string;
  priority: number;
  intervalMs: number;
  vips: string[];
  vrid: number;
  /** How much earlier than keepalived's node we may take over (its scheduler adds a little). */
  toleranceMs: number;
}

/** keepalived's r2 (10.78.0.2, priority 100) in the vrid 78 captures. */
const R78 = {
  ours: "10.78.0.2",
  priority: 100,
  intervalMs: 1000,
  vips: ["10.78.0.10/24"],
  vrid: 78,
  toleranceMs: 5,
};

const REPLAYS: Replay[] = [
  { ...R78, file: "keepalived-2.2.7-vrrpv3-adv1s-hard.pcap" },
  { ...R78, file: "keepalived-2.2.7-vrrpv3-adv1s-graceful.pcap" },
  { ...R78, file: "keepalived-2.2.7-vrrpv3-adv100ms-hard.pcap", intervalMs: 100 },
  { ...R78, file: "keepalived-2.2.7-vrrpv3-adv100ms-graceful.pcap", intervalMs: 100 },
  // In this run keepalived took over 4417 ms after the last advert, 808 ms
  // past its own Master_Down_Interval (the lab README's 3967 ms for the
  // same case, one run, shows it too); we take over at the RFC time.
  { ...R78, file: "keepalived-2.2.7-vrrpv3-adv1s-vmac-hard.pcap", toleranceMs: 810 },
  { ...R78, file: "keepalived-2.2.7-vrrpv3-adv1s-vmac-graceful.pcap" },
  {
    ...R78,
    file: "keepalived-2.2.7-vrrpv3-ipv6-adv1s-graceful.pcap",
    ours: "fe80::344f:dbff:fefe:9ad2",
    vips: ["fe80::78/64", "2001:db8:78::10/64"],
  },
  {
    ...R78,
    file: "keepalived-2.2.7-vrrpv3-vrid77-2vips-nodecrash.pcap",
    ours: "10.77.0.12",
    vips: ["10.77.0.10/24", "10.77.1.1/24"],
    vrid: 77,
  },
];

for (const rp of REPLAYS) {
  Deno.test(`vrrp wire: keepalived replay ${rp.file}: same decisions, same bytes, same takeover time`, () => {
    const { adverts } = readVrrpCapture(rp.file);
    const peer = adverts.filter((a) => formatIp(a.src) !== rp.ours);
    const theirs = adverts.filter((a) => formatIp(a.src) === rp.ours);
    const clock = new FakeClock();
    const hub = new LogHub();
    const wire = new FakeLan(clock, 0);
    const port = wire.port("tandem");
    const inst = new VrrpInstance({
      name: "vrrp78",
      linkInterface: "eth1",
      vrid: rp.vrid,
      priority: rp.priority,
      advertisementIntervalMs: rp.intervalMs,
      virtualAddresses: rp.vips.map((v): InterfaceAddress => parseInterfaceAddress(v)),
      primaryAddress: parseIp(rp.ours),
    }, { clock, log: hub.logger("vrrp"), port });
    const masters: number[] = [];
    inst.onTransition((t) => t.to === "master" && masters.push(clock.now()));
    // Capture time 0 is OFFSET on our clock. We start one Master_Down_Interval
    // before keepalived's node sent its first advert as master, or before the
    // peer's first advert if that is earlier (the node was backup from the start).
    const OFFSET = 10_000;
    const mdi = MDI(rp.priority, rp.intervalMs);
    const firstOurs = theirs[0]!.timeUs / 1000;
    const firstPeer = peer[0]!.timeUs / 1000;
    clock.advance(OFFSET + Math.min(firstOurs - mdi, firstPeer - 1));
    inst.start();
    for (const a of peer) {
      clock.advance(OFFSET + a.timeUs / 1000 - clock.now());
      inst.receive(a.message, a.src, a.dst, a.ttl);
    }
    clock.advance(3 * mdi);
    assertEquals(inst.counters.advertsReceived, peer.length);
    assertEquals(Object.values(inst.counters.drops).reduce((a, b) => a + b, 0), 0);
    // Every advert we sent is byte for byte what keepalived's node sent.
    const want = new Set(theirs.filter((a) => a.message[2] !== 0).map((a) => toHex(a.message)));
    assertEquals(want.size, 1);
    for (const s of port.adverts) assert(want.has(toHex(s.message)), `advert ${toHex(s.message)}`);
    // We take over at the RFC time after the peer's last advert (skew time
    // after a priority 0), never later than keepalived's node, and at most
    // toleranceMs earlier.
    const lastPeer = peer.at(-1)!.timeUs / 1000;
    const graceful = peer.at(-1)!.message[2] === 0;
    const theirTakeover = theirs.find((a) => a.timeUs / 1000 > lastPeer)!.timeUs / 1000;
    const ourTakeover = masters.at(-1)! - OFFSET;
    const rfc = graceful ? (256 - rp.priority) / 256 * rp.intervalMs : mdi;
    assertNear(ourTakeover - lastPeer, rfc, "takeover delay");
    assert(
      ourTakeover <= theirTakeover + 0.5 && theirTakeover - ourTakeover <= rp.toleranceMs,
      `takeover at ${ourTakeover} ms, keepalived at ${theirTakeover} ms`,
    );
    // In between, while the peer was master, we sent nothing.
    const peerMaster = peer[0]!.timeUs / 1000;
    assertEquals(
      port.adverts.filter((s) => s.at - OFFSET > peerMaster && s.at - OFFSET < lastPeer).length,
      0,
    );
    assertEquals(inst.lastTransition!.reason.includes("resigned (priority 0)"), graceful);
  });
}

Deno.test("vrrp wire: a keepalived-like peer scripted from captured packets preempts us and hands back gracefully", () => {
  // keepalived's r1 (10.78.0.1, priority 200) from the 1 s graceful capture:
  // its advert and its priority-0 advert, sent on the fake wire by script.
  const { adverts } = readVrrpCapture("keepalived-2.2.7-vrrpv3-adv1s-graceful.pcap");
  const r1 = adverts.filter((a) => formatIp(a.src) === "10.78.0.1");
  const hello = r1.find((a) => a.message[2] === 200)!;
  const bye = r1.find((a) => a.message[2] === 0)!;
  const clock = new FakeClock();
  const wire = new FakeLan(clock);
  const port = wire.port("tandem");
  const inst = new VrrpInstance({
    name: "vrrp78",
    linkInterface: "eth1",
    vrid: 78,
    priority: 100,
    virtualAddresses: [parseInterfaceAddress("10.78.0.10/24")],
    primaryAddress: parseIp("10.78.0.2"),
  }, { clock, log: new LogHub().logger("vrrp"), port });
  wire.bind("tandem", inst);
  const heard: number[] = [];
  wire.listen("keepalived", { receive: (m) => heard.push(m[2]!) });
  inst.start();
  clock.advance(10_000);
  assertEquals(inst.state, "master");
  // keepalived starts: as a backup it hears our lower priority and preempts
  // after its own Master_Down_Interval, then advertises every second.
  clock.advance(MDI(200));
  for (let i = 0; i < 5; i++) {
    wire.send("keepalived", hello.message, hello.src);
    clock.advance(1000);
  }
  assertEquals([inst.state, inst.master?.priority], ["backup", 200]);
  assertEquals(port.active.size, 0);
  // SIGTERM: its priority-0 advert; we are master again after our skew time.
  const t0 = clock.now();
  wire.send("keepalived", bye.message, bye.src);
  clock.advance(2000);
  assertEquals(inst.state, "master");
  assertEquals(inst.counters.priorityZeroReceived, 1);
  const back = port.adverts.find((a) => a.at > t0)!.at - t0;
  assertNear(back, 0.05 + 609.375);
  // What keepalived heard from us: 100s, nothing while it was master, then 100s again.
  assert(heard.every((p) => p === 100));
});
