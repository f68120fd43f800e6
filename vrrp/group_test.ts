import { assertEquals, assertThrows } from "../tests/assert.ts";
import { peerAdvert, RecordingPort } from "../tests/vrrp_fakes.ts";
import { FakeClock } from "../core/clock.ts";
import { parseInterfaceAddress, parseIp } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { HaGroupRegistry, type HaStateChange } from "../ha/group.ts";
import { instanceHaController, VrrpGroup } from "./group.ts";
import { VrrpInstance } from "./instance.ts";

const MDI_100 = 3000 + (156 / 256) * 1000;

function lab(names = ["vrrp51", "vrrp52"]) {
  const clock = new FakeClock();
  const hub = new LogHub({ wallNow: () => clock.wallNow() });
  const ports = new Map<string, RecordingPort>();
  const inst = (name: string, i: number, priority = 100) => {
    const port = new RecordingPort(clock);
    ports.set(name, port);
    return new VrrpInstance({
      name,
      linkInterface: `eth${i + 1}`,
      vrid: 1,
      priority,
      virtualAddresses: [parseInterfaceAddress(`10.${100 + i}.0.2/24`)],
      primaryAddress: parseIp(`10.${22 + i}.0.1`),
    }, { clock, log: hub.logger("vrrp"), port });
  };
  const members = names.map((n, i) => inst(n, i));
  const group = new VrrpGroup("group1", { clock, log: hub.logger("vrrp") });
  for (const m of members) group.addMember(m);
  const reg = new HaGroupRegistry(clock, hub.logger("ha"));
  reg.create("ha-group1");
  reg.attach("ha-group1", group);
  const ha: HaStateChange[] = [];
  reg.listen("ha-group1", "ike vrf main", (c) => ha.push(c));
  /** A peer advert on member i's link. */
  const rx = (i: number, priority: number) => {
    const a = peerAdvert({ src: `10.${22 + i}.0.2`, priority, addresses: [`10.${100 + i}.0.2`] });
    members[i]!.receive(a.message, a.src, a.dst, a.ttl);
  };
  const states = () => members.map((m) => m.state);
  return { clock, hub, ports, members, group, reg, ha, rx, states, inst };
}

Deno.test("vrrp group: members become master together, when the last one is ready", () => {
  const l = lab();
  l.members.forEach((m) => m.start());
  assertEquals([l.group.state, l.states()], ["backup", ["backup", "backup"]]);
  l.clock.advance(MDI_100);
  assertEquals([l.group.state, l.states()], ["master", ["master", "master"]]);
  assertEquals(l.ha.map((c) => [c.seq, c.state]), [[1, "master"]]);
  // Each member advertised on its own link.
  assertEquals([...l.ports.values()].map((p) => p.adverts.length), [1, 1]);
});

Deno.test("vrrp group: a member whose peer is alive holds the others in backup (no partial master)", () => {
  const l = lab();
  l.members.forEach((m) => m.start());
  // The peer is master of vrrp51 only (its vrrp52 side is silent).
  for (let t = 0; t < 10_000; t += 1000) {
    l.rx(0, 200);
    l.clock.advance(1000);
  }
  assertEquals([l.group.state, l.states()], ["backup", ["backup", "backup"]]);
  assertEquals(l.members[1]!.wantsMaster, true);
  assertEquals(l.ha, []);
  // The peer resigns vrrp51: it takes over after its skew time, and vrrp52 with it.
  l.rx(0, 0);
  l.clock.advance(609.375);
  assertEquals([l.group.state, l.states()], ["master", ["master", "master"]]);
  assertEquals(l.ha.map((c) => c.state), ["master"]);
});

Deno.test("vrrp group: one member sees a better master, all go backup without priority 0", () => {
  const l = lab();
  l.members.forEach((m) => m.start());
  l.clock.advance(MDI_100);
  const p52 = l.ports.get("vrrp52")!;
  p52.events.length = 0;
  l.rx(0, 200);
  assertEquals([l.group.state, l.states()], ["backup", ["backup", "backup"]]);
  assertEquals(p52.events, ["remove 10.101.0.2/24"]);
  assertEquals(l.members[1]!.lastTransition!.cause, "group");
  assertEquals(l.ha.map((c) => [c.seq, c.state]), [[1, "master"], [2, "backup"]]);
  assertEquals(
    l.ha[1]!.reason,
    "vrrp group group1: vrrp51 master -> backup: advert from 10.22.0.2 with higher priority 200 (ours 100)",
  );
});

Deno.test("vrrp group: a member's link fails: fault, the others resign with priority 0; recovery re-elects", () => {
  const l = lab();
  l.members.forEach((m) => m.start());
  l.clock.advance(MDI_100);
  const p51 = l.ports.get("vrrp51")!;
  p51.events.length = 0;
  l.members[1]!.linkDown();
  assertEquals([l.group.state, l.states()], ["fault", ["initialize", "initialize"]]);
  assertEquals(p51.events, ["advert 0", "remove 10.100.0.2/24"]);
  assertEquals(l.members[0]!.blockedBy, ["group"]);
  assertEquals(l.ha.map((c) => c.state), ["master", "backup"]);
  l.clock.advance(10_000);
  assertEquals(l.states(), ["initialize", "initialize"]);
  const t = l.clock.now();
  l.members[1]!.linkUp();
  assertEquals([l.group.state, l.states()], ["backup", ["backup", "backup"]]);
  l.clock.advance(MDI_100);
  assertEquals([l.group.state, l.clock.now() - t], ["master", MDI_100]);
  assertEquals(l.ha.map((c) => c.state), ["master", "backup", "master"]);
});

Deno.test("vrrp group: overlapping failures clear in any order", () => {
  const l = lab();
  l.members.forEach((m) => m.start());
  l.members[0]!.linkDown();
  l.members[1]!.linkDown();
  l.members[0]!.linkUp();
  assertEquals([l.group.state, l.states()], ["fault", ["initialize", "initialize"]]);
  assertEquals(l.members[0]!.blockedBy, ["group"]);
  l.members[1]!.linkUp();
  assertEquals([l.group.state, l.states()], ["backup", ["backup", "backup"]]);
});

Deno.test("vrrp group: a stopped member faults the group; one never started only delays it", () => {
  const l = lab();
  l.members[0]!.start();
  l.clock.advance(30_000);
  assertEquals([l.group.state, l.states()], ["backup", ["backup", "initialize"]]);
  l.members[1]!.start();
  l.clock.advance(MDI_100);
  assertEquals(l.group.state, "master");
  l.members[0]!.stop();
  assertEquals([l.group.state, l.states()], ["fault", ["initialize", "initialize"]]);
});

Deno.test("vrrp group: a member that starts or joins while the group is master is promoted", () => {
  const l = lab();
  l.members.forEach((m) => m.start());
  l.clock.advance(MDI_100);
  const late = l.inst("vrrp53", 2);
  l.group.addMember(late);
  assertEquals([l.group.state, late.state], ["master", "initialize"]);
  late.start();
  assertEquals([l.group.state, late.state], ["master", "master"]);
  assertEquals(l.ha.map((c) => c.state), ["master"]);
  const joined = l.inst("vrrp54", 3);
  joined.start();
  l.group.addMember(joined);
  assertEquals([l.group.state, joined.state], ["master", "master"]);
});

Deno.test("vrrp group: membership rules and removal", () => {
  const l = lab();
  const other = new VrrpGroup("group2", { clock: l.clock, log: l.hub.logger("vrrp") });
  assertThrows(
    () => other.addMember(l.members[0]!),
    Error,
    "Cannot add instance vrrp51 to vrrp group group2: it is in vrrp group group1",
  );
  l.members.forEach((m) => m.start());
  l.members[1]!.linkDown();
  assertEquals(l.members[0]!.blockedBy, ["group"]);
  l.group.removeMember(l.members[1]!);
  assertEquals([l.members[0]!.state, l.group.state], ["backup", "backup"]);
  other.addMember(l.members[1]!);
  l.group.close();
  assertEquals([l.group.members.length, l.group.state], [0, "initialize"]);
});

Deno.test("vrrp group: a single instance can drive an HA group", () => {
  const clock = new FakeClock();
  const hub = new LogHub();
  const port = new RecordingPort(clock);
  const inst = new VrrpInstance({
    name: "vrrp51",
    linkInterface: "eth1",
    vrid: 1,
    virtualAddresses: [parseInterfaceAddress("10.100.0.2/24")],
    primaryAddress: parseIp("10.22.0.1"),
  }, { clock, log: hub.logger("vrrp"), port });
  const reg = new HaGroupRegistry(clock, hub.logger("ha"));
  reg.create("g");
  reg.attach("g", instanceHaController(inst));
  const seen: string[] = [];
  reg.listen("g", "ike", (c) => seen.push(`${c.seq} ${c.state} ${c.reason}`));
  inst.start();
  clock.advance(MDI_100);
  inst.stop();
  assertEquals(seen, [
    "1 master vrrp instance vrrp51: backup -> master: no advertisement for 3609.375 ms",
    "2 backup vrrp instance vrrp51: master -> initialize: stopped",
  ]);
});

Deno.test("vrrp group: transitions are published in order with their reason", () => {
  const l = lab();
  const seen: string[] = [];
  const off = l.group.onTransition((t) => seen.push(`${t.from} -> ${t.to}`));
  l.members.forEach((m) => m.start());
  l.clock.advance(MDI_100);
  l.members[1]!.linkDown();
  off();
  l.members[1]!.linkUp();
  assertEquals(seen, ["initialize -> backup", "backup -> master", "master -> fault"]);
  assertEquals(l.group.lastTransition?.to, "backup", "unsubscribed, still tracked");
});
