/**
 * ENCR_NULL for ESP (RFC 2410; IANA 11): no key, no IV, the ciphertext is
 * the plaintext. For tests and for integrity-only SAs; never offered in IKE.
 * `blockSize` is 4 so that ESP's trailer alignment (RFC 4303 §2.4) follows
 * from the cipher's block size like for every other transform.
 *
 * @module
 */
import { checkLength } from "./errors.ts";
import type { Cipher, EncryptionAlgorithm } from "./types.ts";

const NULL_CIPHER: Cipher = {
  encrypt(iv, _aad, plaintext) {
    checkLength("encrypt with null", "IV", iv, 0);
    return plaintext.slice();
  },
  decrypt(iv, _aad, ciphertext) {
    checkLength("decrypt with null", "IV", iv, 0);
    return ciphertext.slice();
  },
  destroy() {},
};

/** The NULL encryption algorithm (RFC 2410). */
export const ENCR_NULL: EncryptionAlgorithm = {
  name: "null",
  transformId: 11,
  keyBits: undefined,
  keyLength: 0,
  saltLength: 0,
  ivLength: 0,
  blockSize: 4,
  icvLength: 0,
  aead: false,
  create(key) {
    checkLength("key null", "key", key, 0);
    return NULL_CIPHER;
  },
};
