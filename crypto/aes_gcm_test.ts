import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkEncryptionCase,
  encryptionCases,
  runWycheproofAead,
} from "../tests/crypto_vectors.ts";
import { AES_GCM } from "./aes_gcm.ts";
import { CryptoError } from "./types.ts";

for (const alg of AES_GCM) {
  const cases = encryptionCases(alg.name);
  if (cases.length === 0) continue;
  Deno.test(`${alg.name}: ${cases.length} vectors (GCM spec test cases, truncated ICVs)`, () => {
    for (const c of cases) checkEncryptionCase(alg, c);
  });
}

Deno.test("aes-gcm: every key size and ICV length has published vectors", () => {
  for (const alg of AES_GCM) {
    assert(encryptionCases(alg.name).length > 0, `${alg.name} has no vector`);
  }
});

Deno.test("aes128-gcm-128: invalid inputs fail loudly, truncated data is rejected", () => {
  const alg = AES_GCM.find((a) => a.name === "aes128-gcm-128")!;
  assertEquals([alg.transformId, alg.keyLength, alg.icvLength, alg.ivLength], [20, 20, 16, 8]);
  assertThrows(
    () => alg.create(new Uint8Array(16)),
    CryptoError,
    "keying material is 16 bytes, expected 20",
  );
  const c = alg.create(new Uint8Array(20));
  const iv = new Uint8Array(8);
  assertThrows(
    () => c.decrypt(iv, new Uint8Array(8), new Uint8Array(15)),
    CryptoError,
    "expected at least 16",
  );
  assertThrows(
    () => c.encrypt(new Uint8Array(12), new Uint8Array(8), new Uint8Array(4)),
    CryptoError,
    "IV is 12 bytes",
  );
  const ct = c.encrypt(iv, new Uint8Array(8), new Uint8Array(40));
  assertEquals(c.decrypt(iv, new Uint8Array(8), ct.subarray(0, ct.length - 1)), null);
  assertEquals(c.decrypt(iv, new Uint8Array(8), ct.subarray(1)), null);
});

for (const icv of [16, 12, 8]) {
  Deno.test(`aes-gcm-${icv * 8}: Wycheproof aes_gcm_test (96-bit nonces${icv < 16 ? ", tags truncated" : ""})`, () => {
    const n = runWycheproofAead(
      "wycheproof_aes_gcm.json",
      (bits) => AES_GCM.find((a) => a.keyBits === bits && a.icvLength === icv),
    );
    assert(n > 150, `only ${n} cases`);
  });
}
