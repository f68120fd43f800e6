import { FakeClock } from "../core/clock.ts";
import { parseIp, parsePrefix } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { SeededRng } from "../core/rng.ts";
import { Dataplane } from "../esp/dataplane.ts";
import type { DataplaneSa } from "../ike/ports.ts";
import { type TrafficSelector, tsFromConfig } from "../ike/ts.ts";
import { assert, assertEquals } from "../tests/assert.ts";
import { packet } from "../tests/esp_packets.ts";
import { testKey } from "../tests/esp_fixtures.ts";
import { IkeDataplane, selectorPairs } from "./ike_dataplane.ts";

const A = parseIp("192.0.2.1"), B = parseIp("198.51.100.1");
const ts = (p: string, protocol = 0): TrafficSelector =>
  tsFromConfig({ prefix: parsePrefix(p), protocol }, A);
const LAN_A = ts("10.1.0.0/24"), LAN_B = ts("10.2.0.0/24");

function side(name: string, clock: FakeClock) {
  const logs = new LogHub({ ringSize: 50 });
  const dp = new Dataplane({ vrf: name, clock, rng: new SeededRng(7), log: logs.logger("esp") });
  let changes = 0;
  const port = new IkeDataplane({
    dataplane: dp,
    clock,
    log: logs.logger("chd"),
    onChange: () => changes++,
  });
  return { dp, port, changes: () => changes };
}

/** The install request of CHILD SA pair `n` as side `me` sees it (SPIs and keys crosswise). */
function request(me: "a" | "b", n: number, outboundNow = true): DataplaneSa {
  const spiA = 0xa000 + n, spiB = 0xb000 + n;
  const keys = (spi: number) => ({
    spi,
    enc: "aes128-cbc" as const,
    encKey: testKey(16, spi & 0xff),
    integ: "hmac-sha1" as const,
    integKey: testKey(20, (spi & 0xff) + 1),
  });
  const [local, remote, inSpi, outSpi, lts, rts] = me === "a"
    ? [A, B, spiA, spiB, LAN_A, LAN_B]
    : [B, A, spiB, spiA, LAN_B, LAN_A];
  return {
    id: `${me}-${n}`,
    policy: "vpn/net",
    outboundNow,
    vrf: "main",
    mode: "tunnel",
    local: { address: local, port: 4500 },
    remote: { address: remote, port: 4500 },
    encap: true,
    inbound: keys(inSpi),
    outbound: keys(outSpi),
    esn: false,
    replayWindow: 32,
    localTs: [lts],
    remoteTs: [rts],
  };
}

Deno.test("ike dataplane port: a negotiated pair carries traffic; counters and last-seen times", () => {
  const clock = new FakeClock(1000);
  const a = side("a", clock), b = side("b", clock);
  const req = request("a", 1);
  assertEquals(a.port.install(req), { ok: true });
  assertEquals(b.port.install(request("b", 1)), { ok: true });
  assert(req.inbound.encKey.every((x) => x === 0), "the request's key copies are wiped");
  assertEquals(a.dp.policies().length, 1);
  assertEquals(a.changes(), 1);
  const p = packet({ src: "10.1.0.10", dst: "10.2.0.10", protocol: 17, payload: 50 });
  const r = a.dp.outbound(p);
  assertEquals(r.kind, "send");
  const esp = r.buf.slice(0, r.length);
  assertEquals(b.dp.inbound(esp, null, B.bytes, 4500, 4500, "udp").kind, "tun");
  clock.advance(500);
  const ca = a.port.counters("a-1")!, cb = b.port.counters("b-1")!;
  assertEquals([ca.packetsOut, ca.packetsIn, cb.packetsIn], [1, 0, 1]);
  assertEquals([ca.lastOutbound, ca.lastInbound, cb.lastInbound], [1500, undefined, 1500]);
  assertEquals([ca.seqOut, cb.seqIn], [2n, 1n]);
  // Nothing new: the last-seen time stays where it was.
  clock.advance(500);
  assertEquals(b.port.counters("b-1")!.lastInbound, 1500);
  assertEquals(a.port.counters("nope"), undefined);
});

Deno.test("ike dataplane port: a rekey responder's outbound SA waits for activateOutbound; shared policies", () => {
  const clock = new FakeClock();
  const a = side("a", clock);
  a.port.install(request("a", 1));
  const p = packet({ src: "10.1.0.10", dst: "10.2.0.10", protocol: 6, payload: 20 });
  assertEquals(a.dp.outbound(p).sa?.spi, 0xb001);
  a.port.install(request("a", 2, false));
  assertEquals(a.dp.outbound(p).sa?.spi, 0xb001, "not switched before activation");
  assertEquals(a.dp.sas().length, 3, "two inbound, one outbound");
  assertEquals(a.dp.policies().length, 1, "one policy shared by both pairs");
  assertEquals(a.port.counters("a-2")!.packetsOut, 0);
  a.port.activateOutbound("a-2");
  assertEquals(a.dp.outbound(p).sa?.spi, 0xb002, "switched");
  a.port.remove("a-1");
  assertEquals(a.dp.policies().length, 1, "still referenced by the new pair");
  assertEquals(a.dp.outbound(p).sa?.spi, 0xb002);
  a.port.remove("a-2");
  assertEquals([a.dp.sas().length, a.dp.policies().length], [0, 0]);
  assertEquals(a.dp.outbound(p).reason, "no-policy");
});

Deno.test("ike dataplane port: a pair that cannot be installed leaves nothing behind", () => {
  const a = side("a", new FakeClock());
  const bad = { ...request("a", 1), outbound: { ...request("a", 1).outbound, spi: 5 } };
  const r = a.port.install(bad);
  assertEquals(r.ok, false);
  assertEquals([a.dp.sas().length, a.dp.policies().length], [0, 0]);
});

Deno.test("ike dataplane port: NAT endpoint change moves both SAs", () => {
  const a = side("a", new FakeClock());
  a.port.install(request("a", 1));
  const moved = parseIp("203.0.113.9");
  a.port.update("a-1", {
    local: { address: A, port: 4500 },
    remote: { address: moved, port: 31000 },
    encap: true,
  });
  for (const sa of a.dp.sas()) {
    assertEquals(sa.remote, moved);
    assertEquals(sa.encap, { kind: "udp", localPort: 4500, remotePort: 31000 });
  }
});

Deno.test("ike dataplane port: selector pairs keep one family and a common protocol", () => {
  const v6 = tsFromConfig({ prefix: parsePrefix("2001:db8::/64"), protocol: 0 }, A);
  const tcp = ts("10.2.0.0/24", 6), udp = ts("10.3.0.0/24", 17);
  const pairs = selectorPairs([LAN_A, ts("10.9.0.0/24", 6)], [tcp, udp, v6]);
  assertEquals(
    pairs.map((p) => p.protocol),
    [6, 17, 6],
    "any x tcp, any x udp, tcp x tcp; tcp x udp and IPv4 x IPv6 dropped",
  );
});

Deno.test("ike dataplane port: trap policies before any SA raise acquires; the SA then serves them", () => {
  const clock = new FakeClock();
  const a = side("a", clock);
  const acquires: number[] = [];
  a.dp.events.on("acquire", (e) => acquires.push(e.reqid));
  a.port.trap("vpn/net", [LAN_A], [LAN_B], B);
  assertEquals(a.port.trapped, ["vpn/net"]);
  const p = packet({ src: "10.1.0.10", dst: "10.2.0.10", protocol: 17, payload: 20 });
  assertEquals(a.dp.outbound(p).reason, "no-sa");
  a.dp.flushEvents();
  assertEquals(acquires, [a.port.reqidOf("vpn/net")]);
  a.port.install(request("a", 1));
  assertEquals(a.dp.policies().length, 1, "the SA's policy is the trap's");
  assertEquals(a.dp.outbound(p).kind, "send");
  a.port.untrap("vpn/net");
  assertEquals(a.dp.policies().length, 1, "still held by the SA");
  a.port.remove("a-1");
  assertEquals(a.dp.policies().length, 0);
});
