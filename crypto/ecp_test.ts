import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkKeyExchangePair,
  type KeyExchangeVectors,
  loadVectors,
  runWycheproofEcdh,
} from "../tests/crypto_vectors.ts";
import { toHex } from "../tests/pcap.ts";
import { SeededRng } from "../core/rng.ts";
import { ECP_GROUPS } from "./ecp.ts";
import { CryptoError } from "./types.ts";

Deno.test("ecp: RFC 5903 §8 test vectors for groups 19, 20, 21 (KE value x | y, g^ir = x)", () => {
  const pairs = loadVectors<KeyExchangeVectors>("key_exchange.json").pairs.filter((p) =>
    p.group.startsWith("ecp")
  );
  assertEquals(pairs.map((p) => p.group), ["ecp256", "ecp384", "ecp521"]);
  for (const c of pairs) checkKeyExchangePair(ECP_GROUPS.find((g) => g.name === c.group)!, c);
});

const CURVES = [["secp256r1", "ecp256"], ["secp384r1", "ecp384"], ["secp521r1", "ecp521"]];
for (const [curve, name] of CURVES) {
  Deno.test(`${name}: Wycheproof ecdh_${curve}_ecpoint (uncompressed points; invalid curve attacks refused)`, () => {
    const [run, refused] = runWycheproofEcdh(
      `wycheproof_ecdh_${curve}_ecpoint.json`,
      ECP_GROUPS.find((g) => g.name === name)!,
    );
    assert(run > 100 && refused > 0, `${run} run, ${refused} refused`);
  });
}

Deno.test("ecp256: invalid peer values are refused with a clear error", () => {
  const g = ECP_GROUPS[0]!;
  const rng = new SeededRng(5);
  const a = g.generate(rng), b = g.generate(rng);
  assertEquals(a.publicValue.length, 64);
  assertEquals(toHex(a.computeShared(b.publicValue)), toHex(b.computeShared(a.publicValue)));
  assertThrows(
    () => a.computeShared(new Uint8Array([4, ...b.publicValue])),
    CryptoError,
    "65 bytes, expected 64",
  );
  assertThrows(() => a.computeShared(new Uint8Array(64)), CryptoError, "not a point on the curve");
  const off = b.publicValue.slice();
  off[63]! ^= 1;
  assertThrows(() => a.computeShared(off), CryptoError, "not a point on the curve");
  assertThrows(
    () => a.computeShared(new Uint8Array(64).fill(0xff)),
    CryptoError,
    "not a point on the curve",
  );
});
