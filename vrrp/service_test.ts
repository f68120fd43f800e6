/**
 * The reference's ha1 VRRP configuration (vrrp51 on eth1, vrrp52 on eth2,
 * vrrp group group1 notifying ha-group1) through the service, its
 * receivers, and `show vrrp`.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../tests/assert.ts";
import { peerAdvert, RecordingPort, referenceVrrp } from "../tests/vrrp_fakes.ts";
import { FakeClock } from "../core/clock.ts";
import { parseInterfaceAddress, parseIp } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { HaGroupRegistry } from "../ha/group.ts";
import { VrrpService } from "./service.ts";
import { renderVrrp } from "./show.ts";

function ha1() {
  const clock = new FakeClock();
  const hub = new LogHub({ wallNow: () => clock.wallNow() });
  const ha = new HaGroupRegistry(clock, hub.logger("ha"));
  ha.create("ha-group1");
  const svc = new VrrpService({ clock, log: hub.logger("vrrp"), ha });
  const ports = { vrrp51: new RecordingPort(clock), vrrp52: new RecordingPort(clock) };
  // ha1 running vrf main# interface vrrp vrrp51 ... vrid 1, link-interface eth1, priority 100,
  // advertisement-interval 1000, virtual-address 10.100.0.2/24; same for vrrp52 on eth2.
  svc.addInstance(referenceVrrp(51), ports.vrrp51);
  svc.addInstance(referenceVrrp(52), ports.vrrp52);
  svc.addGroup("group1", { instances: ["vrrp51", "vrrp52"], notifyHaGroup: "ha-group1" });
  return { clock, hub, ha, svc, ports };
}

Deno.test("vrrp service: the reference ha1 config elects, notifies ha-group1, and shows", () => {
  const { clock, ha, svc } = ha1();
  const changes: string[] = [];
  ha.listen("ha-group1", "ike vrf main", (c) => changes.push(`${c.seq}:${c.state}`));
  svc.startAll();
  // ha2 (priority 100, higher address 10.22.0.2) is already master on eth1 only.
  const rx51 = svc.receiver("eth1", 4)!;
  for (let i = 0; i < 3; i++) {
    const a = peerAdvert({ src: "10.22.0.2", priority: 100, addresses: ["10.100.0.2"] });
    rx51.input(a.message, a.src, a.dst, a.ttl);
    clock.advance(1000);
  }
  assertEquals(svc.group("group1")!.state, "backup");
  clock.advance(10_000);
  assertEquals(svc.group("group1")!.state, "master");
  assertEquals(changes, ["1:master"]);
  const data = svc.show();
  assertEquals(JSON.parse(JSON.stringify(data)), data);
  const v51 = data.instances[0]!;
  assertEquals(
    [
      v51.name,
      v51.state,
      v51.group,
      v51.master?.address,
      v51.master?.self,
      v51.counters.advertsReceived,
    ],
    ["vrrp51", "master", "group1", "10.22.0.1", true, 3],
  );
  assertEquals(data.groups[0], {
    name: "group1",
    state: "master",
    members: ["vrrp51", "vrrp52"],
    haGroup: "ha-group1",
    transitions: 2,
    lastTransition: data.groups[0]!.lastTransition,
  });
  const text = renderVrrp(data);
  assertStringIncludes(
    text,
    "vrrp vrrp51: master\n  link eth1, vrid 1, ipv4, virtual MAC 00:00:5e:00:01:01, vrrp group group1\n",
  );
  assertStringIncludes(text, "  virtual addresses 10.100.0.2/24; primary 10.22.0.1\n");
  assertStringIncludes(text, "  priority 100, preempt on, accept on\n");
  assertStringIncludes(
    text,
    "  advertisement interval 1000 ms (100 cs); master interval 1000 ms, skew 609.375 ms, master down interval 3609.375 ms\n",
  );
  assertStringIncludes(text, "  master 10.22.0.1 (this node), priority 100, interval 1000 ms\n");
  assertStringIncludes(
    text,
    "vrrp group group1: master; instances vrrp51, vrrp52; notifies ha group ha-group1\n",
  );
  assertStringIncludes(text, "receiver eth1 ipv4: 3 messages, 0 for unknown VRIDs, 0 truncated");
});

Deno.test("vrrp service: a backup shows its master, the time left and why; drops by reason", () => {
  const { clock, svc } = ha1();
  svc.startAll();
  const rx = svc.receiver("eth1", 4)!;
  const a = peerAdvert({ src: "10.22.0.2", priority: 200, addresses: ["10.100.0.2"] });
  rx.input(a.message, a.src, a.dst, a.ttl);
  rx.input(a.message, a.src, a.dst, 1);
  rx.input(a.message.subarray(0, 1), a.src, a.dst, 255);
  const other = peerAdvert({ src: "10.22.0.2", priority: 200, vrid: 9 });
  rx.input(other.message, other.src, other.dst, 255);
  clock.advance(1000);
  const data = svc.show();
  const v51 = data.instances[0]!;
  assertEquals(v51.state, "backup");
  assertEquals(v51.master, {
    address: "10.22.0.2",
    priority: 200,
    advertisementIntervalMs: 1000,
    self: false,
  });
  assertEquals(v51.masterDownInMs, 3609.375 - 1000);
  assertEquals(v51.counters.drops.ttl, 1);
  assertEquals(data.receivers[0], {
    link: "eth1",
    family: "ipv4",
    received: 4,
    truncated: 1,
    unknownVrid: 1,
  });
  const text = renderVrrp(data);
  assertStringIncludes(text, "  master 10.22.0.2, priority 200, interval 1000 ms\n");
  assertStringIncludes(
    text,
    "  master down in 2609.375 ms: no advertisement from 10.22.0.2 for 3609.375 ms\n",
  );
  assertStringIncludes(text, "  drops: ttl 1\n");
  assertStringIncludes(text, "vrrp vrrp52: backup\n");
});

Deno.test("vrrp service: configuration errors and removal", () => {
  const { svc, ha, ports } = ha1();
  assertThrows(
    () =>
      svc.addInstance({
        name: "vrrp53",
        linkInterface: "eth1",
        vrid: 1,
        virtualAddresses: [parseInterfaceAddress("10.100.0.3/24")],
        primaryAddress: parseIp("10.22.0.1"),
      }, new RecordingPort(new FakeClock())),
    Error,
    'Cannot set "vrid" of vrrp vrrp53 to 1: vrrp vrrp51 uses it on eth1',
  );
  assertEquals(svc.instance("vrrp53"), undefined);
  assertThrows(
    () => svc.addGroup("group2", { instances: ["vrrp51"], notifyHaGroup: "ha-group1" }),
    Error,
    "Cannot add instance vrrp51 to vrrp group group2: it is in vrrp group group1",
  );
  assertThrows(() => svc.addGroup("g3", { instances: ["nope"] }), Error, "no vrrp nope");
  svc.startAll();
  const g = ha.get("ha-group1")!;
  svc.removeGroup("group1");
  assertEquals(g.controller, undefined);
  svc.removeInstance("vrrp51");
  assertEquals([svc.instance("vrrp51"), svc.receiver("eth1", 4)], [undefined, undefined]);
  assert(ports.vrrp51.events.length === 0);
  assertEquals(renderVrrp({ instances: [], groups: [], receivers: [] }), "no vrrp instance\n");
});
