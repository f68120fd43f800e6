/**
 * Test-only implementations of the `crypto/types.ts` transform API on top of
 * @noble, for the ESP dataplane tests while `crypto/` is being written
 * elsewhere. Each follows its RFC: AES-CBC (RFC 3602), AES-CTR (RFC 3686),
 * AES-GCM (RFC 4106, 4-byte salt at the end of the key), ChaCha20-Poly1305
 * (RFC 7634), NULL (RFC 2410), HMAC-SHA1-96 (RFC 2404), HMAC-SHA2-256-128
 * (RFC 4868).
 *
 * @module
 */
import { cbc, ctr, gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  type Cipher,
  CryptoError,
  type EncryptionAlgorithm,
  type EncryptionName,
  type Integrity,
  type IntegrityAlgorithm,
  type IntegrityName,
} from "../crypto/types.ts";

function checkLen(what: string, got: number, want: number): void {
  if (got !== want) throw new CryptoError(`${what}: ${got} bytes, expected ${want}`);
}

function cipherOf(
  name: EncryptionName,
  keyLength: number,
  saltLength: number,
  ivLength: number,
  blockSize: number,
  icvLength: number,
  run: (key: Uint8Array, salt: Uint8Array) => Cipher,
): EncryptionAlgorithm {
  return {
    name,
    transformId: 0,
    keyBits: (keyLength - saltLength) * 8,
    keyLength,
    saltLength,
    ivLength,
    blockSize,
    icvLength,
    aead: icvLength > 0,
    create(key) {
      checkLen(`${name} key`, key.length, keyLength);
      const k = key.slice(0, keyLength - saltLength);
      const salt = key.slice(keyLength - saltLength);
      return run(k, salt);
    },
  };
}

function aeadCipher(
  key: Uint8Array,
  salt: Uint8Array,
  make: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array) => {
    encrypt(d: Uint8Array): Uint8Array;
    decrypt(d: Uint8Array): Uint8Array;
  },
): Cipher {
  const nonce = new Uint8Array(12);
  nonce.set(salt);
  return {
    encrypt(iv, aad, pt) {
      checkLen("IV", iv.length, 8);
      nonce.set(iv, 4);
      return make(key, nonce, aad).encrypt(pt);
    },
    decrypt(iv, aad, ct) {
      checkLen("IV", iv.length, 8);
      nonce.set(iv, 4);
      try {
        return make(key, nonce, aad).decrypt(ct);
      } catch {
        return null;
      }
    },
    destroy() {
      key.fill(0);
      salt.fill(0);
    },
  };
}

export const AES128_CBC = cipherOf("aes128-cbc", 16, 0, 16, 16, 0, (key) => ({
  encrypt(iv, _aad, pt) {
    if (pt.length % 16) throw new CryptoError(`CBC data of ${pt.length} bytes`);
    return cbc(key, iv, { disablePadding: true }).encrypt(pt);
  },
  decrypt(iv, _aad, ct) {
    if (ct.length % 16) throw new CryptoError(`CBC data of ${ct.length} bytes`);
    return cbc(key, iv, { disablePadding: true }).decrypt(ct);
  },
  destroy: () => key.fill(0),
}));

export const AES128_CTR = cipherOf("aes128-ctr", 20, 4, 8, 1, 0, (key, salt) => {
  const block = new Uint8Array(16);
  const run = (iv: Uint8Array, d: Uint8Array) => {
    block.set(salt);
    block.set(iv, 4);
    block[15] = 1;
    return ctr(key, block).encrypt(d);
  };
  return {
    encrypt: (iv, _a, pt) => run(iv, pt),
    decrypt: (iv, _a, ct) => run(iv, ct),
    destroy: () => key.fill(0),
  };
});

export const AES128_GCM_128 = cipherOf(
  "aes128-gcm-128",
  20,
  4,
  8,
  1,
  16,
  (k, s) => aeadCipher(k, s, gcm),
);
export const AES192_GCM_128 = cipherOf(
  "aes192-gcm-128",
  28,
  4,
  8,
  1,
  16,
  (k, s) => aeadCipher(k, s, gcm),
);
export const AES256_GCM_128 = cipherOf(
  "aes256-gcm-128",
  36,
  4,
  8,
  1,
  16,
  (k, s) => aeadCipher(k, s, gcm),
);
export const CHACHA20_POLY1305 = cipherOf(
  "chacha20-poly1305",
  36,
  4,
  8,
  1,
  16,
  (k, s) => aeadCipher(k, s, chacha20poly1305),
);

export const NULL_ENCRYPTION = cipherOf("null", 0, 0, 0, 1, 0, () => ({
  encrypt: (_iv, _aad, pt) => pt.slice(),
  decrypt: (_iv, _aad, ct) => ct.slice(),
  destroy: () => {},
}));

function hmacOf(
  name: IntegrityName,
  hash: typeof sha1,
  keyLength: number,
  icvLength: number,
): IntegrityAlgorithm {
  return {
    name,
    transformId: 0,
    keyLength,
    icvLength,
    create(keyIn): Integrity {
      checkLen(`${name} key`, keyIn.length, keyLength);
      const key = keyIn.slice();
      const mac = (data: Uint8Array, trailer?: Uint8Array) => {
        const h = hmac.create(hash, key).update(data);
        if (trailer) h.update(trailer);
        return h.digest().slice(0, icvLength);
      };
      return {
        mac,
        verify(data, icv, trailer) {
          const m = mac(data, trailer);
          if (icv.length !== m.length) return false;
          let d = 0;
          for (let i = 0; i < m.length; i++) d |= m[i]! ^ icv[i]!;
          return d === 0;
        },
        destroy: () => key.fill(0),
      };
    },
  };
}

export const HMAC_SHA1_96 = hmacOf("hmac-sha1", sha1, 20, 12);
export const HMAC_SHA256_128 = hmacOf("hmac-sha256", sha256, 32, 16);

/** Every test transform by its CLI name. */
export const TEST_ENCRYPTION: Record<string, EncryptionAlgorithm> = Object.fromEntries(
  [
    AES128_CBC,
    AES128_CTR,
    AES128_GCM_128,
    AES192_GCM_128,
    AES256_GCM_128,
    CHACHA20_POLY1305,
    NULL_ENCRYPTION,
  ]
    .map((a) => [a.name, a]),
);
export const TEST_INTEGRITY: Record<string, IntegrityAlgorithm> = Object.fromEntries(
  [HMAC_SHA1_96, HMAC_SHA256_128].map((a) => [a.name, a]),
);
