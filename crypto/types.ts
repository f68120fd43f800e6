/**
 * The one API shape of every transform Tandem negotiates (noble style:
 * factories that take a key and return an object with the operations).
 * IKE (`ike/`) and the ESP dataplane (`esp/`) depend on these interfaces
 * only; the implementations live beside this file and are looked up by the
 * reference CLI's names or by IANA IKEv2 transform IDs (RFC 7296 §3.3.2,
 * IANA "IKEv2 Parameters").
 *
 * Conventions:
 * - Keys and outputs are `Uint8Array`s. Objects created from a key hold a
 *   copy of it and zero that copy in `destroy()`.
 * - Invalid inputs (wrong key length, wrong IV length, truncated data,
 *   unaligned CBC data) throw {@linkcode CryptoError}. A failed ICV is not an
 *   error: `decrypt` returns `null` and never releases plaintext.
 *
 * @module
 */

/** Thrown on invalid input to a transform; the message says which and why. */
export class CryptoError extends Error {
  override name = "CryptoError";
}

/** A source of random bytes (structurally the same as `core/rng.ts`'s `Rng`). */
export interface RandomSource {
  fill(out: Uint8Array): Uint8Array;
}

/**
 * Reference CLI names of encryption algorithms (IKE and ESP `enc-alg`).
 * AES-GCM names carry the ICV length in bits (RFC 4106 §8: 8, 12 or 16
 * bytes); `null` is ESP only (RFC 2410), for tests.
 */
export const ENCRYPTION_NAMES = [
  "null",
  "aes128-cbc",
  "aes192-cbc",
  "aes256-cbc",
  "aes128-ctr",
  "aes192-ctr",
  "aes256-ctr",
  "aes128-gcm-64",
  "aes192-gcm-64",
  "aes256-gcm-64",
  "aes128-gcm-96",
  "aes192-gcm-96",
  "aes256-gcm-96",
  "aes128-gcm-128",
  "aes192-gcm-128",
  "aes256-gcm-128",
  "chacha20-poly1305",
] as const;
export type EncryptionName = typeof ENCRYPTION_NAMES[number];

/** Reference CLI names of integrity algorithms (`auth-alg`), with their RFC truncation. */
export const INTEGRITY_NAMES = [
  "hmac-sha1", // HMAC-SHA1-96, RFC 2404
  "hmac-sha256", // HMAC-SHA2-256-128, RFC 4868
  "hmac-sha384", // HMAC-SHA2-384-192
  "hmac-sha512", // HMAC-SHA2-512-256
  "aes-xcbc", // AES-XCBC-MAC-96, RFC 3566
  "aes-cmac", // AES-CMAC-96, RFC 4494
] as const;
export type IntegrityName = typeof INTEGRITY_NAMES[number];

/** Reference CLI names of pseudo-random functions (`prf-alg`). */
export const PRF_NAMES = [
  "hmac-sha1",
  "hmac-sha256",
  "hmac-sha384",
  "hmac-sha512",
  "aes-xcbc", // AES-XCBC-PRF-128, RFC 4434
  "aes-cmac", // AES-CMAC-PRF-128, RFC 4615
] as const;
export type PrfName = typeof PRF_NAMES[number];

/** Reference CLI names of key-exchange groups (`dh-group`). */
export const DH_GROUP_NAMES = [
  "modp1024", // 2
  "modp1536", // 5
  "modp2048", // 14
  "modp3072", // 15
  "modp4096", // 16
  "modp6144", // 17
  "modp8192", // 18
  "ecp256", // 19
  "ecp384", // 20
  "ecp521", // 21
  "curve25519", // 31
  "curve448", // 32
] as const;
export type DhGroupName = typeof DH_GROUP_NAMES[number];

/**
 * An encryption transform (IKEv2 transform type 1). AEAD and non-AEAD
 * ciphers share one shape: `encrypt`/`decrypt` take additional authenticated data
 * that non-AEAD ciphers ignore (their integrity is a separate transform).
 */
export interface EncryptionAlgorithm {
  readonly name: EncryptionName;
  /** IANA IKEv2 transform ID (ENCR_*). */
  readonly transformId: number;
  /** Value of the Key Length attribute in bits, when the transform carries one (AES). */
  readonly keyBits: number | undefined;
  /** Bytes of keying material this transform takes from KEYMAT / SK_e (key plus salt). */
  readonly keyLength: number;
  /** Bytes of salt at the end of the keying material (CTR 4, GCM 4, ChaCha20 4, else 0). */
  readonly saltLength: number;
  /** Bytes of IV carried in each packet or SK payload. */
  readonly ivLength: number;
  /** Plaintext (with padding) must be a multiple of this; 1 for stream/counter modes. */
  readonly blockSize: number;
  /** Bytes of ICV an AEAD appends; 0 for non-AEAD. */
  readonly icvLength: number;
  readonly aead: boolean;
  /** Creates a cipher bound to `key` (length must equal {@linkcode keyLength}). */
  create(key: Uint8Array): Cipher;
}

/** A keyed encryption transform. */
export interface Cipher {
  /**
   * Encrypts `plaintext` (already padded to `blockSize`) with the per-packet
   * `iv`; returns ciphertext, followed by the ICV for an AEAD. `aad` is
   * authenticated by an AEAD and ignored otherwise.
   */
  encrypt(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /**
   * Checks the ICV (AEAD) and decrypts. Returns `null` when the ICV does not
   * verify; no plaintext is produced in that case.
   */
  decrypt(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
  /**
   * Optional allocation-free form of {@linkcode encrypt} for packet paths:
   * writes the ciphertext (and an AEAD's ICV) into `out` from `outOffset`
   * and returns the number of bytes written. `out` may be the plaintext's
   * own bytes (in place: `out.subarray(outOffset)` starts where
   * `plaintext` starts); any other overlap is undefined.
   */
  encryptInto?(
    iv: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    outOffset: number,
  ): number;
  /**
   * Optional allocation-free form of {@linkcode decrypt}: writes the
   * plaintext into `out` from `outOffset` (in place allowed, as above) and
   * returns its length, or -1 when the ICV does not verify (the bytes
   * written are zeroed again: no plaintext is released).
   */
  decryptInto?(
    iv: Uint8Array,
    aad: Uint8Array,
    ciphertext: Uint8Array,
    out: Uint8Array,
    outOffset: number,
  ): number;
  /** Zeroes the key material held by this object. */
  destroy(): void;
}

/** An integrity transform (IKEv2 transform type 3). */
export interface IntegrityAlgorithm {
  readonly name: IntegrityName;
  /** IANA IKEv2 transform ID (AUTH_*). */
  readonly transformId: number;
  /** Key length in bytes. */
  readonly keyLength: number;
  /** Length of the truncated ICV in bytes. */
  readonly icvLength: number;
  create(key: Uint8Array): Integrity;
}

/** A keyed integrity transform. */
export interface Integrity {
  /**
   * The truncated ICV over `data` followed by `trailer` (ESP's high-order
   * ESN bits, RFC 4303 §3.3.2.1, are authenticated but never sent).
   */
  mac(data: Uint8Array, trailer?: Uint8Array): Uint8Array;
  /** Optional allocation-free {@linkcode mac}: the ICV into `out` from `outOffset`. */
  macInto?(data: Uint8Array, out: Uint8Array, outOffset: number, trailer?: Uint8Array): void;
  /** Constant-time check of `icv` against {@linkcode mac}. */
  verify(data: Uint8Array, icv: Uint8Array, trailer?: Uint8Array): boolean;
  destroy(): void;
}

/** A pseudo-random function (IKEv2 transform type 2). */
export interface PrfAlgorithm {
  readonly name: PrfName;
  /** IANA IKEv2 transform ID (PRF_*). */
  readonly transformId: number;
  /** The preferred key length in bytes (RFC 7296 §2.13: SK_d, SK_pi, SK_pr have this length). */
  readonly keyLength: number;
  /** Output length in bytes. */
  readonly outputLength: number;
  /**
   * prf(key, data). Keys of any length are accepted as the transform's RFC
   * says (HMAC hashes long keys; AES-XCBC-PRF-128 and AES-CMAC-PRF-128
   * derive a 16-byte key, RFC 4434 §2 and RFC 4615 §3).
   */
  compute(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/** A key-exchange group (IKEv2 transform type 4). */
export interface DhGroup {
  readonly name: DhGroupName;
  /** IANA IKEv2 transform ID (the DH group number). */
  readonly transformId: number;
  /** Length in bytes of the public value in a KE payload. */
  readonly publicLength: number;
  /** Length in bytes of the shared secret g^ir. */
  readonly sharedLength: number;
  /** Draws a private key and computes its public value. */
  generate(random: RandomSource): DhPrivate;
}

/** An ephemeral private key of a group. */
export interface DhPrivate {
  readonly group: DhGroup;
  readonly publicValue: Uint8Array;
  /**
   * g^ir from the peer's public value. Throws {@linkcode CryptoError} when
   * the value is invalid (RFC 6989: wrong length, 0, 1, p-1, not on the
   * curve, small-order results).
   */
  computeShared(peerPublic: Uint8Array): Uint8Array;
  destroy(): void;
}
