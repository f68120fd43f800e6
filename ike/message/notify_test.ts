import { assertEquals } from "../../tests/assert.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { NotifyType as N, ProtocolId } from "../constants.ts";
import { decodeNotify, encodeNotify } from "./notify.ts";
import type { NotifyPayload } from "./types.ts";

function notify(protocol: number, spi: string, type: number, data: string): NotifyPayload {
  return { kind: "notify", critical: false, protocol, spi: hex(spi), type, data: hex(data) };
}

Deno.test("notify: status, error and SPI-carrying notifications round-trip", () => {
  const cases: [string, NotifyPayload, string][] = [
    ["INITIAL_CONTACT", notify(0, "", N.INITIAL_CONTACT, ""), "00004000"],
    ["REKEY_SA for ESP", notify(ProtocolId.ESP, "b16b7446", N.REKEY_SA, ""), "03044009b16b7446"],
    [
      "NAT_DETECTION_SOURCE_IP",
      notify(0, "", N.NAT_DETECTION_SOURCE_IP, "3de030bbab7cd84884343d7d4d30b88838213dab"),
      "00004004" + "3de030bbab7cd84884343d7d4d30b88838213dab",
    ],
    [
      "SIGNATURE_HASH_ALGORITHMS",
      notify(0, "", N.SIGNATURE_HASH_ALGORITHMS, "0002000300040005"),
      "0000402f0002000300040005",
    ],
    ["INVALID_KE_PAYLOAD", notify(0, "", N.INVALID_KE_PAYLOAD, "001f"), "00000011001f"],
    [
      "UNSUPPORTED_CRITICAL_PAYLOAD",
      notify(0, "", N.UNSUPPORTED_CRITICAL_PAYLOAD, "31"),
      "0000000131",
    ],
    [
      "IKEV2_MESSAGE_ID_SYNC",
      notify(0, "", N.IKEV2_MESSAGE_ID_SYNC, "010203040000000500000007"),
      "00004026010203040000000500000007",
    ],
    [
      "IKE SPI",
      notify(ProtocolId.IKE, "0102030405060708", N.INVALID_IKE_SPI, ""),
      "0108000401020304050607" + "08",
    ],
    ["COOKIE", notify(0, "", N.COOKIE, "00".repeat(64)), "00004006" + "00".repeat(64)],
    ["unknown type", notify(0, "", 55555, "abcd"), "0000d903abcd"],
  ];
  for (const [label, p, wire] of cases) {
    const bytes = encodeNotify(p);
    if (wire) assertEquals(toHex(bytes), wire, label);
    assertEquals(decodeNotify(bytes, false, 0), { ok: true, value: p }, label);
  }
});

Deno.test("notify: SPI size mismatches and bad data lengths give INVALID_SYNTAX", () => {
  const cases: [string, string, string, number][] = [
    ["header cut", "000040", "truncated", 0],
    ["protocol 4", "04004000", "syntax", 0],
    ["ESP with an 8-byte SPI", "030840090102030405060708", "syntax", 1],
    ["IKE with a 4-byte SPI", "0104400901020304", "syntax", 1],
    ["no protocol with a 4-byte SPI", "0004400901020304", "syntax", 1],
    ["SPI size 3", "0303400901020304", "syntax", 1],
    ["SPI past the payload", "030440090102", "truncated", 4],
    ["NAT-D of 19 bytes", "00004004" + "00".repeat(19), "length", 4],
    ["NAT-D of 21 bytes", "00004005" + "00".repeat(21), "length", 4],
    ["COOKIE of 0 bytes", "00004006", "length", 4],
    ["COOKIE of 65 bytes", "00004006" + "00".repeat(65), "length", 4],
    ["INVALID_KE_PAYLOAD of 3 bytes", "00000011000e00", "length", 4],
    ["INVALID_SYNTAX with data", "0000000700", "length", 4],
    ["odd SIGNATURE_HASH_ALGORITHMS", "0000402f000200", "length", 4],
    ["MESSAGE_ID_SYNC of 8 bytes", "00004026" + "00".repeat(8), "length", 4],
  ];
  for (const [label, body, code, offset] of cases) {
    const r = decodeNotify(hex(body), false, 0);
    assertEquals(r.ok, false, label);
    if (r.ok) continue;
    assertEquals([r.error.code, r.error.offset, r.error.notify?.type], [
      code,
      offset,
      N.INVALID_SYNTAX,
    ], label);
  }
});
