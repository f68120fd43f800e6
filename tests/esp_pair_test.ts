/**
 * Two in-memory dataplanes with static keys talking to each other, across
 * modes, ESN, encapsulations and transforms; then every inbound drop reason
 * provoked on purpose and checked against the counters.
 */
import { sealEsp } from "../esp/encap.ts";
import type { SecurityAssociation } from "../esp/sa.ts";
import { assert, assertEquals } from "./assert.ts";
import { type Gateway, gatewayPair, receive, sent } from "./esp_fixtures.ts";
import { packet, refChecksum } from "./esp_packets.ts";
import {
  AES128_CBC,
  AES128_CTR,
  AES256_GCM_128,
  CHACHA20_POLY1305,
  encryption,
  HMAC_SHA256_128,
  integrity,
} from "./esp_transforms.ts";
import type { EncryptionAlgorithm } from "../crypto/types.ts";

function bytes(x: Uint8Array | string): Uint8Array {
  if (typeof x === "string") throw new Error(`expected bytes, got ${x}`);
  return x;
}

function from(g: Gateway, to: Gateway, spec: Partial<Parameters<typeof packet>[0]> = {}) {
  return packet({
    src: g.host,
    dst: to.host,
    protocol: 17,
    srcPort: 1111,
    dstPort: 2222,
    payload: 100,
    ...spec,
  });
}

const MATRIX = [
  ["tunnel", false, "udp", AES128_CBC, 4],
  ["tunnel", true, "udp", AES128_CBC, 4],
  ["tunnel", false, "raw", AES256_GCM_128, 4],
  ["tunnel", true, "raw", CHACHA20_POLY1305, 4],
  ["tunnel", true, "udp", AES128_CTR, 6],
  ["tunnel", false, "udp", AES256_GCM_128, 6],
  ["transport", false, "udp", AES128_CBC, 4],
  ["transport", true, "raw", AES256_GCM_128, 4],
  ["transport", false, "raw", AES128_CBC, 6],
  ["transport", true, "udp", CHACHA20_POLY1305, 6],
  ["tunnel", true, "udp", encryption("aes256-gcm-128", "native"), 4],
  ["tunnel", false, "udp", encryption("aes128-cbc", "native"), 4],
  ["transport", false, "raw", encryption("chacha20-poly1305", "native"), 6],
  ["tunnel", true, "udp", encryption("aes256-gcm-128", "openssl"), 4],
  ["tunnel", false, "raw", encryption("aes128-cbc", "openssl"), 4],
  ["transport", true, "udp", encryption("aes128-cbc", "openssl"), 6],
  ["transport", false, "raw", encryption("chacha20-poly1305", "openssl"), 4],
] as const;

/** " (native)", " (openssl)" or "" for the pure provider's transforms. */
function providerOf(enc: EncryptionAlgorithm): string {
  if (enc === encryption(enc.name)) return "";
  return enc === encryption(enc.name, "native") ? " (native)" : " (openssl)";
}

for (const [mode, esn, via, enc, family] of MATRIX) {
  const provider = providerOf(enc);
  Deno.test(`pair: ${mode} ${via} ${esn ? "esn" : "no-esn"} ${enc.name}${provider} IPv${family} both ways`, () => {
    const { a, b } = gatewayPair({
      mode,
      esn,
      via,
      encryption: enc,
      family,
      ...(enc === AES128_CTR ? { integrity: HMAC_SHA256_128 } : {}),
      ...(provider === " (openssl)" && !enc.aead
        ? { integrity: integrity("hmac-sha1", "openssl") }
        : {}),
      ...(provider === " (openssl)" && !enc.aead
        ? { integrity: integrity("hmac-sha1", "openssl") }
        : {}),
    });
    for (const [x, y] of [[a, b], [b, a]] as const) {
      for (let i = 0; i < 5; i++) {
        for (const proto of [17, 6, 1] as const) {
          const p = from(x, y, {
            protocol: proto === 1 && family === 6 ? 58 : proto,
            payload: 20 + 37 * i,
          });
          const esp = bytes(sent(x.dp, p));
          assertEquals(
            esp.subarray(0, 4),
            Uint8Array.of(0, x.out.spi >>> 16, 0, 1),
            "SPI on the wire",
          );
          const got = bytes(receive(y, x, esp, via));
          if (mode === "tunnel") {
            assertEquals(got, p, "the inner packet arrives unchanged");
          } else {
            // Transport mode: a rebuilt IP header with the same addresses and protocol, the same payload.
            const hl = family === 4 ? 20 : 40;
            assertEquals(got.subarray(hl), transportPayload(p, hl, via), "payload");
            assertEquals(got.length, p.length);
            if (family === 4) {
              assertEquals(
                [got[9], refChecksum(got.subarray(0, 20))],
                [p[9], 0],
                "protocol, header checksum",
              );
              assertEquals(got.subarray(12, 20), p.subarray(12, 20), "addresses");
            } else {
              assertEquals([got[6]], [p[6]], "next header");
              assertEquals(got.subarray(8, 40), p.subarray(8, 40), "addresses");
            }
            assertEquals(
              l4ChecksumOk(got, family),
              true,
              "TCP/UDP/ICMP checksum valid after RFC 3948 repair",
            );
          }
        }
      }
      assertEquals(x.out.counters.packets, 15);
      assertEquals(y.in.counters.packets, 15);
      assertEquals(y.in.replay!.top, 15);
      assertEquals(x.dp.counters().drops, {});
      assertEquals(y.dp.counters().drops, {});
    }
  });
}

/** What transport mode delivers: the payload, with RFC 3948 §3.1.2 repairs when UDP-encapsulated. */
function transportPayload(p: Uint8Array, hl: number, via: "udp" | "raw"): Uint8Array {
  const pl = p.slice(hl);
  if (via === "raw") return pl;
  const proto = hl === 20 ? p[9] : p[6];
  if (proto === 17 && hl === 20) pl[6] = pl[7] = 0; // IPv4 UDP: checksum zeroed
  return pl; // TCP and IPv6 UDP: recomputed over the same addresses, so unchanged
}

/** Verifies the upper-layer checksum of an IP packet (0 = absent is fine for IPv4 UDP). */
function l4ChecksumOk(p: Uint8Array, family: 4 | 6): boolean {
  const hl = family === 4 ? 20 : 40;
  const proto = family === 4 ? p[9]! : p[6]!;
  const body = p.subarray(hl);
  if (proto === 1) return refChecksum(body) === 0;
  if (proto === 17 && family === 4 && body[6] === 0 && body[7] === 0) return true;
  const addrs = family === 4 ? p.subarray(12, 20) : p.subarray(8, 40);
  const pseudo = new Uint8Array(addrs.length + 4);
  pseudo.set(addrs);
  pseudo[addrs.length + 1] = proto;
  pseudo[addrs.length + 2] = body.length >> 8;
  pseudo[addrs.length + 3] = body.length & 0xff;
  return refChecksum(pseudo, body) === 0;
}

for (
  const [label, enc] of [
    ["aes128-cbc + hmac-sha1-96", AES128_CBC],
    ["aes256-gcm-128 native", encryption("aes256-gcm-128", "native")],
  ] as const
) {
  Deno.test(`pair: replays, reorders inside and outside the window, corrupted ICVs, each counted (${label})`, () => {
    const { a, b } = gatewayPair({ replayWindow: 32, encryption: enc });
    const esp = Array.from(
      { length: 60 },
      (_, i) => bytes(sent(a.dp, from(a, b, { payload: 10 + i }))),
    );
    const deliver = (i: number) => receive(b, a, esp[i - 1]!.slice());
    const ok = (x: Uint8Array | string) => typeof x !== "string";
    // in order, then the same packet again
    assert(ok(deliver(1)) && ok(deliver(2)) && ok(deliver(3)));
    assertEquals(deliver(2), "drop:replay");
    // reorder inside the window: 10 first, then 5..9 late
    assert(ok(deliver(10)));
    for (const i of [7, 5, 9, 6, 8]) assert(ok(deliver(i)), `late ${i} inside the window`);
    assertEquals(deliver(7), "drop:replay");
    // jump ahead: 50 moves the window to 19..50; 18 is outside, 19 inside, 4 never seen but too old
    assert(ok(deliver(50)));
    assertEquals(deliver(18), "drop:replay-old");
    assertEquals(deliver(4), "drop:replay-old");
    assert(ok(deliver(19)));
    // corrupted ICV (last byte), corrupted ciphertext, corrupted sequence number: all ICV failures, window untouched
    const bad1 = esp[50]!.slice();
    bad1[bad1.length - 1]! ^= 1;
    assertEquals(receive(b, a, bad1), "drop:icv");
    const bad2 = esp[51]!.slice();
    bad2[40]! ^= 0x10;
    assertEquals(receive(b, a, bad2), "drop:icv");
    const bad3 = esp[52]!.slice();
    bad3[7] = 55; // claims seq 55 instead of 53
    assertEquals(receive(b, a, bad3), "drop:icv");
    assertEquals(b.in.replay!.top, 50, "failed ICVs never move the window");
    assert(ok(deliver(51)) && ok(deliver(53)) && ok(deliver(55)), "the genuine packets still pass");
    assertEquals(b.dp.counters().drops, { replay: 2, "replay-old": 2, icv: 3 });
    assertEquals([b.in.counters.replayDrops, b.in.counters.icvFailures, b.in.counters.packets], [
      4,
      3,
      14,
    ]);
  });
}

Deno.test("pair: unknown SPI, encapsulation mismatch, truncation, bad seq, IKE, keepalive, garbage", () => {
  const { a, b } = gatewayPair({});
  const esp = bytes(sent(a.dp, from(a, b)));
  const other = esp.slice();
  other[3] = 9;
  assertEquals(receive(b, a, other), "drop:no-sa");
  assertEquals(receive(b, a, esp.slice(), "raw"), "drop:encap-mismatch");
  assertEquals(receive(b, a, esp.subarray(0, 30)), "drop:truncated");
  const zero = esp.slice();
  zero[4] =
    zero[5] =
    zero[6] =
    zero[7] =
      0;
  assertEquals(receive(b, a, zero), "drop:bad-seq");
  // RFC 3948: non-ESP marker -> IKE (marker stripped), 0xFF -> keepalive, short -> bad
  const ike = new Uint8Array(4 + 28).fill(7, 4);
  ike.fill(0, 0, 4);
  const r = b.dp.inbound(ike, a.outer, b.outer, 4500, 4500, "udp");
  assertEquals([r.kind, r.offset, r.length, r.buf[r.offset]], ["ike", 4, 28, 7]);
  assertEquals(b.dp.inbound(Uint8Array.of(0xff), null, null, 4500, 4500, "udp").kind, "keepalive");
  assertEquals(receive(b, a, Uint8Array.of(1, 2, 3)), "drop:bad-udp");
  assertEquals(receive(b, a, Uint8Array.of(0, 0, 0, 0)), "drop:bad-udp");
  assertEquals(receive(b, a, Uint8Array.of(1, 2, 3), "raw"), "drop:truncated");
  assert(
    typeof receive(b, a, esp.slice()) !== "string",
    "the genuine packet passes after all that",
  );
  assertEquals(receive(b, a, esp.slice()), "drop:replay");
  const c = b.dp.counters();
  assertEquals([c.stats.ike, c.stats.keepalives], [1, 1]);
  assertEquals(c.drops, {
    "no-sa": 1,
    "encap-mismatch": 1,
    truncated: 2,
    "bad-seq": 1,
    "bad-udp": 2,
    replay: 1,
  });
  // Garbage never throws: random datagrams on both paths.
  let x = 5;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 3000; i++) {
    const d = Uint8Array.from({ length: rnd() % 120 }, rnd);
    if (i % 3 === 0 && d.length >= 8) d.set(esp.subarray(0, 4)); // a valid SPI in front
    b.dp.inbound(d, null, null, 4500, 4500, i % 2 ? "udp" : "raw");
    a.dp.outbound(d, i % 5 === 0 ? 7 : null);
  }
});

Deno.test("pair: dummy packets, policy mismatch after decryption, TFC padding trimmed", () => {
  const { a, b } = gatewayPair({});
  // A dummy packet (next header 59) from A's outbound SA, built with the ESP layer directly.
  const st = a.out;
  const fake = (inner: Uint8Array, nh: number, extra = 0) => {
    const padded = new Uint8Array(inner.length + extra);
    padded.set(inner);
    const out = new Uint8Array(2000);
    const scratch = new Uint8Array(2000);
    const seq = ++st.seqOut;
    const n = sealEspForTest(st, seq, padded, nh, out, scratch);
    return out.slice(0, n);
  };
  assertEquals(receive(b, a, fake(new Uint8Array(16), 59)), "drop:dummy");
  // Inner packet outside B's inbound selectors (10.1.0.0/24 -> 10.2.0.0/24).
  const stray = packet({ src: "10.9.9.9", dst: b.host, protocol: 17 });
  assertEquals(receive(b, a, fake(stray, 4)), "drop:policy-mismatch");
  // Wrong next header for the inner version, and garbage inside.
  assertEquals(receive(b, a, fake(from(a, b), 41)), "drop:bad-inner");
  assertEquals(receive(b, a, fake(new Uint8Array(30).fill(0x45), 4)), "drop:bad-inner");
  // TFC padding after the inner packet (RFC 4303 §2.7) is cut off.
  const p = from(a, b);
  assertEquals(receive(b, a, fake(p, 4, 13)), p);
  assertEquals(b.dp.counters().drops, { dummy: 1, "policy-mismatch": 1, "bad-inner": 2 });
  assertEquals([b.in.counters.policyDrops, b.in.counters.malformed], [1, 2]);
});

function sealEspForTest(
  sa: SecurityAssociation,
  seq: number,
  payload: Uint8Array,
  nh: number,
  out: Uint8Array,
  scratch: Uint8Array,
): number {
  const iv = new Uint8Array(sa.ivLength).fill(3);
  return sealEsp(
    sa,
    Math.floor(seq / 2 ** 32),
    seq >>> 0,
    iv,
    payload,
    0,
    payload.length,
    nh,
    out,
    scratch,
  );
}

Deno.test("pair: transport mode behind a NAT: checksums repaired for the addresses B sees (RFC 3948 §3.1.2)", () => {
  for (const via of ["udp", "raw"] as const) {
    const { a, b } = gatewayPair({ mode: "transport", via });
    // A's stack used its private address; the NAT in front of A shows B the SA's address 192.0.2.1.
    a.dp.addPolicy({
      selector: { src: "10.0.0.5/32", dst: "198.51.100.1/32" },
      action: { kind: "protect", reqid: 1 },
    });
    for (const protocol of [6, 17] as const) {
      const p = packet({
        src: "10.0.0.5",
        dst: "198.51.100.1",
        protocol,
        srcPort: 40000,
        dstPort: 179,
        payload: 33,
      });
      const got = bytes(receive(b, a, bytes(sent(a.dp, p)), via));
      assertEquals(got.subarray(12, 16), Uint8Array.of(192, 0, 2, 1), "the SA's peer address");
      if (via === "udp") {
        assertEquals(
          l4ChecksumOk(got, 4),
          true,
          `protocol ${protocol}: valid for the rebuilt header`,
        );
        if (protocol === 17) assertEquals([got[26], got[27]], [0, 0], "IPv4 UDP checksum zeroed");
      } else {
        // Without UDP encapsulation there is no NAT to repair for: the bytes stay as sent.
        assertEquals(got.subarray(20), p.subarray(20));
      }
    }
  }
});

Deno.test("pair: random datagrams and packets never throw, for every transform and provider", () => {
  const transforms = [
    AES128_CBC,
    AES128_CTR,
    AES256_GCM_128,
    CHACHA20_POLY1305,
    encryption("aes128-cbc", "native"),
    encryption("aes256-gcm-128", "native"),
    encryption("chacha20-poly1305", "native"),
    encryption("aes128-cbc", "openssl"),
    encryption("aes256-gcm-128", "openssl"),
  ];
  let x = 11;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  for (const enc of transforms) {
    const { a, b } = gatewayPair({
      encryption: enc,
      ...(enc === AES128_CTR ? { integrity: HMAC_SHA256_128 } : {}),
      ...(providerOf(enc) === " (openssl)" && !enc.aead
        ? { integrity: integrity("hmac-sha1", "openssl") }
        : {}),
    });
    const good = bytes(sent(a.dp, from(a, b)));
    for (let i = 0; i < 1500; i++) {
      const d = Uint8Array.from({ length: rnd() % 160 }, rnd);
      if (i % 2 === 0 && d.length >= 8) d.set(good.subarray(0, 4)); // the right SPI
      if (i % 4 === 0 && d.length >= 8) d.set(good.subarray(4, 8), 4); // and a fresh-looking seq
      const r = b.dp.inbound(d, null, null, 4500, 4500, "udp");
      assert(r.kind !== "tun", `${enc.name}: garbage never decrypts`);
      a.dp.outbound(d);
    }
    assertEquals(
      typeof receive(b, a, good),
      "object",
      `${enc.name}: the genuine packet still passes`,
    );
  }
});
