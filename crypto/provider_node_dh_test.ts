import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkKeyExchangePair,
  type KeyExchangeVectors,
  loadVectors,
  runWycheproofEcdh,
  runWycheproofXdh,
} from "../tests/crypto_vectors.ts";
import { hex, toHex } from "../tests/pcap.ts";
import { SeededRng } from "../core/rng.ts";
import { NATIVE_DH_GROUPS } from "./provider_node_dh.ts";
import { DH_GROUPS } from "./registry.ts";
import { CryptoError } from "./types.ts";

const vectors = loadVectors<KeyExchangeVectors>("key_exchange.json");
const native = (name: string) => NATIVE_DH_GROUPS.find((g) => g.name === name)!;
const pure = (name: string) => DH_GROUPS.find((g) => g.name === name)!;

Deno.test("native DH: ecp256, ecp384, curve25519, curve448", () => {
  assertEquals(
    NATIVE_DH_GROUPS.map((g) => [g.name, g.transformId, g.publicLength, g.sharedLength]),
    [
      ["ecp256", 19, 64, 32],
      ["ecp384", 20, 96, 48],
      ["curve25519", 31, 32, 32],
      ["curve448", 32, 56, 56],
    ],
  );
});

Deno.test("native DH: RFC 5903 §8, RFC 7748 §6 and RFC 8031 pairs; RFC 7748 §5.2 scalar vectors", () => {
  let n = 0;
  for (const c of vectors.pairs) {
    const g = NATIVE_DH_GROUPS.find((x) => x.name === c.group);
    if (g) checkKeyExchangePair(g, c), n++;
  }
  assertEquals(n, 5);
  for (const c of vectors.scalarMult) {
    assertEquals(
      toHex(native(c.group).fromPrivate(hex(c.scalar)).computeShared(hex(c.u))),
      c.out,
      c.label,
    );
  }
});

Deno.test("native DH: Wycheproof ECDH P-256/P-384 and X25519/X448 through node:crypto", () => {
  for (const [file, name] of [["secp256r1", "ecp256"], ["secp384r1", "ecp384"]]) {
    const [run, refused] = runWycheproofEcdh(`wycheproof_ecdh_${file}_ecpoint.json`, native(name!));
    assert(run > 100 && refused > 0, `${name}: ${run} run, ${refused} refused`);
  }
  for (const [file, name] of [["x25519", "curve25519"], ["x448", "curve448"]]) {
    const [run, refused] = runWycheproofXdh(`wycheproof_${file}.json`, native(name!));
    assert(run > 150 && refused > 0, `${name}: ${run} run, ${refused} refused`);
  }
});

Deno.test("native DH: same random bytes give the same key pair as pure; the two agree on g^ir", () => {
  for (const g of NATIVE_DH_GROUPS) {
    for (let seed = 1; seed <= 5; seed++) {
      const a = g.generate(new SeededRng(seed)), b = pure(g.name).generate(new SeededRng(seed));
      assertEquals(toHex(a.publicValue), toHex(b.publicValue), `${g.name} seed ${seed}`);
      const peerN = g.generate(new SeededRng(100 + seed)),
        peerP = pure(g.name).generate(new SeededRng(200 + seed));
      assertEquals(
        toHex(a.computeShared(peerP.publicValue)),
        toHex(peerP.computeShared(a.publicValue)),
      );
      assertEquals(
        toHex(b.computeShared(peerN.publicValue)),
        toHex(peerN.computeShared(b.publicValue)),
      );
    }
  }
});

Deno.test("native DH: the same invalid peer values are refused", () => {
  const p256 = native("ecp256").generate(new SeededRng(1));
  assertThrows(() => p256.computeShared(new Uint8Array(65)), CryptoError, "65 bytes, expected 64");
  assertThrows(
    () => p256.computeShared(new Uint8Array(64).fill(0xaa)),
    CryptoError,
    "not a point on the curve",
  );
  const x = native("curve25519").generate(new SeededRng(1));
  assertThrows(() => x.computeShared(new Uint8Array(33)), CryptoError, "33 bytes, expected 32");
  assertThrows(() => x.computeShared(new Uint8Array(32)), CryptoError, "all zeros");
  x.destroy();
  assertThrows(() => x.computeShared(new Uint8Array(32).fill(9)), CryptoError, "destroyed");
});
