import { assert, assertEquals } from "./assert.ts";
import { FakeClock } from "../core/clock.ts";
import type { IkeInstance } from "../ike/instance.ts";
import { child, dump, FakeWire, mirrored, node, states, vpn } from "./ike_fixture.ts";

/** Forwards an active node's events into a backup node, as the HA sync would. */
function mirror(
  from: IkeInstance,
  to: IkeInstance,
  opts: { mids?: () => boolean; downs?: boolean } = {},
) {
  const log: string[] = [];
  from.events.on("ike-sa-up", (e) => log.push(`ike ${to.importIkeSa(e.record)}`));
  from.events.on("ike-sa-updated", (e) => to.importIkeSa(e.record));
  from.events.on("ike-sa-mids", (e) => {
    if (opts.mids?.() ?? true) to.importMids(e, e.nextSend, e.expectRecv);
  });
  from.events.on("child-sa-up", (e) => log.push(`child ${to.importChildSa(e.record)}`));
  from.events.on("child-sa-moved", (e) => to.movePassiveChild(e.spiIn, e));
  if (opts.downs === false) return log;
  from.events.on(
    "child-sa-down",
    (e) => to.removePassive({ vpn: e.vpn, spiI: e.ikeSpiI, spiR: e.ikeSpiR }, e.spiIn),
  );
  from.events.on("ike-sa-down", (e) => to.removePassive(e));
  return log;
}

function cluster() {
  const clock = new FakeClock();
  const wire = new FakeWire(clock);
  const cfg = vpn("192.0.2.1", "198.51.100.2", { children: [child("10.1.0.0/24", "10.2.0.0/24")] });
  // Two appliances share the address 192.0.2.1; the wire delivers to the one attached last.
  const backup = node(wire, "backup", "192.0.2.1", [cfg], 11);
  const active = node(wire, "active", "192.0.2.1", [cfg], 10);
  const peer = node(wire, "peer", "198.51.100.2", [
    vpn("198.51.100.2", "192.0.2.1", { children: [child("10.2.0.0/24", "10.1.0.0/24")] }),
  ], 12);
  return { clock, wire, active, backup, peer };
}

Deno.test("ike ha: records make passive SAs on the backup; after takeover the peer carries on", () => {
  const { clock, wire, active, backup, peer } = cluster();
  const log = mirror(active.ike, backup.ike);
  active.ike.initiate("vpn");
  clock.advance(100);
  assert(mirrored(active, peer), dump(active) + dump(peer));
  assertEquals(log, ["ike true", "child true"]);
  assertEquals(states(backup), ["passive"]);
  assertEquals(backup.ike.listChildSas().map((c) => c.state), ["passive"]);
  assert(mirrored(backup, peer), "the backup's dataplane holds the same SAs");
  // The passive node stays silent: no rekey, no DPD, even past the rekey time.
  const sent = wire.log.length;
  const ikeSpi = peer.ike.listIkeSas()[0]!.spiI;
  // Takeover: the active node is gone, the backup answers on the shared address.
  wire.attach(backup);
  assertEquals(backup.ike.activate({}, { midSync: false }), 1);
  assertEquals(states(backup), ["established"]);
  const childSpi = parseInt(peer.ike.listChildSas()[0]!.spiIn, 16);
  assert(peer.ike.rekey({ childSpi }));
  clock.advance(100);
  assert(mirrored(backup, peer), dump(backup) + dump(peer));
  assert(backup.ike.rekey({ childSpi: parseInt(backup.ike.listChildSas()[0]!.spiIn, 16) }));
  clock.advance(100);
  assert(mirrored(backup, peer));
  assertEquals(peer.ike.listIkeSas()[0]!.spiI, ikeSpi, "no renegotiation of the IKE SA");
  assert(wire.log.length > sent);
  assert(backup.ike.rekey({ uid: backup.ike.listIkeSas()[0]!.uid }));
  clock.advance(100);
  assertEquals(states(backup), ["established"]);
  assertEquals(states(peer), ["established"]);
  assert(mirrored(backup, peer));
});

Deno.test("ike ha: an IKE rekey on the active node is mirrored, CHILD SAs follow", () => {
  const { clock, wire, active, backup, peer } = cluster();
  mirror(active.ike, backup.ike);
  active.ike.initiate("vpn");
  clock.advance(100);
  active.ike.rekey({ uid: active.ike.listIkeSas()[0]!.uid });
  clock.advance(100);
  const spi = active.ike.listIkeSas()[0]!.spiI;
  assertEquals(backup.ike.listIkeSas().map((s) => [s.spiI, s.state, s.childSas]), [[
    spi,
    "passive",
    1,
  ]]);
  wire.attach(backup);
  backup.ike.activate();
  assert(peer.ike.rekey({ childSpi: parseInt(peer.ike.listChildSas()[0]!.spiIn, 16) }));
  clock.advance(100);
  assert(mirrored(backup, peer), dump(backup) + dump(peer));
  assertEquals(backup.ike.listIkeSas()[0]!.spiI, spi);
});

Deno.test("ike ha: a passive node sends nothing, whatever the time", () => {
  const { clock, wire, active, backup } = cluster();
  mirror(active.ike, backup.ike, { downs: false });
  active.ike.initiate("vpn");
  clock.advance(100);
  wire.rules.push((d) => (d.from.address.bytes[0] === 192 ? { drop: true } : undefined));
  const before = backup.logs.recent().length;
  clock.advance(5 * 3600_000);
  assertEquals(states(backup).includes("passive"), true);
  assert(
    backup.logs.recent().slice(before).every((r) => !r.message.includes("sending")),
    "the backup sent nothing",
  );
});

Deno.test("ike ha: stale message IDs after takeover are repaired by RFC 6311 sync", () => {
  const { clock, wire, active, backup, peer } = cluster();
  let forwardMids = true;
  mirror(active.ike, backup.ike, { mids: () => forwardMids });
  active.ike.initiate("vpn");
  clock.advance(100);
  assert(active.ike.listIkeSas()[0]!.nextSend === 2);
  // The active node runs two more exchanges whose message IDs never reach the backup.
  forwardMids = false;
  active.ike.rekey({ childSpi: parseInt(active.ike.listChildSas()[0]!.spiIn, 16) });
  clock.advance(100);
  assertEquals(active.ike.listIkeSas()[0]!.nextSend, 4);
  assertEquals(backup.ike.listIkeSas()[0]!.nextSend, 2);
  wire.attach(backup);
  backup.ike.activate({}, { midSync: true });
  clock.advance(100);
  const b = backup.ike.listIkeSas()[0]!;
  const p = peer.ike.listIkeSas()[0]!;
  assertEquals([b.nextSend, b.expectRecv], [p.expectRecv, p.nextSend], dump(backup) + dump(peer));
  assert(backup.ike.rekey({ childSpi: parseInt(backup.ike.listChildSas()[0]!.spiIn, 16) }));
  clock.advance(100);
  assert(mirrored(backup, peer), dump(backup) + dump(peer));
});

Deno.test("ike ha: without the sync, stale message IDs break the next exchange", () => {
  const { clock, wire, active, backup, peer } = cluster();
  let forwardMids = true;
  mirror(active.ike, backup.ike, { mids: () => forwardMids });
  active.ike.initiate("vpn");
  clock.advance(100);
  forwardMids = false;
  active.ike.rekey({ childSpi: parseInt(active.ike.listChildSas()[0]!.spiIn, 16) });
  clock.advance(100);
  wire.attach(backup);
  backup.ike.activate();
  const spi = backup.ike.listChildSas()[0]!.spiIn;
  backup.ike.rekey({ childSpi: parseInt(spi, 16) });
  clock.advance(1000);
  assert(peer.ike.drops["invalid-message-id"] > 0);
  assertEquals(backup.ike.listChildSas().map((c) => c.spiIn), [spi], "the rekey went nowhere");
});

Deno.test("ike ha: export for bulk resync, import, deactivate", () => {
  const { clock, active, backup, peer } = cluster();
  active.ike.initiate("vpn");
  clock.advance(100);
  const all = active.ike.exportSas();
  assertEquals(all.length, 1);
  assertEquals(all[0]!.children.length, 1);
  for (const s of all) {
    assert(backup.ike.importIkeSa(s.ike));
    for (const c of s.children) assert(backup.ike.importChildSa(c));
  }
  assert(mirrored(backup, peer));
  assertEquals(active.ike.deactivate(), 1);
  assertEquals(states(active), ["passive"]);
  assertEquals(active.ike.listChildSas().map((c) => c.state), ["passive"]);
  assertEquals(active.ike.activate(), 1);
  assertEquals(states(active), ["established"]);
});
