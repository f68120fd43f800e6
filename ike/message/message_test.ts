import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { gp, header, rawMessage } from "../../tests/ike_codec_build.ts";
import { doubleAead, doubleSk, fixedRng } from "../../tests/ike_codec_doubles.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { SeededRng } from "../../core/rng.ts";
import { ExchangeType, IKE_HEADER_LENGTH, NotifyType, PayloadType as T } from "../constants.ts";
import { IkeEncodeError } from "./bytes.ts";
import { decodeMessage, encodeMessage, protect, unprotect } from "./message.ts";
import type { SkProtection } from "./sk.ts";
import type { IkeMessage, Payload, RawMessage } from "./types.ts";

const INNER: Payload[] = [
  { kind: "idi", critical: false, idType: 1, data: hex("0ae10001") },
  {
    kind: "notify",
    critical: false,
    protocol: 0,
    spi: new Uint8Array(0),
    type: NotifyType.INITIAL_CONTACT,
    data: new Uint8Array(0),
  },
  { kind: "auth", critical: false, method: 2, data: new Uint8Array(20).fill(0x5a) },
];

function msg(payloads: Payload[] = INNER): IkeMessage {
  return { header: header(), payloads };
}

function decoded(bytes: Uint8Array): RawMessage {
  const r = decodeMessage(bytes);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

Deno.test("message: an unprotected IKE_SA_INIT encodes and decodes", () => {
  const payloads: Payload[] = [
    { kind: "nonce", critical: false, data: new Uint8Array(32).fill(1) },
    {
      kind: "notify",
      critical: false,
      protocol: 0,
      spi: new Uint8Array(0),
      type: NotifyType.IKEV2_FRAGMENTATION_SUPPORTED,
      data: new Uint8Array(0),
    },
  ];
  const bytes = encodeMessage({ header: header({ exchange: ExchangeType.IKE_SA_INIT }), payloads });
  const r = decodeMessage(bytes);
  assertEquals(r.ok && r.value.header.nextPayload, T.NONCE);
  assertEquals(r.ok && r.value.header.length, bytes.length);
  assertEquals(r.ok && r.value.payloads, payloads);
});

const SUITES: [string, () => SkProtection & { calls: { decrypt: number } }][] = [
  ["block cipher + integrity", () => doubleSk()],
  ["block 8, IV 8, ICV 16", () => doubleSk({ blockSize: 8, ivLength: 8, icvLength: 16 })],
  ["AEAD", () => doubleAead()],
];

Deno.test("message: protect then unprotect gives the inner payloads back", () => {
  for (const [label, make] of SUITES) {
    for (const payloads of [INNER, [], [INNER[0]!]]) {
      const sk = make();
      const bytes = protect(msg(payloads), sk, new SeededRng(1));
      const raw = decoded(bytes);
      assertEquals(raw.header.nextPayload, T.SK, label);
      assertEquals(raw.payloads.map((p) => p.kind), ["sk"], label);
      const r = unprotect(raw, sk);
      assertEquals(r.ok && r.value.message.payloads, payloads, label);
      if (r.ok) assertEquals(r.value.padding.every((b) => b === 0), true, label);
    }
  }
});

Deno.test("message: padding is minimal by default and reproducible on request", () => {
  const sk = doubleSk();
  const plain = 12 + 8 + 28; // IDi, N, AUTH with generic headers
  const bytes = protect(msg(), sk, new SeededRng(2));
  const padLength = (16 - ((plain + 1) % 16)) % 16;
  assertEquals(bytes.length, IKE_HEADER_LENGTH + 4 + 16 + plain + padLength + 1 + 12);
  const custom = new Uint8Array(padLength + 16).map((_, i) => 0xa0 + i);
  const again = protect(msg(), sk, new SeededRng(2), { padding: custom });
  const r = unprotect(decoded(again), sk);
  assertEquals(r.ok && toHex(r.value.padding), toHex(custom));
  assertThrows(
    () => protect(msg(), sk, new SeededRng(2), { padding: new Uint8Array(1) }),
    IkeEncodeError,
    "Cannot pad",
  );
});

Deno.test("message: the IV comes from the injected Rng", () => {
  const sk = doubleSk();
  const iv = hex("000102030405060708090a0b0c0d0e0f");
  const bytes = protect(msg(), sk, fixedRng(iv));
  assertEquals(toHex(bytes.subarray(32, 48)), toHex(iv));
});

Deno.test("message: any change to a protected message fails integrity before decryption", () => {
  for (const [label, make] of SUITES) {
    const sk = make();
    const bytes = protect(msg(), sk, new SeededRng(3));
    for (let i = 0; i < bytes.length; i++) {
      if (i >= 24 && i < 28) continue; // the Length field: decodeMessage refuses first
      const bad = bytes.slice();
      bad[i]! ^= 0x01;
      const raw = decodeMessage(bad);
      if (!raw.ok) continue; // header or chain fields: refused before any crypto
      const before = sk.calls.decrypt;
      const r = unprotect(raw.value, sk);
      assertEquals(r.ok ? "ok" : r.error.code, "integrity", `${label}, byte ${i}`);
      if (sk.integrity) {
        assertEquals(sk.calls.decrypt, before, `${label}, byte ${i}: decrypted before ICV`);
      }
    }
  }
});

Deno.test("message: a wrong key fails integrity", () => {
  const bytes = protect(msg(), doubleSk({ key: 1 }), new SeededRng(4));
  const r = unprotect(decoded(bytes), doubleSk({ key: 2 }));
  assertEquals(r.ok ? "ok" : r.error.code, "integrity");
  const a = protect(msg(), doubleAead(1), new SeededRng(4));
  const ra = unprotect(decoded(a), doubleAead(2));
  assertEquals(ra.ok ? "ok" : ra.error.code, "integrity");
});

Deno.test("message: bodies that cannot hold IV, block and ICV are refused without crypto", () => {
  const sk = doubleSk();
  for (const bodyLength of [0, 16, 27, 28, 29, 43, 45]) {
    const bytes = rawMessage(T.SK, [gp(T.IDI, new Uint8Array(bodyLength))], ExchangeType.IKE_AUTH);
    const r = unprotect(decoded(bytes), sk);
    assertEquals(r.ok ? "ok" : r.error.code, "length", `body ${bodyLength}`);
  }
  assertEquals(sk.calls, { encrypt: 0, decrypt: 0, mac: 0, verify: 0 });
});

Deno.test("message: authenticated but malformed plaintext gives INVALID_SYNTAX", () => {
  const sk = doubleSk();
  // Pad Length larger than the plaintext: flip bits of the last plaintext byte
  // through the keystream cipher, then fix the ICV.
  const bytes = protect(msg([]), sk, new SeededRng(5));
  const lastPlain = bytes.length - 12 - 1;
  bytes[lastPlain]! ^= 15 ^ 200;
  bytes.set(sk.integrity!.mac(bytes.subarray(0, bytes.length - 12)), bytes.length - 12);
  const r = unprotect(decoded(bytes), sk);
  assertEquals(r.ok ? undefined : [r.error.code, r.error.notify?.type], [
    "syntax",
    NotifyType.INVALID_SYNTAX,
  ]);

  // An unknown critical inner payload: offsets count from the plaintext.
  const inner: Payload[] = [INNER[0]!, {
    kind: "unknown",
    critical: false,
    type: 222,
    data: hex("00"),
  }];
  const p = protect(msg(inner), sk, new SeededRng(6));
  const at = 32 + 16 + 12 + 1; // critical bit of the second inner payload, after the 12-byte IDi
  const clear = unprotect(decoded(p), sk);
  assertEquals(clear.ok, true);
  p[at]! ^= 0x80;
  p.set(sk.integrity!.mac(p.subarray(0, p.length - 12)), p.length - 12);
  const c = unprotect(decoded(p), sk);
  assertEquals(c.ok ? undefined : [c.error.code, c.error.offset, c.error.notify?.type], [
    "critical",
    12,
    NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
  ]);
});

Deno.test("message: unprotect wants an SK payload", () => {
  const clear = encodeMessage(msg());
  const r = unprotect(decoded(clear), doubleSk());
  assertEquals(r.ok ? undefined : r.error.code, "syntax");
  const frag = rawMessage(
    T.SKF,
    [gp(T.IDI, [0, 1, 0, 1, ...new Uint8Array(44)])],
    ExchangeType.IKE_AUTH,
  );
  const f = unprotect(decoded(frag), doubleSk());
  assertEquals(f.ok ? undefined : f.error.code, "fragment");
});
