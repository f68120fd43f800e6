import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkKeyExchangePair,
  type KeyExchangeVectors,
  loadVectors,
  runWycheproofXdh,
} from "../tests/crypto_vectors.ts";
import { hex, toHex } from "../tests/pcap.ts";
import { SeededRng } from "../core/rng.ts";
import { XDH_GROUPS } from "./xdh.ts";
import { CryptoError } from "./types.ts";

const vectors = loadVectors<KeyExchangeVectors>("key_exchange.json");
const group = (name: string) => XDH_GROUPS.find((g) => g.name === name)!;

Deno.test("curve25519/448: RFC 7748 §6.1, §6.2 and RFC 8031 Appendix A pairs", () => {
  const pairs = vectors.pairs.filter((p) => p.group.startsWith("curve"));
  assertEquals(pairs.length, 3);
  for (const c of pairs) checkKeyExchangePair(group(c.group), c);
});

Deno.test("curve25519/448: RFC 7748 §5.2 scalar multiplication vectors", () => {
  assertEquals(vectors.scalarMult.length, 4);
  for (const c of vectors.scalarMult) {
    const k = group(c.group).fromPrivate(hex(c.scalar));
    assertEquals(toHex(k.computeShared(hex(c.u))), c.out, c.label);
  }
});

Deno.test("curve25519/448: RFC 7748 §5.2 iterated test (1 and 1,000 iterations)", () => {
  for (const c of vectors.iterated) {
    const g = group(c.group);
    let k: Uint8Array = new Uint8Array(g.publicLength),
      u: Uint8Array = new Uint8Array(g.publicLength);
    k[0] = u[0] = g.name === "curve25519" ? 9 : 5;
    for (let i = 0; i < c.iterations; i++) {
      const next = g.fromPrivate(k).computeShared(u);
      u = k;
      k = next;
    }
    assertEquals(toHex(k), c.out, c.label);
  }
});

for (const name of ["x25519", "x448"]) {
  Deno.test(`${name}: Wycheproof ${name}_test (low-order and zero results refused)`, () => {
    const [run, refused] = runWycheproofXdh(
      `wycheproof_${name}.json`,
      group(name === "x25519" ? "curve25519" : "curve448"),
    );
    assert(run > 150 && refused > 0, `${run} run, ${refused} refused`);
  });
}

Deno.test("curve25519: wrong lengths and low-order points are refused", () => {
  const g = group("curve25519");
  const a = g.generate(new SeededRng(9));
  assertThrows(() => a.computeShared(new Uint8Array(31)), CryptoError, "31 bytes, expected 32");
  assertThrows(() => a.computeShared(new Uint8Array(32)), CryptoError, "all zeros");
  const one = new Uint8Array(32);
  one[0] = 1;
  assertThrows(() => a.computeShared(one), CryptoError, "all zeros");
});
