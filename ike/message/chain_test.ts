import { assertEquals } from "../../tests/assert.ts";
import { gp } from "../../tests/ike_codec_build.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { MAX_PAYLOADS, NotifyType, PayloadType as T } from "../constants.ts";
import { decodePayloadChain, encodePayloadChain } from "./chain.ts";
import type { DecodeErrorCode, Payload } from "./types.ts";

const EVERY_KIND: Payload[] = [
  {
    kind: "notify",
    critical: false,
    protocol: 0,
    spi: new Uint8Array(0),
    type: NotifyType.COOKIE,
    data: hex("c0ffee"),
  },
  {
    kind: "sa",
    critical: false,
    proposals: [{
      number: 1,
      protocol: 1,
      spi: new Uint8Array(0),
      transforms: [{ type: 4, id: 31, keyLength: undefined, otherAttributes: [] }],
    }],
  },
  { kind: "ke", critical: false, group: 31, data: new Uint8Array(32).fill(9) },
  { kind: "nonce", critical: false, data: new Uint8Array(32).fill(1) },
  { kind: "idi", critical: false, idType: 1, data: hex("0ae10001") },
  { kind: "cert", critical: false, encoding: 4, data: hex("3082000a") },
  { kind: "certreq", critical: false, encoding: 4, data: new Uint8Array(20).fill(3) },
  { kind: "idr", critical: false, idType: 2, data: new TextEncoder().encode("gw") },
  { kind: "auth", critical: false, method: 2, data: new Uint8Array(20).fill(4) },
  { kind: "cp", critical: false, cfgType: 1, attributes: [{ type: 1, value: new Uint8Array(0) }] },
  {
    kind: "tsi",
    critical: false,
    selectors: [{
      type: 7,
      protocol: 0,
      startPort: 0,
      endPort: 65535,
      start: hex("0a650000"),
      end: hex("0a6500ff"),
    }],
  },
  {
    kind: "tsr",
    critical: false,
    selectors: [{
      type: 7,
      protocol: 0,
      startPort: 0,
      endPort: 65535,
      start: hex("0a660000"),
      end: hex("0a6600ff"),
    }],
  },
  { kind: "delete", critical: false, protocol: 3, spiSize: 4, spis: [hex("01020304")] },
  { kind: "eap", critical: false, data: hex("0201000601aa") },
  { kind: "vendor", critical: true, data: hex("4048b7d56ebce88525e7de7f00d6c2d3") },
  { kind: "unknown", critical: false, type: 200, data: hex("0102") },
];

Deno.test("chain: every payload kind round-trips through one chain, bytes and model", () => {
  const enc = encodePayloadChain(EVERY_KIND);
  assertEquals(enc.firstType, T.NOTIFY);
  const r = decodePayloadChain(enc.bytes, 0, enc.bytes.length, enc.firstType, true);
  assertEquals(r, { ok: true, value: EVERY_KIND });
  if (r.ok) assertEquals(toHex(encodePayloadChain(r.value).bytes), toHex(enc.bytes));
});

Deno.test("chain: empty chain and Next Payload 0", () => {
  assertEquals(encodePayloadChain([]), { bytes: new Uint8Array(0), firstType: 0 });
  assertEquals(decodePayloadChain(new Uint8Array(0), 0, 0, 0, true), { ok: true, value: [] });
});

Deno.test("chain: unknown payloads are kept unless critical (RFC 7296 §2.5)", () => {
  const nonCritical = Uint8Array.of(...gp(T.VENDOR, [0xaa], false), ...gp(0, [1, 2, 3, 4]));
  const ok = decodePayloadChain(nonCritical, 0, nonCritical.length, 99, false);
  assertEquals(ok.ok && ok.value, [
    { kind: "unknown", critical: false, type: 99, data: hex("aa") },
    { kind: "vendor", critical: false, data: hex("01020304") },
  ]);
  const critical = Uint8Array.of(...gp(T.VENDOR, [0xaa], true), ...gp(0, [1, 2, 3, 4]));
  const bad = decodePayloadChain(critical, 0, critical.length, 99, false);
  assertEquals(bad.ok ? undefined : bad.error, {
    code: "critical",
    offset: 0,
    reason: "unknown payload 99 marked critical",
    notify: { type: NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, data: Uint8Array.of(99) },
  });
  // A known payload with the critical bit is decoded (the bit is kept).
  const known = gp(0, [1, 2, 3, 4], true);
  const k = decodePayloadChain(known, 0, known.length, T.VENDOR, false);
  assertEquals(k.ok && k.value[0]!.critical, true);
});

Deno.test("chain: malformed chains fail at the offending offset, never loop or throw", () => {
  const v = (next: number, len?: number) => gp(next, [1, 2, 3, 4], false, len);
  const cases: [string, number[], number, boolean, DecodeErrorCode, number][] = [
    ["length 0 pointing at itself", [...v(T.VENDOR, 0)], T.VENDOR, false, "length", 2],
    ["length 3", [...v(0, 3)], T.VENDOR, false, "length", 2],
    ["length past the end", [...v(0, 9)], T.VENDOR, false, "truncated", 2],
    ["next payload but no bytes", [...v(T.VENDOR)], T.VENDOR, false, "truncated", 8],
    ["header cut", [...v(T.VENDOR), 0, 0], T.VENDOR, false, "truncated", 8],
    ["bytes after the last payload", [...v(0), 0], T.VENDOR, false, "length", 8],
    ["SK not last", [...gp(0, [0, 0, 0, 0]), ...v(0)], T.SK, false, "syntax", 0],
    ["SK inside SK", [...gp(0, [0, 0, 0, 0])], T.SK, true, "syntax", 0],
    ["SKF inside SK", [...gp(0, [0, 1, 0, 1])], T.SKF, true, "syntax", 0],
    ["SKF fragment 0", [...gp(T.IDI, [0, 0, 0, 1])], T.SKF, false, "syntax", 4],
    ["SKF fragment 3 of 2", [...gp(0, [0, 3, 0, 2])], T.SKF, false, "syntax", 4],
    ["SKF total 0", [...gp(0, [0, 1, 0, 0])], T.SKF, false, "syntax", 4],
    ["SKF 2 names a payload", [...gp(T.IDI, [0, 2, 0, 2])], T.SKF, false, "syntax", 0],
    ["SKF fields cut", [...gp(T.IDI, [0, 1])], T.SKF, false, "truncated", 4],
    ["bad inner payload", [...gp(0, [0, 0, 0])], T.NONCE, false, "syntax", 4],
  ];
  for (const [label, bytes, first, inner, code, offset] of cases) {
    const b = Uint8Array.from(bytes);
    const r = decodePayloadChain(b, 0, b.length, first, inner);
    assertEquals(r.ok ? undefined : [r.error.code, r.error.offset], [code, offset], label);
    if (!r.ok && code !== "limit") {
      assertEquals(r.error.notify?.type, NotifyType.INVALID_SYNTAX, label);
    }
  }
});

Deno.test("chain: more than MAX_PAYLOADS payloads is refused", () => {
  const one = gp(T.VENDOR, [7]);
  const parts: number[] = [];
  for (let i = 0; i <= MAX_PAYLOADS; i++) parts.push(...(i === MAX_PAYLOADS ? gp(0, [7]) : one));
  const b = Uint8Array.from(parts);
  const r = decodePayloadChain(b, 0, b.length, T.VENDOR, false);
  assertEquals(r.ok ? undefined : [r.error.code, r.error.offset], ["limit", MAX_PAYLOADS * 5]);
  const fits = b.subarray(5);
  assertEquals(decodePayloadChain(fits, 0, fits.length, T.VENDOR, false).ok, true);
});
