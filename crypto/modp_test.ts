import { getDiffieHellman } from "node:crypto";
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkKeyExchangePair,
  type KeyExchangeVectors,
  loadVectors,
  scriptedRandom,
} from "../tests/crypto_vectors.ts";
import { hex, toHex } from "../tests/pcap.ts";
import { SeededRng } from "../core/rng.ts";
import { bigIntToBytes, bytesToBigInt, modPow } from "./bigint.ts";
import { MODP_GROUPS } from "./modp.ts";
import { MODP_PRIMES } from "./modp_primes.ts";
import { CryptoError } from "./types.ts";

const NODE_NAMES: Record<number, string> = {
  2: "modp2",
  5: "modp5",
  14: "modp14",
  15: "modp15",
  16: "modp16",
  17: "modp17",
  18: "modp18",
};

Deno.test("modp: the primes equal OpenSSL's copies of RFC 2409 / RFC 3526 (via node:crypto)", () => {
  for (const [id, name] of Object.entries(NODE_NAMES)) {
    const theirs = getDiffieHellman(name);
    assertEquals(MODP_PRIMES[Number(id)]!.toLowerCase(), theirs.getPrime("hex"), `group ${id}`);
    assertEquals(theirs.getGenerator("hex"), "02");
  }
});

Deno.test("modp: groups 2, 5 and 14 are safe primes (Fermat base 3 on p and (p-1)/2)", () => {
  for (const id of [2, 5, 14]) {
    const p = BigInt("0x" + MODP_PRIMES[id]!), q = (p - 1n) / 2n;
    assertEquals(modPow(3n, p - 1n, p), 1n, `group ${id}: p`);
    assertEquals(modPow(3n, q - 1n, q), 1n, `group ${id}: (p-1)/2`);
  }
});

Deno.test("modp: modPow agrees with plain square-and-multiply", () => {
  const rng = new SeededRng(7);
  const naive = (b: bigint, e: bigint, m: bigint) => {
    let r = 1n;
    b %= m;
    for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
    return r;
  };
  const big = (n: number) => bytesToBigInt(rng.fill(new Uint8Array(n)));
  for (let i = 0; i < 40; i++) {
    const m = big(1 + (i % 64)) | 1n, e = big(i % 80), b = i % 3 === 0 ? 2n : big(1 + (i % 70));
    if (m < 2n) continue;
    assertEquals(modPow(b, e, m), naive(b, e, m), `case ${i}`);
  }
});

Deno.test("modp: strongSwan's generated pairs (interop), through fromPrivate and through generate", () => {
  const pairs = loadVectors<KeyExchangeVectors>("key_exchange.json").pairs.filter((p) =>
    p.group.startsWith("modp")
  );
  assertEquals(pairs.length, 7);
  for (const c of pairs) {
    const group = MODP_GROUPS.find((g) => g.name === c.group)!;
    checkKeyExchangePair(group, c);
    // The same bytes drawn from a random source give the same key: our exponent
    // lengths are strongSwan's.
    const rnd = scriptedRandom(hex(c.privI));
    assertEquals(toHex(group.generate(rnd).publicValue), c.pubI, `${c.label}: generate`);
    assertEquals(rnd.left(), 0, `${c.label}: exponent length`);
  }
});

Deno.test("modp1024: two generated keys agree; public values have the prime's length", () => {
  const g = MODP_GROUPS[0]!;
  const rng = new SeededRng(1);
  const a = g.generate(rng), b = g.generate(rng);
  assertEquals(a.publicValue.length, 128);
  assertEquals(toHex(a.computeShared(b.publicValue)), toHex(b.computeShared(a.publicValue)));
});

Deno.test("modp2048: invalid peer values are refused (RFC 6989 §2.1)", () => {
  const g = MODP_GROUPS.find((x) => x.name === "modp2048")!;
  const k = g.generate(new SeededRng(3));
  const p = BigInt("0x" + MODP_PRIMES[14]!);
  const enc = (n: bigint) => bigIntToBytes(n, 256);
  for (
    const [v, what] of [[0n, "is 0"], [1n, "is 1"], [p - 1n, "is p-1"], [p, ">= p"], [
      p + 5n,
      ">= p",
    ]] as const
  ) {
    assertThrows(() => k.computeShared(enc(v)), CryptoError, what);
  }
  assertThrows(
    () => k.computeShared(new Uint8Array(255).fill(7)),
    CryptoError,
    "255 bytes, expected 256",
  );
  assertThrows(
    () => k.computeShared(new Uint8Array(257).fill(7)),
    CryptoError,
    "257 bytes, expected 256",
  );
  assert(k.computeShared(enc(2n)).length === 256);
  k.destroy();
  assertThrows(() => k.computeShared(enc(2n)), CryptoError, "destroyed");
});
