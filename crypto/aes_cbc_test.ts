import { assertEquals, assertThrows } from "../tests/assert.ts";
import { checkEncryptionCase, encryptionCases } from "../tests/crypto_vectors.ts";
import { AES_CBC } from "./aes_cbc.ts";
import { CryptoError } from "./types.ts";

for (const alg of AES_CBC) {
  const cases = encryptionCases(alg.name);
  Deno.test(`${alg.name}: ${cases.length} published vectors (RFC 3602 §4, NIST SP 800-38A F.2)`, () => {
    assertEquals(cases.length > 0, true);
    for (const c of cases) checkEncryptionCase(alg, c);
  });
}

Deno.test("aes128-cbc: invalid inputs fail loudly", () => {
  const alg = AES_CBC[0]!;
  assertThrows(() => alg.create(new Uint8Array(15)), CryptoError, "key is 15 bytes, expected 16");
  assertThrows(() => alg.create(new Uint8Array(24)), CryptoError, "key is 24 bytes, expected 16");
  const c = alg.create(new Uint8Array(16));
  const iv = new Uint8Array(16);
  assertThrows(
    () => c.encrypt(new Uint8Array(8), new Uint8Array(0), new Uint8Array(16)),
    CryptoError,
    "IV is 8 bytes",
  );
  assertThrows(
    () => c.encrypt(iv, new Uint8Array(0), new Uint8Array(17)),
    CryptoError,
    "plaintext is 17 bytes, not a multiple of the block size 16",
  );
  assertThrows(
    () => c.decrypt(iv, new Uint8Array(0), new Uint8Array(31)),
    CryptoError,
    "ciphertext is 31 bytes, not a multiple of the block size 16",
  );
  c.destroy();
  assertThrows(
    () => c.encrypt(iv, new Uint8Array(0), new Uint8Array(16)),
    CryptoError,
    "destroyed",
  );
});

Deno.test("aes256-cbc: the IV chains across blocks and unaligned views work", () => {
  const alg = AES_CBC[2]!;
  const c = alg.create(new Uint8Array(32).fill(7));
  const buf = new Uint8Array(1 + 16 + 64);
  buf.forEach((_, i) => buf[i] = i * 13);
  const iv = buf.subarray(1, 17), pt = buf.subarray(17);
  const ct = c.encrypt(iv, new Uint8Array(0), pt);
  assertEquals(c.decrypt(iv, new Uint8Array(0), ct), pt.slice());
});
