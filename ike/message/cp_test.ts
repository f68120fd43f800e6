import { assertEquals } from "../../tests/assert.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { CfgType, CpAttribute as A, NotifyType } from "../constants.ts";
import { decodeCp, encodeCp } from "./cp.ts";
import type { CpPayload } from "./types.ts";

Deno.test("cp: a request with empty attributes and a reply with values round-trip", () => {
  const request: CpPayload = {
    kind: "cp",
    critical: false,
    cfgType: CfgType.REQUEST,
    attributes: [
      { type: A.INTERNAL_IP4_ADDRESS, value: new Uint8Array(0) },
      { type: A.INTERNAL_IP4_DNS, value: new Uint8Array(0) },
      { type: A.INTERNAL_IP6_ADDRESS, value: new Uint8Array(0) },
    ],
  };
  assertEquals(toHex(encodeCp(request)), "01000000" + "00010000" + "00030000" + "00080000");
  const reply: CpPayload = {
    kind: "cp",
    critical: false,
    cfgType: CfgType.REPLY,
    attributes: [
      { type: A.INTERNAL_IP4_ADDRESS, value: hex("0a640001") },
      { type: A.INTERNAL_IP4_NETMASK, value: hex("ffffff00") },
      { type: A.INTERNAL_IP6_ADDRESS, value: hex("20010db800000000000000000000000140") },
      { type: A.INTERNAL_IP4_SUBNET, value: hex("0a650000ffffff00") },
      { type: A.INTERNAL_DNS_DOMAIN, value: new TextEncoder().encode("example.org") },
    ],
  };
  for (const p of [request, reply]) {
    const bytes = encodeCp(p);
    const r = decodeCp(bytes, false, 0);
    assertEquals(r, { ok: true, value: p });
    if (r.ok) assertEquals(toHex(encodeCp(r.value)), toHex(bytes));
  }
});

Deno.test("cp: the reserved R bit is ignored on receipt", () => {
  const r = decodeCp(hex("02000000" + "80010004" + "0a640001"), false, 0);
  assertEquals(r.ok && r.value.attributes, [{ type: 1, value: hex("0a640001") }]);
});

Deno.test("cp: truncated attributes give INVALID_SYNTAX", () => {
  const cases: [string, string, number][] = [
    ["header cut", "010000", 0],
    ["attribute header cut", "01000000" + "0001", 4],
    ["value past the payload", "02000000" + "00010004" + "0a64", 6],
  ];
  for (const [label, body, offset] of cases) {
    const r = decodeCp(hex(body), false, 0);
    assertEquals(r.ok ? undefined : [r.error.code, r.error.offset, r.error.notify?.type], [
      "truncated",
      offset,
      NotifyType.INVALID_SYNTAX,
    ], label);
  }
});
