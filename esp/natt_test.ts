import { assertEquals } from "../tests/assert.ts";
import { classifyNatt, NATT_ESP, NATT_IKE, NATT_INVALID, NATT_KEEPALIVE } from "./natt.ts";

Deno.test("natt: what arrives on port 4500 (RFC 3948 §2, table)", () => {
  const cases: [string, number[], number][] = [
    ["keepalive", [0xff], NATT_KEEPALIVE],
    ["one other byte", [0x00], NATT_INVALID],
    ["non-ESP marker + IKE", [0, 0, 0, 0, 1, 2, 3, 4, 5], NATT_IKE],
    ["marker alone", [0, 0, 0, 0], NATT_INVALID],
    ["ESP header", [0, 0, 1, 0, 0, 0, 0, 1], NATT_ESP],
    ["too short for ESP", [1, 2, 3, 4, 5, 6, 7], NATT_INVALID],
    ["two bytes", [0xff, 0xff], NATT_INVALID],
  ];
  for (const [name, bytes, want] of cases) {
    assertEquals(classifyNatt(Uint8Array.from(bytes), bytes.length), want, name);
  }
});
