import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { NotifyType, ProtocolId } from "../constants.ts";
import { IkeEncodeError } from "./bytes.ts";
import { decodeDelete, encodeDelete } from "./delete.ts";
import type { DeletePayload } from "./types.ts";

Deno.test("delete: IKE, one ESP SPI and many ESP SPIs round-trip", () => {
  const cases: [string, DeletePayload, string][] = [
    [
      "IKE SA",
      { kind: "delete", critical: false, protocol: ProtocolId.IKE, spiSize: 0, spis: [] },
      "01000000",
    ],
    [
      "one ESP SPI (strongSwan's CHILD delete)",
      {
        kind: "delete",
        critical: false,
        protocol: ProtocolId.ESP,
        spiSize: 4,
        spis: [hex("b16b7446")],
      },
      "03040001b16b7446",
    ],
    [
      "three AH SPIs",
      {
        kind: "delete",
        critical: false,
        protocol: ProtocolId.AH,
        spiSize: 4,
        spis: [hex("00000101"), hex("00000102"), hex("ffffffff")],
      },
      "02040003000001010000010" + "2ffffffff",
    ],
  ];
  for (const [label, p, wire] of cases) {
    const bytes = encodeDelete(p);
    assertEquals(toHex(bytes), wire, label);
    assertEquals(decodeDelete(bytes, false, 0), { ok: true, value: p }, label);
  }
});

Deno.test("delete: SPI size and count mismatches give INVALID_SYNTAX", () => {
  const cases: [string, string, string, number][] = [
    ["header cut", "030400", "truncated", 0],
    ["protocol 0", "00000000", "syntax", 0],
    ["protocol 4", "04040001aabbccdd", "syntax", 0],
    ["IKE with SPI size 8", "0108000101020304050607" + "08", "syntax", 1],
    ["IKE with SPI count 1", "01000001", "syntax", 2],
    ["ESP with SPI size 8", "0308000101020304050607" + "08", "syntax", 1],
    ["2 SPIs announced, 1 sent", "03040002aabbccdd", "length", 2],
    ["1 SPI announced, 2 sent", "03040001aabbccdd11223344", "length", 2],
    ["half an SPI", "03040001aabb", "length", 2],
  ];
  for (const [label, body, code, offset] of cases) {
    const r = decodeDelete(hex(body), false, 0);
    assertEquals(r.ok, false, label);
    if (r.ok) continue;
    assertEquals([r.error.code, r.error.offset, r.error.notify?.type], [
      code,
      offset,
      NotifyType.INVALID_SYNTAX,
    ], label);
  }
});

Deno.test("delete: encoding refuses an SPI of the wrong size", () => {
  assertThrows(
    () =>
      encodeDelete({
        kind: "delete",
        critical: false,
        protocol: 3,
        spiSize: 4,
        spis: [hex("0102")],
      }),
    IkeEncodeError,
    "delete SPI 0",
  );
});
