import { assertEquals } from "../tests/assert.ts";
import { refChecksum } from "../tests/esp_packets.ts";
import {
  finish,
  get16,
  get32,
  internetChecksum,
  pseudoHeaderSum,
  put16,
  put32,
  sum16,
} from "./checksum.ts";

Deno.test("checksum: RFC 1071 example and agreement with a plain implementation", () => {
  // RFC 1071 §3 example bytes: 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 -> checksum 220d.
  const ex = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
  assertEquals(internetChecksum(ex, 0, 8), 0x220d);
  let x = 3;
  for (let n = 0; n < 300; n += 7) {
    const b = Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
    assertEquals(internetChecksum(b, 0, n), refChecksum(b), `length ${n}`);
  }
  const big = new Uint8Array(70000).fill(0xff);
  assertEquals(internetChecksum(big, 0, big.length), refChecksum(big), "long input stays exact");
  // Sums chain: pseudo-header + data.
  const src = Uint8Array.of(10, 0, 0, 1);
  const dst = Uint8Array.of(10, 0, 0, 2);
  const data = Uint8Array.of(1, 2, 3);
  const pseudo = Uint8Array.of(10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 3);
  assertEquals(
    finish(sum16(data, 0, 3, pseudoHeaderSum(src, 0, dst, 0, 4, 17, 3))),
    refChecksum(pseudo, data),
  );
  const p = new Uint8Array(6);
  put16(p, 0, 0xbeef);
  put32(p, 2, 0xdeadbeef);
  assertEquals([get16(p, 0), get32(p, 2)], [0xbeef, 0xdeadbeef]);
});
