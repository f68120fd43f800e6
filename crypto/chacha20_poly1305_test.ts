import { assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkEncryptionCase,
  encryptionCases,
  runWycheproofAead,
} from "../tests/crypto_vectors.ts";
import { CHACHA20_POLY1305 } from "./chacha20_poly1305.ts";
import { CryptoError } from "./types.ts";

Deno.test("chacha20-poly1305: RFC 8439 §2.8.2 / A.5 and RFC 7634 Appendices A and B", () => {
  const cases = encryptionCases("chacha20-poly1305");
  assertEquals(cases.length, 4);
  for (const c of cases) checkEncryptionCase(CHACHA20_POLY1305, c);
});

Deno.test("chacha20-poly1305: invalid inputs fail loudly", () => {
  assertThrows(
    () => CHACHA20_POLY1305.create(new Uint8Array(32)),
    CryptoError,
    "keying material is 32 bytes, expected 36",
  );
  const c = CHACHA20_POLY1305.create(new Uint8Array(36));
  const iv = new Uint8Array(8);
  assertThrows(
    () => c.decrypt(iv, new Uint8Array(0), new Uint8Array(15)),
    CryptoError,
    "ciphertext is 15 bytes, expected at least 16",
  );
  assertThrows(
    () => c.encrypt(new Uint8Array(12), new Uint8Array(0), new Uint8Array(1)),
    CryptoError,
    "IV is 12 bytes, expected 8",
  );
});

Deno.test("chacha20-poly1305: Wycheproof chacha20_poly1305_test (96-bit nonces)", () => {
  const n = runWycheproofAead("wycheproof_chacha20_poly1305.json", () => CHACHA20_POLY1305);
  assertEquals(n > 300, true);
});
