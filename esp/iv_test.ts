import { assertEquals, assertNotEquals } from "../tests/assert.ts";
import { testSa } from "../tests/esp_fixtures.ts";
import { AES128_CBC, AES128_GCM_128 } from "../tests/esp_transforms.ts";
import { SecurityAssociation } from "./sa.ts";
import { saParams } from "../tests/esp_fixtures.ts";
import { IvSource } from "./iv.ts";

Deno.test("iv: counter modes use the sequence number XOR the install's mask (RFC 4106 §3.1)", () => {
  const src = new IvSource({ fill: (b) => b.fill(0xee) });
  const plain = testSa({ encryption: AES128_GCM_128 });
  assertEquals([...src.next(plain, 1, 2)], [0, 0, 0, 1, 0, 0, 0, 2]);
  const masked = new SecurityAssociation(
    saParams({ encryption: AES128_GCM_128 }),
    Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  );
  assertEquals([...src.next(masked, 0, 5)], [1, 2, 3, 4, 5, 6, 7, 13]);
  // Unique per sequence number within one SA.
  const seen = new Set<string>();
  for (let s = 0; s < 1000; s++) seen.add(src.next(masked, 0, s).join());
  assertEquals(seen.size, 1000);
});

Deno.test("iv: CBC IVs come from the Rng in pooled blocks", () => {
  let calls = 0;
  let counter = 0;
  const src = new IvSource({
    fill: (b) => {
      calls++;
      for (let i = 0; i < b.length; i++) b[i] = counter++ & 0xff;
      return b;
    },
  });
  const sa = testSa({ encryption: AES128_CBC });
  const a = [...src.next(sa, 0, 1)];
  const b = [...src.next(sa, 0, 2)];
  assertEquals(a, Array.from({ length: 16 }, (_, i) => i));
  assertNotEquals(a, b);
  for (let i = 0; i < 254; i++) src.next(sa, 0, i);
  assertEquals(calls, 1, "4096 bytes serve 256 IVs");
  src.next(sa, 0, 0);
  assertEquals(calls, 2);
});
