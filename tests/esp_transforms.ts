/**
 * The transforms the ESP tests and benchmarks use, taken from the crypto
 * registry (`crypto/`): the pure provider by default, the native one
 * (node:crypto) or the openssl one (libcrypto through FFI) on request.
 *
 * @module
 */
import {
  type CryptoProvider,
  type EncryptionAlgorithm,
  encryptionByName,
  type IntegrityAlgorithm,
  integrityByName,
} from "../crypto/mod.ts";

/** The encryption transform `name` of `provider`; throws when the registry lacks it. */
export function encryption(name: string, provider: CryptoProvider = "pure"): EncryptionAlgorithm {
  const a = encryptionByName(name, { provider });
  if (!a) throw new Error(`The crypto registry has no encryption transform "${name}"`);
  return a;
}

/** The integrity transform `name` of `provider`; throws when the registry lacks it. */
export function integrity(name: string, provider: CryptoProvider = "pure"): IntegrityAlgorithm {
  const a = integrityByName(name, { provider });
  if (!a) throw new Error(`The crypto registry has no integrity transform "${name}"`);
  return a;
}

export const AES128_CBC = encryption("aes128-cbc");
export const AES128_CTR = encryption("aes128-ctr");
export const AES128_GCM_128 = encryption("aes128-gcm-128");
export const AES192_GCM_128 = encryption("aes192-gcm-128");
export const AES256_GCM_128 = encryption("aes256-gcm-128");
export const CHACHA20_POLY1305 = encryption("chacha20-poly1305");
export const NULL_ENCRYPTION = encryption("null");
export const HMAC_SHA1_96 = integrity("hmac-sha1");
export const HMAC_SHA256_128 = integrity("hmac-sha256");
