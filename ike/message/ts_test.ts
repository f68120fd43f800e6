import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { NotifyType, TsType } from "../constants.ts";
import { IkeEncodeError } from "./bytes.ts";
import { decodeTs, encodeTs, isAddressRange } from "./ts.ts";
import type { TsPayload } from "./types.ts";

/** TSi body of strongSwan's IKE_AUTH request (ref-noesn capture): 10.101.0.0/24, any protocol and port. */
const STRONGSWAN_TSI = "01000000070000100000ffff0a6500000a6500ff";

Deno.test("ts: strongSwan's IPv4 selector decodes and re-encodes", () => {
  const r = decodeTs("tsi", hex(STRONGSWAN_TSI), false, 0);
  assertEquals(r, {
    ok: true,
    value: {
      kind: "tsi",
      critical: false,
      selectors: [{
        type: TsType.IPV4_ADDR_RANGE,
        protocol: 0,
        startPort: 0,
        endPort: 65535,
        start: hex("0a650000"),
        end: hex("0a6500ff"),
      }],
    },
  });
  if (r.ok) assertEquals(toHex(encodeTs(r.value)), STRONGSWAN_TSI);
});

Deno.test("ts: IPv6, port ranges, OPAQUE ports and unknown selector types round-trip", () => {
  const ts: TsPayload = {
    kind: "tsr",
    critical: false,
    selectors: [
      {
        type: TsType.IPV6_ADDR_RANGE,
        protocol: 6,
        startPort: 443,
        endPort: 443,
        start: hex("20010db8000000000000000000000000"),
        end: hex("20010db8ffffffffffffffffffffffff"),
      },
      {
        type: TsType.IPV4_ADDR_RANGE,
        protocol: 17,
        startPort: 65535,
        endPort: 0,
        start: hex("0a000001"),
        end: hex("0a000001"),
      },
      { type: TsType.SECLABEL, opaque: hex("0a00000873797374") },
    ],
  };
  const bytes = encodeTs(ts);
  assertEquals(bytes.length, 4 + 40 + 16 + 8);
  const r = decodeTs("tsr", bytes, false, 0);
  assertEquals(r, { ok: true, value: ts });
  if (r.ok) {
    assertEquals(r.value.selectors.map(isAddressRange), [true, true, false]);
    assertEquals(toHex(encodeTs(r.value)), toHex(bytes));
  }
});

Deno.test("ts: bad counts and selector lengths give INVALID_SYNTAX", () => {
  const v4 = "070000100000ffff0a6500000a6500ff";
  const cases: [string, string, string, number][] = [
    ["header cut", "0100", "truncated", 0],
    ["count 2, one selector", "02000000" + v4, "truncated", 20],
    ["count 0, one selector", "00000000" + v4, "length", 4],
    ["IPv4 length 15", "01000000" + "0700000f0000ffff0a6500000a6500", "length", 6],
    ["IPv4 length 17", "01000000" + "070000110000ffff0a6500000a6500ff00", "length", 6],
    ["IPv6 length 16", "01000000" + "080000100000ffff0a6500000a6500ff", "length", 6],
    [
      "selector length past the payload",
      "01000000" + "070000200000ffff0a6500000a6500ff",
      "length",
      6,
    ],
    ["selector length 3", "01000000" + "0a000003", "length", 6],
    ["trailing bytes", "01000000" + v4 + "00", "length", 20],
  ];
  for (const [label, body, code, offset] of cases) {
    const r = decodeTs("tsi", hex(body), false, 0);
    assertEquals(r.ok, false, label);
    if (r.ok) continue;
    assertEquals([r.error.code, r.error.offset, r.error.notify?.type], [
      code,
      offset,
      NotifyType.INVALID_SYNTAX,
    ], label);
  }
});

Deno.test("ts: encoding refuses addresses of the wrong family", () => {
  assertThrows(
    () =>
      encodeTs({
        kind: "tsi",
        critical: false,
        selectors: [{
          type: 7,
          protocol: 0,
          startPort: 0,
          endPort: 65535,
          start: new Uint8Array(16),
          end: new Uint8Array(16),
        }],
      }),
    IkeEncodeError,
    "selector start address",
  );
});
