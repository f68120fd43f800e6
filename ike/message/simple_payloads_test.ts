/** Tests of the small payload codecs: KE, ID, CERT, CERTREQ, AUTH, Nonce, Vendor ID, EAP. */
import { assertEquals } from "../../tests/assert.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { AuthMethod, CertEncoding, IdType, NotifyType } from "../constants.ts";
import { decodeAuth, encodeAuth } from "./auth.ts";
import { decodeCert, decodeCertReq, encodeCert } from "./cert.ts";
import { decodeEap, encodeEap } from "./eap.ts";
import { decodeId, encodeId } from "./id.ts";
import { decodeKe, encodeKe } from "./ke.ts";
import { decodeNonce, encodeNonce } from "./nonce.ts";
import type { DecodeErrorCode, Payload, Result } from "./types.ts";
import { decodeVendor, encodeVendor } from "./vendor.ts";

Deno.test("payloads: KE, ID, CERT, CERTREQ, AUTH, Nonce, V, EAP round-trip with their wire layout", () => {
  const cases: [string, string, (b: Uint8Array) => Result<Payload>, (p: never) => Uint8Array][] = [
    ["KE curve25519", "001f0000" + "11".repeat(32), (b) => decodeKe(b, false, 0), encodeKe],
    ["IDi IPv4 (strongSwan)", "010000000ae10001", (b) => decodeId("idi", b, false, 0), encodeId],
    [
      "IDr FQDN",
      "02000000" + toHex(new TextEncoder().encode("vpn.example.org")),
      (b) => decodeId("idr", b, false, 0),
      encodeId,
    ],
    ["IDi NULL", "0d000000", (b) => decodeId("idi", b, false, 0), encodeId],
    ["CERT X.509", "04" + "3082", (b) => decodeCert(b, false, 0), encodeCert],
    [
      "CERTREQ two CA hashes",
      "04" + "aa".repeat(40),
      (b) => decodeCertReq(b, false, 0),
      encodeCert,
    ],
    ["AUTH PSK", "02000000" + "ab".repeat(20), (b) => decodeAuth(b, false, 0), encodeAuth],
    ["Nonce 16", "00".repeat(16), (b) => decodeNonce(b, false, 0), encodeNonce],
    ["Nonce 256", "ff".repeat(256), (b) => decodeNonce(b, false, 0), encodeNonce],
    ["Vendor ID", "882fe56d6fd20dbc2251613b2ebe5beb", (b) => decodeVendor(b, false), encodeVendor],
    ["EAP Identity request", "0101000501", (b) => decodeEap(b, false, 0), encodeEap],
    ["EAP Success", "03050004", (b) => decodeEap(b, false, 0), encodeEap],
  ];
  for (const [label, wire, decode, encode] of cases) {
    const r = decode(hex(wire));
    assertEquals(r.ok, true, label);
    if (r.ok) assertEquals(toHex(encode(r.value as never)), wire, label);
  }
  const id = decodeId("idi", hex("010000000ae10001"), false, 0);
  assertEquals(id.ok && [id.value.idType, toHex(id.value.data)], [IdType.IPV4_ADDR, "0ae10001"]);
  const auth = decodeAuth(hex("0e000000ff"), false, 0);
  assertEquals(auth.ok && auth.value.method, AuthMethod.DIGITAL_SIGNATURE);
  const cert = decodeCert(hex("0e00"), false, 0);
  assertEquals(cert.ok && cert.value.encoding, CertEncoding.OCSP_CONTENT);
});

Deno.test("payloads: bodies too short or inconsistent give INVALID_SYNTAX", () => {
  const cases: [string, Result<unknown>, DecodeErrorCode, number][] = [
    ["KE header cut", decodeKe(hex("001f00"), false, 40), "truncated", 40],
    ["ID header cut", decodeId("idi", hex("010000"), false, 40), "truncated", 40],
    ["ID IPv4 of 5 bytes", decodeId("idi", hex("010000000a00000101"), false, 40), "syntax", 44],
    ["ID IPv6 of 4 bytes", decodeId("idr", hex("050000000a000001"), false, 40), "syntax", 44],
    ["ID NULL with data", decodeId("idi", hex("0d00000001"), false, 40), "syntax", 44],
    ["CERT empty", decodeCert(new Uint8Array(0), false, 40), "truncated", 40],
    ["CERTREQ empty", decodeCertReq(new Uint8Array(0), false, 40), "truncated", 40],
    ["AUTH header cut", decodeAuth(hex("020000"), false, 40), "truncated", 40],
    ["Nonce of 15", decodeNonce(new Uint8Array(15), false, 40), "syntax", 40],
    ["Nonce of 257", decodeNonce(new Uint8Array(257), false, 40), "syntax", 40],
    ["EAP header cut", decodeEap(hex("010100"), false, 40), "truncated", 40],
    ["EAP length 6 in 5 bytes", decodeEap(hex("0101000601"), false, 40), "length", 42],
    ["EAP length 5 in 6 bytes", decodeEap(hex("010100050100"), false, 40), "length", 42],
    ["EAP request without type", decodeEap(hex("01010004"), false, 40), "truncated", 44],
  ];
  for (const [label, r, code, offset] of cases) {
    assertEquals(r.ok ? undefined : [r.error.code, r.error.offset, r.error.notify?.type], [
      code,
      offset,
      NotifyType.INVALID_SYNTAX,
    ], label);
  }
});
