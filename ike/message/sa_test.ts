import { assertEquals } from "../../tests/assert.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { NotifyType, ProtocolId, TransformType } from "../constants.ts";
import { decodeSa, encodeSa } from "./sa.ts";
import type { SaPayload } from "./types.ts";

/** SAi1 body of strongSwan 5.9.8's IKE_SA_INIT, ref-noesn capture: aes128-sha1-modp1024. */
const STRONGSWAN_SAI1 =
  "0000002c010100040300000c0100000c800e00800300000803000002030000080200000200000008" +
  "04000002";

Deno.test("sa: strongSwan's IKE proposal decodes and re-encodes byte for byte", () => {
  const r = decodeSa(hex(STRONGSWAN_SAI1), false, 32);
  assertEquals(r.ok, true);
  if (!r.ok) return;
  assertEquals(r.value.proposals, [{
    number: 1,
    protocol: ProtocolId.IKE,
    spi: new Uint8Array(0),
    transforms: [
      { type: TransformType.ENCR, id: 12, keyLength: 128, otherAttributes: [] },
      { type: TransformType.INTEG, id: 2, keyLength: undefined, otherAttributes: [] },
      { type: TransformType.PRF, id: 2, keyLength: undefined, otherAttributes: [] },
      { type: TransformType.KE, id: 2, keyLength: undefined, otherAttributes: [] },
    ],
  }]);
  assertEquals(toHex(encodeSa(r.value)), STRONGSWAN_SAI1);
});

Deno.test("sa: several proposals, ESP SPIs, TV and TLV attributes round-trip", () => {
  const sa: SaPayload = {
    kind: "sa",
    critical: false,
    proposals: [
      {
        number: 1,
        protocol: ProtocolId.ESP,
        spi: hex("c1cee56a"),
        transforms: [
          { type: 1, id: 20, keyLength: 256, otherAttributes: [] },
          { type: 5, id: 1, keyLength: undefined, otherAttributes: [] },
          { type: 5, id: 0, keyLength: undefined, otherAttributes: [] },
        ],
      },
      {
        number: 2,
        protocol: ProtocolId.ESP,
        spi: hex("c1cee56b"),
        transforms: [{
          type: 1,
          id: 12,
          keyLength: 128,
          otherAttributes: [
            { format: "tv", type: 99, value: 0xbeef },
            { format: "tlv", type: 100, value: hex("0102030405") },
            { format: "tlv", type: 101, value: new Uint8Array(0) },
          ],
        }],
      },
      {
        number: 3,
        protocol: ProtocolId.IKE,
        spi: hex("0102030405060708"),
        transforms: [{ type: 4, id: 31, keyLength: undefined, otherAttributes: [] }],
      },
    ],
  };
  const bytes = encodeSa(sa);
  const r = decodeSa(bytes, false, 0);
  assertEquals(r, { ok: true, value: sa });
  if (r.ok) assertEquals(toHex(encodeSa(r.value)), toHex(bytes));
});

/** Builders for malformed SA bodies. */
function transform(last: number, type: number, id: number, attrs?: number[], length?: number) {
  const a = attrs ?? [];
  return [last, 0, 0, length ?? 8 + a.length, type, 0, id >> 8, id & 0xff, ...a];
}
function proposal(
  last: number,
  num: number,
  proto: number,
  spi: number[],
  count: number,
  transforms: number[],
  length?: number,
) {
  const n = length ?? 8 + spi.length + transforms.length;
  return [last, 0, n >> 8, n & 0xff, num, proto, spi.length, count, ...spi, ...transforms];
}
const T_AES = transform(0, 1, 12, [0x80, 0x0e, 0x00, 0x80]);

Deno.test("sa: malformed bodies give INVALID_SYNTAX with the offset of the fault", () => {
  const cases: [string, number[], string, number][] = [
    ["no proposals", [], "syntax", 0],
    ["proposal header cut", [0, 0, 0, 8, 1, 1], "truncated", 0],
    ["proposal length 7", proposal(0, 1, 1, [], 1, T_AES, 7), "length", 2],
    ["proposal length past the payload", proposal(0, 1, 1, [], 1, T_AES, 40), "length", 2],
    [
      "Last Substruc 0 with more",
      [...proposal(0, 1, 1, [], 1, T_AES), ...proposal(0, 2, 1, [], 1, T_AES)],
      "syntax",
      0,
    ],
    ["Last Substruc 2 at the end", proposal(2, 1, 1, [], 1, T_AES), "syntax", 0],
    ["Last Substruc 1", proposal(1, 1, 1, [], 1, T_AES), "syntax", 0],
    ["proposal number 0", proposal(0, 0, 1, [], 1, T_AES), "syntax", 4],
    [
      "numbers 1, 3",
      [...proposal(2, 1, 1, [], 1, T_AES), ...proposal(0, 3, 1, [], 1, T_AES)],
      "syntax",
      24,
    ],
    [
      "numbers 2, 3",
      [...proposal(2, 2, 1, [], 1, T_AES), ...proposal(0, 3, 1, [], 1, T_AES)],
      "syntax",
      4,
    ],
    [
      "numbers 1, 1",
      [...proposal(2, 1, 1, [], 1, T_AES), ...proposal(0, 1, 1, [], 1, T_AES)],
      "syntax",
      24,
    ],
    ["IKE SPI of 4 bytes", proposal(0, 1, 1, [1, 2, 3, 4], 1, T_AES), "syntax", 6],
    ["ESP SPI of 8 bytes", proposal(0, 1, 3, [1, 2, 3, 4, 5, 6, 7, 8], 1, T_AES), "syntax", 6],
    ["ESP without SPI", proposal(0, 1, 3, [], 1, T_AES), "syntax", 6],
    ["SPI past the proposal", [0, 0, 0, 10, 1, 3, 4, 0, 1, 2], "truncated", 8],
    ["2 transforms announced, 1 sent", proposal(0, 1, 1, [], 2, T_AES), "length", 7],
    ["0 transforms announced, 1 sent", proposal(0, 1, 1, [], 0, T_AES), "length", 7],
    ["transform length 7", proposal(0, 1, 1, [], 1, transform(0, 1, 12, [], 7)), "length", 10],
    [
      "transform length past the proposal",
      proposal(0, 1, 1, [], 1, transform(0, 1, 12, [], 9)),
      "length",
      10,
    ],
    ["transform header cut", proposal(0, 1, 1, [], 1, [0, 0, 0, 8]), "truncated", 8],
    [
      "transform Last Substruc 3 at the end",
      proposal(0, 1, 1, [], 1, transform(3, 1, 12)),
      "syntax",
      8,
    ],
    [
      "transform Last Substruc 0 with more",
      proposal(0, 1, 1, [], 2, [...transform(0, 1, 12), ...transform(0, 2, 2)]),
      "syntax",
      8,
    ],
    [
      "attribute header cut",
      proposal(0, 1, 1, [], 1, transform(0, 1, 12, [0x80, 0x0e])),
      "truncated",
      16,
    ],
    [
      "TLV value past the transform",
      proposal(0, 1, 1, [], 1, transform(0, 1, 12, [0, 5, 0, 9, 1])),
      "truncated",
      16,
    ],
    [
      "Key Length twice",
      proposal(0, 1, 1, [], 1, transform(0, 1, 12, [0x80, 14, 0, 128, 0x80, 14, 1, 0])),
      "syntax",
      20,
    ],
    [
      "Key Length as TLV",
      proposal(0, 1, 1, [], 1, transform(0, 1, 12, [0, 14, 0, 2, 0, 128])),
      "syntax",
      16,
    ],
  ];
  for (const [label, body, code, offset] of cases) {
    const r = decodeSa(Uint8Array.from(body), false, 0);
    assertEquals(r.ok, false, label);
    if (r.ok) continue;
    assertEquals([r.error.code, r.error.offset, r.error.notify?.type], [
      code,
      offset,
      NotifyType.INVALID_SYNTAX,
    ], `${label}: ${r.error.reason}`);
  }
});

Deno.test("sa: a single proposal may carry the number the responder accepted", () => {
  const r = decodeSa(Uint8Array.from(proposal(0, 5, 1, [], 1, T_AES)), false, 0);
  assertEquals(r.ok && r.value.proposals[0]!.number, 5);
});
