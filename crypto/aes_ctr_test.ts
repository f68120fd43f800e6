import { assertEquals, assertThrows } from "../tests/assert.ts";
import { checkEncryptionCase, encryptionCases } from "../tests/crypto_vectors.ts";
import { AES_CTR } from "./aes_ctr.ts";
import { CryptoError } from "./types.ts";

for (const alg of AES_CTR) {
  const cases = encryptionCases(alg.name);
  Deno.test(`${alg.name}: ${cases.length} published vectors (RFC 3686 §6)`, () => {
    assertEquals(cases.length, 3);
    for (const c of cases) checkEncryptionCase(alg, c);
  });
}

Deno.test("aes128-ctr: keying material includes the 4-byte nonce, IV is 8 bytes", () => {
  const alg = AES_CTR[0]!;
  assertEquals([alg.keyLength, alg.saltLength, alg.ivLength, alg.blockSize], [20, 4, 8, 1]);
  assertThrows(
    () => alg.create(new Uint8Array(16)),
    CryptoError,
    "keying material is 16 bytes, expected 20",
  );
  const c = alg.create(new Uint8Array(20));
  assertThrows(
    () => c.encrypt(new Uint8Array(16), new Uint8Array(0), new Uint8Array(3)),
    CryptoError,
    "IV is 16 bytes, expected 8",
  );
});
