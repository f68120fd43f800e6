import { FakeClock } from "../core/clock.ts";
import { LogHub } from "../core/log.ts";
import { parseIp } from "../core/ip.ts";
import { SeededRng } from "../core/rng.ts";
import type { EncryptionAlgorithm } from "../crypto/types.ts";
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { gatewayPair, pairSaParams, receive, saParams, sent } from "../tests/esp_fixtures.ts";
import { ip, packet, refChecksum } from "../tests/esp_packets.ts";
import { AES128_CBC } from "../tests/esp_transforms.ts";
import { Dataplane } from "./dataplane.ts";
import { SaError } from "./sa.ts";
import { SadError } from "./sad.ts";

function lanPacket(payload: number, df = false) {
  return packet({ src: "10.1.0.10", dst: "10.2.0.10", protocol: 17, payload, df });
}

Deno.test("dataplane: soft lifetime asks for a rekey once, hard lifetime removes the SA (packets)", () => {
  const { a, b } = gatewayPair({ lifetime: { softPackets: 3, hardPackets: 5 } });
  for (let i = 0; i < 5; i++) {
    assert(typeof receive(b, a, sent(a.dp, lanPacket(10)) as Uint8Array) !== "string");
  }
  a.dp.flushEvents();
  b.dp.flushEvents();
  assertEquals(a.events.map((e) => e.type), ["sa-soft-expired"]);
  // B's inbound SA reached its hard limit with the 5th packet: removed after delivering it.
  assertEquals(b.events.map((e) => e.type), ["sa-soft-expired", "sa-hard-expired"]);
  assertEquals(b.in.state, "removed");
  // A's 6th packet would exceed the hard limit: dropped, SA removed.
  assertEquals(sent(a.dp, lanPacket(10)), "drop:hard-expired");
  a.dp.flushEvents();
  assertEquals(a.events.map((e) => [e.type, (e.ev as { reason: string }).reason]), [
    ["sa-soft-expired", "packets"],
    ["sa-hard-expired", "packets"],
  ]);
  assertEquals(a.out.state, "removed");
  assertEquals(a.dp.findSa("out", a.out.spi), undefined);
  // Next packets find no SA: IKE is asked for one.
  assertEquals(sent(a.dp, lanPacket(10)), "drop:no-sa");
  a.dp.flushEvents();
  assertEquals(a.events.at(-1)?.type, "acquire");
});

Deno.test("dataplane: byte lifetimes count inner bytes", () => {
  const { a } = gatewayPair({ lifetime: { softBytes: 250, hardBytes: 400 } });
  const p = lanPacket(100 - 28); // 100-byte inner packets
  for (let i = 0; i < 4; i++) assert(typeof sent(a.dp, p) !== "string", `packet ${i}`);
  assertEquals(sent(a.dp, p), "drop:hard-expired");
  a.dp.flushEvents();
  assertEquals(a.events.map((e) => [e.type, (e.ev as { reason: string }).reason]), [
    ["sa-soft-expired", "bytes"],
    ["sa-hard-expired", "bytes"],
  ]);
  assertEquals(a.out.counters.bytes, 400);
});

Deno.test("dataplane: sequence numbers never wrap without ESN; ESN crosses 2^32 with the peer inferring the high bits", () => {
  const plain = gatewayPair({});
  plain.a.dp.setOutboundSeq(plain.a.out, 0xffffffff - 1);
  assert(typeof sent(plain.a.dp, lanPacket(5)) !== "string", "seq 2^32-1 is the last");
  assertEquals(sent(plain.a.dp, lanPacket(5)), "drop:seq-exhausted");
  plain.a.dp.flushEvents();
  assertEquals(plain.a.events.map((e) => e.type), ["sa-soft-expired", "sa-hard-expired"]);

  const { a, b } = gatewayPair({ esn: true });
  a.dp.setOutboundSeq(a.out, 2 ** 32 - 3);
  b.dp.advanceReplay(b.in, 2 ** 32 - 3);
  const esp = Array.from({ length: 6 }, () => sent(a.dp, lanPacket(5)) as Uint8Array);
  assertEquals(esp.map((e) => (e[4]! << 24 | e[5]! << 16 | e[6]! << 8 | e[7]!) >>> 0), [
    0xfffffffe,
    0xffffffff,
    0,
    1,
    2,
    3,
  ]);
  for (const i of [0, 2, 1, 4, 3, 5]) {
    assert(typeof receive(b, a, esp[i]!) !== "string", `packet ${i}`);
  }
  assertEquals(b.in.replay!.top, 2 ** 32 + 3);
  assertEquals(receive(b, a, esp[1]!), "drop:replay");
});

Deno.test("dataplane: oversized packets get ICMP frag-needed / packet-too-big back, DF-less IPv4 goes on", () => {
  const { a } = gatewayPair({ pathMtu: 1500 });
  assertEquals(
    a.out.maxInner,
    1422,
    "1500 - IPv4 20 - UDP 8 - ESP 8 - IV 16 - ICV 12, rounded to the block, - 2",
  );
  const fits = sent(a.dp, lanPacket(1422 - 28, true));
  assert(typeof fits !== "string");
  assertEquals(fits.length + 28, 1488, "fits the path MTU (the rest is below one cipher block)");
  // One byte more needs another block: 8 + 16 + 1440 + 12 + 28 = 1504 > 1500.
  const big = lanPacket(1423 - 28, true);
  const r = a.dp.outbound(big);
  assertEquals([r.kind, r.reason, r.ifaceId], ["icmp", "mtu-exceeded", null]);
  const icmp = r.buf.slice(r.offset, r.offset + r.length);
  assertEquals([icmp[9], icmp[20], icmp[21], (icmp[26]! << 8) | icmp[27]!], [1, 3, 4, 1422]);
  assertEquals(icmp.subarray(12, 16), ip("192.0.2.1"), "from the SA's local address");
  assertEquals(icmp.subarray(16, 20), ip("10.1.0.10"), "to the sender");
  assertEquals(refChecksum(icmp.subarray(20)), 0);
  const noDf = sent(a.dp, lanPacket(1423 - 28, false));
  assert(typeof noDf !== "string", "no DF: encapsulated anyway, the outer packet gets fragmented");
  assertEquals([a.dp.counters().drops["mtu-exceeded"], a.dp.counters().stats.icmpSent], [1, 1]);
  assertEquals(a.out.counters.mtuExceeded, 1);

  const v6 = gatewayPair({ family: 6, pathMtu: 1400 });
  const big6 = packet({
    src: "2001:db8:1::10",
    dst: "2001:db8:2::10",
    protocol: 17,
    payload: 1400,
  });
  const r6 = v6.a.dp.outbound(big6);
  assertEquals([r6.kind, r6.buf[r6.offset + 6], r6.buf[r6.offset + 40]], ["icmp", 58, 2]);
  const mtu6 = r6.buf.subarray(r6.offset + 44, r6.offset + 48);
  assertEquals(
    (mtu6[0]! << 24 | mtu6[1]! << 16 | mtu6[2]! << 8 | mtu6[3]!) >>> 0,
    v6.a.out.maxInner,
  );
});

Deno.test("dataplane: ICMP errors are rate-limited by the injected clock", () => {
  const clock = new FakeClock();
  const { a } = gatewayPair({ pathMtu: 600, clock });
  const big = lanPacket(1000, true);
  const kinds = Array.from({ length: 150 }, () => a.dp.outbound(big).kind);
  assertEquals(kinds.filter((k) => k === "icmp").length, 100, "burst of 100");
  clock.advance(100);
  const more = Array.from({ length: 50 }, () => a.dp.outbound(big).kind);
  assertEquals(more.filter((k) => k === "icmp").length, 10, "then 100 per second");
  assertEquals(a.dp.counters().drops["mtu-exceeded"], 200);
});

Deno.test("dataplane: route-based (SVTI) SAs by interface id", () => {
  const { a, b } = gatewayPair({ ifaceId: 888 });
  const p = lanPacket(50);
  assertEquals(sent(a.dp, p), "drop:no-policy", "not from the SVTI: the (empty) SPD decides");
  assertEquals(sent(a.dp, p, 999), "drop:no-sa", "another SVTI");
  const esp = sent(a.dp, p, 888) as Uint8Array;
  const r = b.dp.inbound(esp, a.outer, b.outer, 4500, 4500, "udp");
  assertEquals([r.kind, r.ifaceId], ["tun", 888]);
  assertEquals(r.buf.slice(r.offset, r.offset + r.length), p);
  // The SA's selectors still apply to what the SVTI sends.
  assertEquals(
    sent(a.dp, packet({ src: "10.7.0.1", dst: "10.2.0.10", protocol: 6 }), 888),
    "drop:no-policy",
  );
});

Deno.test("dataplane: acquire once per interval, traffic flows once IKE installs the SA", () => {
  const clock = new FakeClock();
  const { a, b } = gatewayPair({ clock });
  a.dp.removeSa(a.out);
  for (let i = 0; i < 3; i++) assertEquals(sent(a.dp, lanPacket(10)), "drop:no-sa");
  a.dp.flushEvents();
  assertEquals(a.events.map((e) => e.type), ["acquire"]);
  const acq = a.events[0]!.ev as {
    reqid: number;
    src: { bytes: Uint8Array };
    dst: { bytes: Uint8Array };
    protocol: number;
  };
  assertEquals([acq.reqid, acq.src.bytes, acq.dst.bytes, acq.protocol], [
    1,
    ip("10.1.0.10"),
    ip("10.2.0.10"),
    17,
  ]);
  clock.advance(1000);
  sent(a.dp, lanPacket(10));
  a.dp.flushEvents();
  assertEquals(a.events.length, 2, "asked again after the interval");
  const fresh = a.dp.installSa(pairSaParams({
    spi: 0xa0001,
    direction: "out",
    reqid: 1,
    local: parseIp("192.0.2.1"),
    remote: parseIp("198.51.100.1"),
  }));
  assertEquals(fresh.reqid, 1);
  assert(typeof receive(b, a, sent(a.dp, lanPacket(10)) as Uint8Array) !== "string");
  assertEquals(a.dp.counters().stats.acquires, 2);
});

Deno.test("dataplane: during a rekey the newest outbound SA carries traffic, the old one takes over again if the new goes", () => {
  const { a } = gatewayPair({});
  const p = lanPacket(10);
  const spiOf = (
    e: Uint8Array | string,
  ) => ((e as Uint8Array)[1]! << 16 | (e as Uint8Array)[2]! << 8 | (e as Uint8Array)[3]!);
  assertEquals(spiOf(sent(a.dp, p)), 0x0a0001);
  const newer = a.dp.installSa(saParams({ spi: 0xc0001, direction: "out", reqid: 1 }));
  assertEquals(spiOf(sent(a.dp, p)), 0x0c0001);
  a.dp.removeSa(newer);
  assertEquals(spiOf(sent(a.dp, p)), 0x0a0001);
  assertEquals(newer.state, "removed");
});

Deno.test("dataplane: HA hooks: progress every N packets and every T ms, set and advance", () => {
  const clock = new FakeClock();
  const { a, b } = gatewayPair({ clock, seqSync: { packets: 3, timeMs: 1000 } });
  a.dp.start();
  const progress = () =>
    a.events.filter((e) => e.type === "seq-progress").map((e) => (e.ev as { value: number }).value);
  for (let i = 0; i < 7; i++) {
    receive(b, a, sent(a.dp, lanPacket(10)) as Uint8Array);
    a.dp.flushEvents(); // the I/O loop after each batch (here: each packet)
  }
  assertEquals(progress(), [3, 6], "every 3 packets");
  clock.advance(1000);
  assertEquals(progress(), [3, 6, 7], "the sweep reports the change since");
  clock.advance(5000);
  assertEquals(progress(), [3, 6, 7], "nothing changed, nothing sent");
  // B's inbound SA reports its replay top the same way; flushed once, it reports the current value once.
  b.dp.flushEvents();
  assertEquals(
    b.events.filter((e) => e.type === "seq-progress").map((e) => (e.ev as { value: number }).value),
    [7],
  );
  // Takeover on a backup: outbound counter shifted, inbound window moved up.
  a.dp.setOutboundSeq(a.out, 7 + 65536);
  assertEquals(a.dp.seqState(a.out), 65543);
  const esp = sent(a.dp, lanPacket(10)) as Uint8Array;
  assertEquals(esp.subarray(4, 8), Uint8Array.of(0, 1, 0, 8));
  b.dp.advanceReplay(b.in, 65543);
  assert(typeof receive(b, a, esp) !== "string");
  assertEquals(b.dp.seqState(b.in), 65544);
  const snap = b.dp.replaySnapshot(b.in);
  assertEquals(snap.top, 65544);
  assertThrows(() => a.dp.setOutboundSeq(a.out, 2 ** 32), RangeError, "out of range");
  assertThrows(() => a.dp.setOutboundSeq(b.in, 1), RangeError, "inbound");
  assertThrows(() => b.dp.advanceReplay(b.out, 1), RangeError, "outbound");
  a.dp.setSeqSync({ packets: 0, timeMs: 0 });
  for (let i = 0; i < 10; i++) sent(a.dp, lanPacket(10));
  clock.advance(10_000);
  a.dp.flushEvents();
  assertEquals(progress().length, 3, "both triggers off");
  a.dp.stop();
});

Deno.test("dataplane: policies: discard, bypass, none; malformed packets", () => {
  const { a } = gatewayPair({});
  a.dp.addPolicy({
    selector: { src: "10.1.0.0/24", dst: "10.2.0.66/32" },
    action: { kind: "discard" },
  });
  a.dp.addPolicy({
    selector: { src: "10.1.0.0/24", dst: "10.2.0.77/32" },
    action: { kind: "bypass" },
  });
  assertEquals(
    sent(a.dp, packet({ src: "10.1.0.10", dst: "10.2.0.66", protocol: 6 })),
    "drop:policy-discard",
  );
  assertEquals(
    sent(a.dp, packet({ src: "10.1.0.10", dst: "10.2.0.77", protocol: 6 })),
    "drop:policy-bypass",
  );
  assertEquals(
    sent(a.dp, packet({ src: "10.1.0.10", dst: "10.3.0.1", protocol: 6 })),
    "drop:no-policy",
  );
  assertEquals(sent(a.dp, new Uint8Array(10)), "drop:malformed");
  assertEquals(sent(a.dp, new Uint8Array(70000)), "drop:too-big");
  assertEquals(a.dp.policies().length, 3);
  assertEquals(a.dp.counters().drops, {
    malformed: 1,
    "no-policy": 1,
    "policy-discard": 1,
    "policy-bypass": 1,
    "too-big": 1,
  });
  assertEquals(a.dp.dropCounters[0], 1, "raw counters, DROP_REASONS order");
});

Deno.test("dataplane: transport mode refuses what it cannot carry", () => {
  const { a } = gatewayPair({ mode: "transport" });
  const frag = packet({ src: "192.0.2.1", dst: "198.51.100.1", protocol: 17, moreFragments: true });
  assertEquals(sent(a.dp, frag), "drop:unsupported");
  const opts = packet({ src: "192.0.2.1", dst: "198.51.100.1", protocol: 47, payload: 20 });
  assert(typeof sent(a.dp, opts) !== "string", "GRE between the gateways is fine");
});

Deno.test("dataplane: install errors, removal zeroes keys", () => {
  const dp = new Dataplane({
    vrf: "t",
    clock: new FakeClock(),
    rng: new SeededRng(1),
    log: new LogHub().logger("esp"),
  });
  let destroyed = 0;
  const spy: EncryptionAlgorithm = {
    ...AES128_CBC,
    create(key) {
      const c = AES128_CBC.create(key);
      return { ...c, destroy: () => (destroyed++, c.destroy()) };
    },
  };
  const sa = dp.installSa(saParams({ direction: "in", encryption: spy }));
  assertThrows(() => dp.installSa(saParams({ direction: "in" })), SadError, "exists");
  assertThrows(
    () => dp.installSa(saParams({ spi: 5 })),
    SaError,
    "SPI 5 is out of range 256..4294967295",
  );
  assertThrows(() => dp.installSa(saParams({ encryptionKey: new Uint8Array(3) })), SaError, "key");
  assertThrows(
    () => dp.installSa(saParams({ lifetime: { hardBytes: 0 } })),
    SaError,
    "lifetime hardBytes",
  );
  assertThrows(
    () => dp.installSa(saParams({ direction: "in", spi: 777, replayWindow: 1e6 })),
    SaError,
    "replay window",
  );
  assertEquals(dp.removeSa(sa), true);
  assertEquals([destroyed, sa.state, sa.iv.every((x) => x === 0)], [1, "removed", true]);
  assertEquals(dp.removeSa(sa), false);
  assertEquals(dp.sas().length, 0);
});

Deno.test("dataplane: IKE moves an SA's peer endpoint (NAT mapping changed)", () => {
  const { a } = gatewayPair({});
  a.dp.updateRemote(a.out, parseIp("203.0.113.9"), 61000);
  const r = a.dp.outbound(lanPacket(10));
  assertEquals([r.kind, r.remote, r.remotePort], ["send", parseIp("203.0.113.9"), 61000]);
  assertThrows(() => a.dp.updateRemote(a.out, parseIp("2001:db8::1")), RangeError, "family");
  assertThrows(() => a.dp.updateRemote(a.out, parseIp("203.0.113.9"), 0), RangeError, "port 0");
  const raw = gatewayPair({ via: "raw" });
  assertThrows(
    () => raw.a.dp.updateRemote(raw.a.out, parseIp("203.0.113.9"), 4500),
    RangeError,
    "not UDP",
  );
});

Deno.test("dataplane: packets inside larger buffers (I/O batch slots), ESP built into a caller's buffer", () => {
  const { a, b } = gatewayPair({});
  const p = lanPacket(200);
  const slot = new Uint8Array(2048).fill(0xaa);
  slot.set(p);
  const out = new Uint8Array(2048);
  const r = a.dp.outbound(slot, null, out, p.length);
  assertEquals(r.kind, "send");
  assert(r.buf === out && r.offset === 0, "built where asked");
  const esp = out.slice(0, r.length);
  // Inbound with the datagram in a larger buffer: only `length` bytes count.
  const rx = new Uint8Array(2048).fill(0x55);
  rx.set(esp);
  const got = b.dp.inbound(rx, null, null, 4500, 4500, "udp", esp.length);
  assertEquals(got.kind, "tun");
  assertEquals(got.buf.slice(got.offset, got.offset + got.length), p);
  // An output buffer too small for the ESP packet: dropped, counted, nothing thrown.
  assertEquals(a.dp.outbound(p, null, new Uint8Array(100)).reason, "too-big");
  // A length beyond the buffer is refused as well.
  assertEquals(b.dp.inbound(esp, null, null, 4500, 4500, "udp", esp.length + 1).reason, "too-big");
});
