import { assertEquals } from "../tests/assert.ts";
import { fixedOverhead, maxInnerLength, maxOverhead, tunMtu, WORST_CASE_OVERHEAD } from "./mtu.ts";

const shape = (family: 4 | 6, udp: boolean, iv: number, icv: number, align: number) => ({
  local: { family },
  encap: { kind: udp ? "udp" as const : "raw" as const },
  ivLength: iv,
  icvLength: icv,
  align,
});

Deno.test("mtu: overhead and largest inner packet per SA shape (table)", () => {
  // [name, shape, fixed overhead, largest inner packet over a 1500-byte link]
  const cases: [string, ReturnType<typeof shape>, number, number][] = [
    ["IPv4 UDP AES-CBC HMAC-SHA1-96", shape(4, true, 16, 12, 16), 66, 1422],
    ["IPv4 raw AES-CBC HMAC-SHA1-96", shape(4, false, 16, 12, 16), 58, 1438],
    ["IPv4 UDP AES-GCM-16", shape(4, true, 8, 16, 4), 62, 1438],
    ["IPv6 UDP AES-GCM-16", shape(6, true, 8, 16, 4), 82, 1418],
    ["IPv6 raw AES-CBC HMAC-SHA2-256-128", shape(6, false, 16, 16, 16), 82, 1406],
  ];
  for (const [name, s, fixed, inner] of cases) {
    assertEquals(fixedOverhead(s), fixed, `${name}: fixed overhead`);
    assertEquals(maxInnerLength(s, 1500), inner, `${name}: inner`);
    // The largest inner packet fits; one byte more does not.
    const wire = (n: number) => fixed - 2 + Math.ceil((n + 2) / s.align) * s.align;
    assertEquals(wire(inner) <= 1500 && wire(inner + 1) > 1500, true, `${name}: tight`);
    assertEquals(maxOverhead(s), fixed + s.align - 1);
  }
  assertEquals(tunMtu(1500), 1390, "safe for every algorithm Tandem negotiates");
  assertEquals(tunMtu(1500), maxInnerLength(WORST_CASE_OVERHEAD, 1500));
  assertEquals(tunMtu(9000, shape(4, true, 16, 12, 16)), 8926);
});
