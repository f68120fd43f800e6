import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { hex, toHex } from "../tests/pcap.ts";
import { readVrrpCapture, VRRP_CAPTURES, VRRP_CAPTURES_V6 } from "../tests/vrrp_captures.ts";
import { formatIp, type IpAddress, parseIp } from "../core/ip.ts";
import { SeededRng } from "../core/rng.ts";
import {
  decodeVrrp,
  encodeVrrp,
  setVrrpPriority,
  VRRP_CODEC_DROPS,
  VRRP_GROUP_V4,
  VRRP_GROUP_V6,
  type VrrpAdvert,
  vrrpChecksum,
  type VrrpCodecDrop,
} from "./packet.ts";

/** Per capture: adverts per (source, priority, interval cs), from the lab README and tcpdump. */
const EXPECTED: Record<
  typeof VRRP_CAPTURES[number],
  { total: number; by: Record<string, number> }
> = {
  "keepalived-2.2.7-vrrpv3-adv1s-hard.pcap": {
    total: 9,
    by: { "10.78.0.2/100/100": 5, "10.78.0.1/200/100": 4 },
  },
  "keepalived-2.2.7-vrrpv3-adv1s-graceful.pcap": {
    total: 9,
    by: { "10.78.0.2/100/100": 4, "10.78.0.1/200/100": 4, "10.78.0.1/0/100": 1 },
  },
  "keepalived-2.2.7-vrrpv3-adv100ms-hard.pcap": {
    total: 69,
    by: { "10.78.0.2/100/10": 33, "10.78.0.1/200/10": 36 },
  },
  "keepalived-2.2.7-vrrpv3-adv100ms-graceful.pcap": {
    total: 74,
    by: { "10.78.0.2/100/10": 28, "10.78.0.1/200/10": 45, "10.78.0.1/0/10": 1 },
  },
  "keepalived-2.2.7-vrrpv3-adv1s-vmac-hard.pcap": {
    total: 8,
    by: { "10.78.0.2/100/100": 4, "10.78.0.1/200/100": 4 },
  },
  "keepalived-2.2.7-vrrpv3-adv1s-vmac-graceful.pcap": {
    total: 9,
    by: { "10.78.0.2/100/100": 4, "10.78.0.1/200/100": 4, "10.78.0.1/0/100": 1 },
  },
  "keepalived-2.2.7-vrrpv3-vrid77-2vips-nodecrash.pcap": {
    total: 37,
    by: { "10.77.0.12/100/100": 27, "10.77.0.11/150/100": 10 },
  },
};

/** Internet checksum of the message alone (no pseudo-header). */
function plainChecksum(msg: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < msg.length; i += 2) sum += (msg[i]! << 8) | (msg[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

for (const name of VRRP_CAPTURES) {
  Deno.test(`vrrp packet: ${name}: every advert decodes, verifies and re-encodes byte for byte`, () => {
    const { adverts } = readVrrpCapture(name);
    const exp = EXPECTED[name];
    assertEquals(adverts.length, exp.total);
    const by: Record<string, number> = {};
    const vmac = name.includes("vmac");
    const vrid = name.includes("vrid77") ? 77 : 78;
    for (const a of adverts) {
      const r = decodeVrrp(a.message, { src: a.src, dst: a.dst, ttl: a.ttl });
      if (!r.ok) throw new Error(`${name} at ${a.timeUs} µs: ${r.reason} (${r.detail})`);
      const adv = r.advert;
      assertEquals(adv.vrid, vrid);
      assertEquals(adv.family, 4);
      const key = `${formatIp(a.src)}/${adv.priority}/${adv.intervalCs}`;
      by[key] = (by[key] ?? 0) + 1;
      assertEquals(toHex(encodeVrrp(adv, a.src, a.dst)), toHex(a.message));
      // Wire facts of the lab README.
      assertEquals(formatIp(a.dst), "224.0.0.18");
      assertEquals(a.dstMac, "01:00:5e:00:00:12");
      assertEquals(a.ttl, 255);
      assertEquals(a.tos, 0xc0);
      assertEquals(a.srcMac === "00:00:5e:00:01:4e", vmac, `source MAC ${a.srcMac}`);
      assert(plainChecksum(a.message) !== 0, "a checksum without pseudo-header verified");
      if (vrid === 77) {
        assertEquals(adv.addresses.map(formatIp), ["10.77.0.10", "10.77.1.1"]);
        assertEquals(a.message.length, 16);
      } else {
        assertEquals(adv.addresses.map(formatIp), ["10.78.0.10"]);
      }
    }
    assertEquals(by, exp.by);
  });
}

Deno.test("vrrp packet: the README's example bytes decode to vrid 78, prio 100, 100 cs, checksum 0x7515", () => {
  const msg = hex("31 4e 64 01 00 64 75 15 0a 4e 00 0a");
  const src = parseIp("10.78.0.2");
  const r = decodeVrrp(msg, { src, dst: VRRP_GROUP_V4, ttl: 255 });
  assert(r.ok);
  assertEquals(r.advert, {
    family: 4,
    vrid: 78,
    priority: 100,
    intervalCs: 100,
    addresses: [parseIp("10.78.0.10")],
  });
  assertEquals(toHex(encodeVrrp(r.advert, src, VRRP_GROUP_V4)), toHex(msg));
});

Deno.test("vrrp packet: setVrrpPriority rewrites priority 100 -> 0 like keepalived's resign advert", () => {
  // The two adverts of 10.78.0.1 in the 1 s graceful capture: prio 200 then prio 0.
  const { adverts } = readVrrpCapture("keepalived-2.2.7-vrrpv3-adv1s-graceful.pcap");
  const r1 = adverts.filter((a) => formatIp(a.src) === "10.78.0.1");
  const normal = r1[0]!;
  const resign = r1[r1.length - 1]!;
  assertEquals(resign.message[2], 0);
  const msg = normal.message.slice();
  setVrrpPriority(msg, 0, normal.src, normal.dst);
  assertEquals(toHex(msg), toHex(resign.message));
});

// ---------------------------------------------------------------------------
// IPv6 (RFC 5798 §5.1.2, §5.2.8): keepalived's capture, a hand-computed sum
// and round trips.

Deno.test(`vrrp packet: ${VRRP_CAPTURES_V6[0]}: IPv6 adverts verify with the IPv6 pseudo-header and re-encode`, () => {
  const { adverts } = readVrrpCapture(VRRP_CAPTURES_V6[0]);
  const by: Record<string, number> = {};
  for (const a of adverts) {
    const r = decodeVrrp(a.message, { src: a.src, dst: a.dst, ttl: a.ttl });
    if (!r.ok) throw new Error(`at ${a.timeUs} µs: ${r.reason} (${r.detail})`);
    assertEquals(r.advert.addresses.map(formatIp), ["fe80::78", "2001:db8:78::10"]);
    assertEquals([formatIp(a.dst), a.dstMac, a.ttl, a.tos, a.message.length], [
      "ff02::12",
      "33:33:00:00:00:12",
      255,
      0xc0,
      40,
    ]);
    assertEquals(toHex(encodeVrrp(r.advert, a.src, a.dst)), toHex(a.message));
    // The IPv4-style pseudo-header (16-bit length before the protocol) does not verify.
    assert(plainChecksum(a.message) !== 0);
    const key = `${formatIp(a.src)}/${r.advert.priority}/${r.advert.intervalCs}`;
    by[key] = (by[key] ?? 0) + 1;
  }
  assertEquals(by, {
    "fe80::344f:dbff:fefe:9ad2/100/100": 7,
    "fe80::344f:dbff:fefe:9ad2/0/100": 1,
    "fe80::b026:d5ff:fefe:4596/200/100": 3,
    "fe80::b026:d5ff:fefe:4596/0/100": 1,
  });
});

const LL = parseIp("fe80::1");

Deno.test("vrrp packet: IPv6 advert round-trips and verifies with the IPv6 pseudo-header", () => {
  const adv: VrrpAdvert = {
    family: 6,
    vrid: 1,
    priority: 100,
    intervalCs: 100,
    addresses: [parseIp("2001:db8::1"), parseIp("fe80::100")],
  };
  const msg = encodeVrrp(adv, LL, VRRP_GROUP_V6);
  assertEquals(msg.length, 8 + 32);
  assertEquals(vrrpChecksum(msg, LL, VRRP_GROUP_V6), 0);
  const r = decodeVrrp(msg, { src: LL, dst: VRRP_GROUP_V6, ttl: 255 });
  assert(r.ok);
  assertEquals(r.advert, adv);
  // The IPv4 pseudo-header form does not verify an IPv6 message.
  const v4 = { family: 4 as const, bytes: LL.bytes.subarray(12) };
  assert(vrrpChecksum(msg, v4, VRRP_GROUP_V4) !== 0);
});

Deno.test("vrrp packet: IPv6 checksum equals a sum worked out by hand", () => {
  // fe80::1 -> ff02::12, vrid 1, prio 100, 100 cs, one address fe80::100.
  // 16-bit words: pseudo-header fe80+0001 + ff02+0012 + length 0018 + next header 0070,
  // message 3101+6401+0064+0000 + fe80+0100.
  const words = [
    0xfe80,
    0x0001,
    0xff02,
    0x0012,
    0x0018,
    0x0070,
    0x3101,
    0x6401,
    0x0064,
    0xfe80,
    0x0100,
  ];
  let sum = words.reduce((a, b) => a + b, 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const expected = ~sum & 0xffff;
  const msg = encodeVrrp(
    { family: 6, vrid: 1, priority: 100, intervalCs: 100, addresses: [parseIp("fe80::100")] },
    LL,
    VRRP_GROUP_V6,
  );
  assertEquals((msg[6]! << 8) | msg[7]!, expected);
});

// ---------------------------------------------------------------------------
// Malformed messages: every drop reason, each case labelled.

const SRC4 = parseIp("10.78.0.2");
const GOOD = hex("31 4e 64 01 00 64 75 15 0a 4e 00 0a");

/** Re-checksums a modified message so that only the intended fault remains. */
function fixed(msg: Uint8Array, src: IpAddress = SRC4, dst: IpAddress = VRRP_GROUP_V4) {
  const m = msg.slice();
  m[6] = 0;
  m[7] = 0;
  const c = vrrpChecksum(m, src, dst);
  m[6] = c >> 8;
  m[7] = c & 0xff;
  return m;
}

function mutate(f: (m: Uint8Array) => void): Uint8Array {
  const m = GOOD.slice();
  f(m);
  return m;
}

interface BadCase {
  label: string;
  msg: Uint8Array;
  ttl?: number;
  src?: IpAddress;
  dst?: IpAddress;
  reason: VrrpCodecDrop;
  offset: number;
}

const BAD: BadCase[] = [
  {
    label: "§7.1 IPv6 destination for an IPv4 source",
    msg: GOOD,
    dst: VRRP_GROUP_V6,
    reason: "family",
    offset: 0,
  },
  { label: "§7.1 TTL 254 (routed once)", msg: GOOD, ttl: 254, reason: "ttl", offset: 0 },
  { label: "§7.1 TTL 1", msg: GOOD, ttl: 1, reason: "ttl", offset: 0 },
  { label: "§7.1 empty message", msg: new Uint8Array(0), reason: "truncated", offset: 0 },
  { label: "§7.1 7-byte header", msg: GOOD.slice(0, 7), reason: "truncated", offset: 7 },
  {
    label: "§5.2.1 version 2 (VRRPv2)",
    msg: fixed(mutate((m) => m[0] = 0x21)),
    reason: "version",
    offset: 0,
  },
  {
    label: "§5.2.1 version 15",
    msg: fixed(mutate((m) => m[0] = 0xf1)),
    reason: "version",
    offset: 0,
  },
  { label: "§5.2.2 type 0", msg: fixed(mutate((m) => m[0] = 0x30)), reason: "type", offset: 0 },
  { label: "§5.2.2 type 2", msg: fixed(mutate((m) => m[0] = 0x32)), reason: "type", offset: 0 },
  {
    label: "§7.1 count 2 but one address",
    msg: fixed(mutate((m) => m[3] = 2)),
    reason: "length",
    offset: 3,
  },
  {
    label: "§7.1 count 0 but one address",
    msg: fixed(mutate((m) => m[3] = 0)),
    reason: "length",
    offset: 3,
  },
  { label: "§7.1 address cut short", msg: GOOD.slice(0, 10), reason: "length", offset: 3 },
  {
    label: "§7.1 trailing byte",
    msg: new Uint8Array([...GOOD, 0]),
    reason: "length",
    offset: 3,
  },
  {
    label: "§7.1 IPv4 message from an IPv6 source (address length 16)",
    msg: GOOD,
    src: LL,
    dst: VRRP_GROUP_V6,
    reason: "length",
    offset: 3,
  },
  {
    label: "§5.2.8 checksum off by one",
    msg: mutate((m) => m[7]! ^= 1),
    reason: "checksum",
    offset: 6,
  },
  {
    label: "§5.2.8 priority changed, checksum not",
    msg: mutate((m) => m[2] = 200),
    reason: "checksum",
    offset: 6,
  },
  {
    label: "§5.2.8 checksummed for another source",
    msg: GOOD,
    src: parseIp("10.78.0.1"),
    reason: "checksum",
    offset: 6,
  },
  {
    label: "§5.2.8 checksummed for a unicast destination",
    msg: GOOD,
    dst: parseIp("10.78.0.1"),
    reason: "checksum",
    offset: 6,
  },
  { label: "§5.2.3 VRID 0", msg: fixed(mutate((m) => m[1] = 0)), reason: "vrid", offset: 1 },
  {
    label: "§5.2.7 Max Adver Int 0",
    msg: fixed(mutate((m) => {
      m[4] = 0;
      m[5] = 0;
    })),
    reason: "interval",
    offset: 4,
  },
  {
    label: "§5.2.7 Max Adver Int 0 with reserved bits set",
    msg: fixed(mutate((m) => {
      m[4] = 0xf0;
      m[5] = 0;
    })),
    reason: "interval",
    offset: 4,
  },
];

Deno.test("vrrp packet: malformed messages hit every codec drop reason", async (t) => {
  const seen = new Set<VrrpCodecDrop>();
  for (const c of BAD) {
    await t.step(c.label, () => {
      const r = decodeVrrp(c.msg, {
        src: c.src ?? SRC4,
        dst: c.dst ?? VRRP_GROUP_V4,
        ttl: c.ttl ?? 255,
      });
      assert(!r.ok, "decoded");
      assertEquals([r.reason, r.offset], [c.reason, c.offset], r.detail);
      seen.add(r.reason);
    });
  }
  assertEquals([...seen].sort(), [...VRRP_CODEC_DROPS].sort());
});

Deno.test("vrrp packet: reserved bits are ignored on receipt (§5.2.6)", () => {
  const m = fixed(mutate((m) => m[4] = 0xa0));
  const r = decodeVrrp(m, { src: SRC4, dst: VRRP_GROUP_V4, ttl: 255 });
  assert(r.ok);
  assertEquals(r.advert.intervalCs, 100);
});

Deno.test("vrrp packet: 4095 cs is the largest interval; 4096 does not fit", () => {
  const adv: VrrpAdvert = { family: 4, vrid: 255, priority: 255, intervalCs: 4095, addresses: [] };
  const r = decodeVrrp(encodeVrrp(adv, SRC4, VRRP_GROUP_V4), {
    src: SRC4,
    dst: VRRP_GROUP_V4,
    ttl: 255,
  });
  assert(r.ok);
  assertEquals(r.advert, adv);
  assertThrows(
    () => encodeVrrp({ ...adv, intervalCs: 4096 }, SRC4, VRRP_GROUP_V4),
    RangeError,
    "interval 4096 is out of range 1..4095",
  );
  assertThrows(
    () => encodeVrrp({ ...adv, vrid: 0 }, SRC4, VRRP_GROUP_V4),
    RangeError,
    "vrid 0 is out of range 1..255",
  );
  assertThrows(
    () => encodeVrrp(adv, LL, VRRP_GROUP_V6),
    RangeError,
    "needs IPv4 source and destination",
  );
});

Deno.test("vrrp packet: 20000 random corruptions never throw, and what passes re-encodes exactly", () => {
  const rng = new SeededRng(5798);
  const byte = () => rng.fill(new Uint8Array(1))[0]!;
  const bases = [
    GOOD,
    ...readVrrpCapture(VRRP_CAPTURES[6]).adverts.slice(0, 2).map((a) => a.message),
  ];
  let accepted = 0;
  for (let i = 0; i < 20000; i++) {
    const base = bases[i % bases.length]!;
    let m = base.slice();
    const kind = byte() % 4;
    if (kind === 0) {
      m[byte() % m.length]! ^= 1 << (byte() % 8);
    } else if (kind === 1) {
      m[byte() % m.length] = byte();
      m = fixed(m, base.length === 16 ? parseIp("10.77.0.12") : SRC4);
    } else if (kind === 2) {
      m = m.slice(0, byte() % (m.length + 1));
    } else {
      m = new Uint8Array([...m, ...rng.fill(new Uint8Array(1 + (byte() % 8)))]);
    }
    const src = base.length === 16 ? parseIp("10.77.0.12") : SRC4;
    const r = decodeVrrp(m, { src, dst: VRRP_GROUP_V4, ttl: byte() < 200 ? 255 : byte() });
    if (r.ok) {
      accepted++;
      if ((m[4]! & 0xf0) === 0) {
        assertEquals(toHex(encodeVrrp(r.advert, src, VRRP_GROUP_V4)), toHex(m));
      }
    } else {
      assert(r.offset >= 0 && r.offset <= m.length, `offset ${r.offset} beyond ${m.length}`);
    }
  }
  // Some corruptions (a re-checksummed priority or VRID byte) are valid messages.
  assert(accepted > 100 && accepted < 20000, `accepted ${accepted}`);
});
