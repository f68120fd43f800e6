import { assert, assertEquals } from "./assert.ts";
import { FakeClock } from "../core/clock.ts";
import { parsePrefix } from "../core/ip.ts";
import { ExchangeType } from "../ike/constants.ts";
import { decodeMessage } from "../ike/message/message.ts";
import {
  child,
  dump,
  establishedPair,
  FakeWire,
  ikePolicy,
  mirrored,
  node,
  pair,
  states,
  vpn,
} from "./ike_fixture.ts";

const header = (d: Uint8Array) => {
  const bytes = d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0 ? d.subarray(4) : d;
  const m = decodeMessage(bytes);
  return m.ok ? m.value.header : undefined;
};

Deno.test("ike lifecycle: IKE SA delete from either side removes everything on both", () => {
  for (const who of ["a", "b"] as const) {
    const p = establishedPair();
    const downs: string[] = [];
    p.a.ike.events.on("ike-sa-down", (e) => downs.push(`a:${e.reason}`));
    p.b.ike.events.on("ike-sa-down", (e) => downs.push(`b:${e.reason}`));
    assertEquals(p[who].ike.terminate({ vpn: "vpn" }), 1);
    p.clock.advance(100);
    assertEquals(p.a.ike.counts().ikeSas + p.b.ike.counts().ikeSas, 0, who);
    assertEquals(p.a.dataplane.sas.size + p.b.dataplane.sas.size, 0);
    assertEquals(
      downs.sort(),
      who === "a" ? ["a:terminated", "b:deleted by peer"] : ["a:deleted by peer", "b:terminated"],
    );
  }
});

Deno.test("ike lifecycle: CHILD SA delete from either side; the response carries the other SPI", () => {
  // AES-GCM has no padding, so a response with a Delete payload is longer than an empty one.
  const gcm = ikePolicy({
    proposals: [{ enc: ["aes128-gcm-128"], integ: [], prf: ["hmac-sha256"], dh: ["curve25519"] }],
  });
  for (const who of ["a", "b"] as const) {
    const p = establishedPair({ a: { ike: gcm }, b: { ike: gcm } });
    const spi = parseInt(p[who].ike.listChildSas()[0]!.spiIn, 16);
    assert(p[who].ike.terminateChild(spi));
    p.clock.advance(100);
    assertEquals(p.a.ike.counts().childSas + p.b.ike.counts().childSas, 0, who);
    assertEquals(states(p.a), ["established"]);
    // Request and response each carried one Delete payload with an SPI.
    const last = p.wire.log.slice(-2);
    assertEquals(last.map((d) => header(d.data)?.exchange), [
      ExchangeType.INFORMATIONAL,
      ExchangeType.INFORMATIONAL,
    ]);
    assertEquals(last[1]!.data.length, last[0]!.data.length, "the response carries one SPI too");
  }
});

Deno.test("ike lifecycle: DPD declares a silent peer dead after the retransmits", () => {
  const p = establishedPair({ a: { ike: ikePolicy({ dpdDelay: 30 }) } });
  const downs: string[] = [];
  p.a.ike.events.on("ike-sa-down", (e) => downs.push(e.reason));
  p.wire.rules.push((d) => (d.to.address.bytes[0] === 198 ? { drop: true } : undefined));
  p.clock.advance(29_000);
  assertEquals(states(p.a), ["established"]);
  p.clock.advance(1_000 + 165_000);
  assertEquals(p.a.ike.counts().ikeSas, 0, dump(p.a));
  assertEquals(downs, ["dead peer"]);
  assertEquals(p.a.ike.counters.deadPeers, 1);
  assertEquals(p.a.dataplane.sas.size, 0);
});

Deno.test("ike lifecycle: DPD stays quiet while ESP traffic arrives", () => {
  const p = establishedPair({ a: { ike: ikePolicy({ dpdDelay: 30 }) } });
  const id = [...p.a.dataplane.sas.keys()][0]!;
  const sent = p.wire.log.length;
  for (let t = 0; t < 10; t++) {
    p.a.dataplane.counterValues.set(id, {
      bytesIn: 0,
      packetsIn: t,
      bytesOut: 0,
      packetsOut: 0,
      lastInbound: p.clock.now(),
      seqOut: 0n,
      seqIn: 0n,
    });
    p.clock.advance(20_000);
  }
  assertEquals(p.wire.log.length, sent, "no liveness check was needed");
  p.clock.advance(40_000);
  assertEquals(p.wire.log.length, sent + 2, "one check after silence, answered");
});

Deno.test("ike lifecycle: a lost response is retransmitted for and answered from the cache", () => {
  const clock = new FakeClock();
  const wire = new FakeWire(clock);
  let dropped = false;
  wire.rules.push((d) => {
    const h = header(d.data);
    if (!dropped && h?.exchange === ExchangeType.IKE_AUTH && h.flags.response) {
      dropped = true;
      return { drop: true };
    }
    return undefined;
  });
  const a = node(wire, "a", "192.0.2.1", [
    vpn("192.0.2.1", "198.51.100.2", { children: [child("10.1.0.0/24", "10.2.0.0/24")] }),
  ], 1);
  const b = node(wire, "b", "198.51.100.2", [
    vpn("198.51.100.2", "192.0.2.1", { children: [child("10.2.0.0/24", "10.1.0.0/24")] }),
  ], 2);
  a.ike.initiate("vpn");
  clock.advance(5_000);
  assert(mirrored(a, b), dump(a) + dump(b));
  assertEquals(b.ike.counters.retransmitsAnswered, 1);
  assertEquals(b.ike.listChildSas().length, 1, "the request was processed once");
});

Deno.test("ike lifecycle: duplicated and reordered datagrams do not disturb an exchange", () => {
  const p = pair();
  p.wire.rules.push((_d, n) => ({ copies: 2, delay: 1 + (n % 3) * 5 }));
  p.a.ike.initiate("vpn");
  p.clock.advance(200);
  assert(mirrored(p.a, p.b), dump(p.a) + dump(p.b));
  p.a.ike.rekey({ childSpi: parseInt(p.a.ike.listChildSas()[0]!.spiIn, 16) });
  p.clock.advance(200);
  assert(mirrored(p.a, p.b));
  assertEquals(p.a.ike.counts().childSas, 1);
  assert(
    p.b.ike.counters.retransmitsAnswered + p.b.ike.drops["unexpected-response"] +
        p.a.ike.drops["unexpected-response"] > 0,
  );
});

Deno.test("ike lifecycle: a retransmitted fragmented request is answered once from the cache", () => {
  const many = Array.from(
    { length: 30 },
    (_, i) => ({ prefix: parsePrefix(`10.1.${i}.0/24`), protocol: 0 }),
  );
  const p = pair({
    a: { children: [{ ...child("10.1.0.0/24", "10.2.0.0/24"), localTs: many }] },
    b: { children: [child("10.2.0.0/24", "10.1.0.0/16")] },
    options: { fragmentSize: 400 },
  });
  let dropped = false;
  p.wire.rules.push((d) => {
    const h = header(d.data);
    if (!dropped && h?.exchange === ExchangeType.IKE_AUTH && h.flags.response) {
      dropped = true;
      return { drop: true };
    }
    return undefined;
  });
  p.a.ike.initiate("vpn");
  p.clock.advance(5_000);
  assert(mirrored(p.a, p.b), dump(p.a) + dump(p.b));
  assert(p.a.ike.counters.fragmentsSent > 2, "the request was fragmented");
  assertEquals(p.b.ike.counters.retransmitsAnswered, 1);
});

Deno.test("ike lifecycle: an unanswered initiator gives up after 5 retransmits, keying-tries retries", () => {
  const clock = new FakeClock();
  const wire = new FakeWire(clock);
  const a = node(wire, "a", "192.0.2.1", [
    vpn("192.0.2.1", "198.51.100.2", { ike: ikePolicy({ keyingTries: 3 }) }),
  ], 1);
  const fails: (number | undefined)[] = [];
  a.ike.events.on("ike-sa-failed", (e) => fails.push(e.retryIn));
  a.ike.initiate("vpn");
  clock.advance(166_000);
  assertEquals(wire.log.length, 6, "first send and 5 retransmits");
  assertEquals(fails, [1000]);
  clock.advance(3 * 170_000);
  assertEquals(fails, [1000, 2000, undefined]);
  assertEquals(wire.log.length, 18);
  assertEquals(a.ike.counts().ikeSas, 0);
});

Deno.test("ike lifecycle: keying-tries 0 retries forever", () => {
  const clock = new FakeClock();
  const wire = new FakeWire(clock);
  const a = node(wire, "a", "192.0.2.1", [
    vpn("192.0.2.1", "198.51.100.2", { ike: ikePolicy({ keyingTries: 0 }) }),
  ], 1);
  let fails = 0;
  a.ike.events.on("ike-sa-failed", () => fails++);
  a.ike.initiate("vpn");
  clock.advance(10 * 230_000);
  assert(fails >= 10, `${fails} attempts`);
  assertEquals(a.ike.counts().ikeSas, 1, "still trying");
});

Deno.test("ike lifecycle: unique-sa replace keeps only the newest IKE SA of a peer", () => {
  const p = establishedPair({ b: { ike: ikePolicy({ uniqueSa: "replace" }) } });
  p.a.ike.initiate("vpn");
  p.clock.advance(200);
  assertEquals(states(p.b), ["established"], dump(p.b));
  assertEquals(states(p.a), ["established"], dump(p.a));
  assert(mirrored(p.a, p.b));
});

Deno.test("ike lifecycle: unique-sa keep refuses a second IKE SA, no keeps both", () => {
  for (const policy of ["keep", "no"] as const) {
    const p = establishedPair({ b: { ike: ikePolicy({ uniqueSa: policy }) } });
    const first = p.b.ike.listIkeSas()[0]!.spiI;
    p.a.ike.initiate("vpn");
    p.clock.advance(200);
    const sas = p.b.ike.listIkeSas();
    if (policy === "keep") assertEquals(sas.map((s) => s.spiI), [first], dump(p.b));
    else assertEquals(sas.length, 2);
  }
});

Deno.test("ike lifecycle: INITIAL_CONTACT from a restarted peer clears its old SAs", () => {
  const p = establishedPair();
  // a restarts: a fresh engine at the same address initiates again.
  const a2 = node(p.wire, "a2", "192.0.2.1", [
    vpn("192.0.2.1", "198.51.100.2", { children: [child("10.1.0.0/24", "10.2.0.0/24")] }),
  ], 77);
  a2.ike.initiate("vpn");
  p.clock.advance(100);
  assertEquals(states(p.b), ["established"], dump(p.b));
  assertEquals(p.b.ike.counts().childSas, 1);
  assert(mirrored(a2, p.b));
});

Deno.test("ike lifecycle: a half-open responder SA is dropped after the timeout", () => {
  const p = pair();
  p.wire.rules.push((
    d,
  ) => (header(d.data)?.exchange === ExchangeType.IKE_AUTH ? { drop: true } : undefined));
  p.a.ike.initiate("vpn");
  p.clock.advance(100);
  assertEquals(p.b.ike.counts().halfOpen, 1);
  p.clock.advance(30_000);
  assertEquals(p.b.ike.counts().ikeSas, 0);
});

Deno.test("ike lifecycle: make-before-break reauthentication replaces the IKE SA", () => {
  const p = establishedPair({ a: { ike: ikePolicy({ reauthTime: 1200 }) } });
  const old = p.a.ike.listIkeSas()[0]!.spiI;
  p.clock.advance(1200_000);
  const now = p.a.ike.listIkeSas();
  assertEquals(now.map((s) => s.state), ["established"], dump(p.a));
  assert(now[0]!.spiI !== old);
  assertEquals(states(p.b), ["established"]);
  assertEquals(p.a.ike.counts().childSas, 1);
  assert(mirrored(p.a, p.b));
});

Deno.test("ike lifecycle: shutdown sends deletes and leaves nothing", () => {
  const p = establishedPair();
  p.a.ike.shutdown();
  p.clock.advance(100);
  assertEquals(p.a.ike.counts().ikeSas + p.b.ike.counts().ikeSas, 0);
  assertEquals(p.a.dataplane.sas.size + p.b.dataplane.sas.size, 0);
});
