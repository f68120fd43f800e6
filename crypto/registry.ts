/**
 * Every transform Tandem negotiates, looked up by the reference CLI's name
 * (`aes128-cbc`, `hmac-sha1`, `modp1024`, ...) or by IANA IKEv2 transform
 * ID and Key Length attribute (RFC 7296 §3.3.2, §3.3.5).
 *
 * Two providers implement the same interfaces: `pure` (TypeScript on
 * @noble, the reference, every transform) and `native` (node:crypto where
 * it is faster in Deno: the ESP ciphers it has, ECP 19/20 and
 * Curve25519/448; everything else, integrity and PRFs included, comes from
 * `pure`). The default is `pure`; the ESP dataplane and IKE opt in.
 *
 * @module
 */
import { AES_CBC } from "./aes_cbc.ts";
import { AES_CTR } from "./aes_ctr.ts";
import { AES_GCM } from "./aes_gcm.ts";
import { AES_CMAC_96, AES_XCBC_96, PRF_AES128_CMAC, PRF_AES128_XCBC } from "./aes_mac.ts";
import { CHACHA20_POLY1305 } from "./chacha20_poly1305.ts";
import { ECP_GROUPS } from "./ecp.ts";
import { HMAC_INTEGRITY, HMAC_PRF } from "./hmac.ts";
import type { KeyExchangeGroup } from "./key_exchange.ts";
import { MODP_GROUPS } from "./modp.ts";
import { NATIVE_ENCRYPTION } from "./provider_node.ts";
import { NATIVE_DH_GROUPS } from "./provider_node_dh.ts";
import { opensslEncryption, opensslIntegrity } from "./provider_openssl.ts";
import { ENCR_NULL } from "./null_cipher.ts";
import type { EncryptionAlgorithm, IntegrityAlgorithm, PrfAlgorithm } from "./types.ts";
import { XDH_GROUPS } from "./xdh.ts";

/** Which implementation to hand out. */
export type CryptoProvider = "pure" | "native" | "openssl";

/** Lookup options. */
export interface LookupOptions {
  /**
   * `pure` (default), `native` (node:crypto where available, else pure) or
   * `openssl` (libcrypto through FFI for the ESP ciphers and HMACs when it
   * loads, else as `native`).
   */
  provider?: CryptoProvider;
}

/** Every encryption transform of the pure provider. */
export const ENCRYPTION_ALGORITHMS: readonly EncryptionAlgorithm[] = [
  ENCR_NULL,
  ...AES_CBC,
  ...AES_CTR,
  ...AES_GCM,
  CHACHA20_POLY1305,
];

/** Every integrity transform of the pure provider. */
export const INTEGRITY_ALGORITHMS: readonly IntegrityAlgorithm[] = [
  ...HMAC_INTEGRITY,
  AES_XCBC_96,
  AES_CMAC_96,
];

/** Every PRF. */
export const PRF_ALGORITHMS: readonly PrfAlgorithm[] = [
  ...HMAC_PRF,
  PRF_AES128_XCBC,
  PRF_AES128_CMAC,
];

/** Every key-exchange group. */
export const DH_GROUPS: readonly KeyExchangeGroup[] = [
  ...MODP_GROUPS,
  ...ECP_GROUPS,
  ...XDH_GROUPS,
];

/** Extra names accepted for key-exchange groups (strongSwan spells RFC 8031's groups so). */
export const DH_GROUP_ALIASES: Readonly<Record<string, string>> = {
  x25519: "curve25519",
  x448: "curve448",
};

function pick<T extends { name: string }>(
  pure: readonly T[],
  native: readonly T[],
  match: (t: T) => boolean,
  options: LookupOptions | undefined,
  openssl: () => readonly T[] = () => [],
): T | undefined {
  const provider = options?.provider;
  if (provider === "openssl") {
    const o = openssl().find(match);
    if (o) return o;
  }
  if (provider === "native" || provider === "openssl") {
    const n = native.find(match);
    if (n) return n;
  }
  return pure.find(match);
}

/** The encryption transform called `name` (e.g. `aes256-gcm-128`). */
export function encryptionByName(
  name: string,
  options?: LookupOptions,
): EncryptionAlgorithm | undefined {
  const n = name.toLowerCase();
  return pick(
    ENCRYPTION_ALGORITHMS,
    NATIVE_ENCRYPTION,
    (a) => a.name === n,
    options,
    opensslEncryption,
  );
}

/**
 * The encryption transform with IANA ID `transformId` and Key Length
 * attribute `keyBits`, which AES requires and ChaCha20/NULL forbid
 * (RFC 7296 §3.3.5).
 */
export function encryptionById(
  transformId: number,
  keyBits: number | undefined,
  options?: LookupOptions,
): EncryptionAlgorithm | undefined {
  return pick(
    ENCRYPTION_ALGORITHMS,
    NATIVE_ENCRYPTION,
    (a) => a.transformId === transformId && a.keyBits === keyBits,
    options,
    opensslEncryption,
  );
}

/** The integrity transform called `name` (e.g. `hmac-sha256`). */
export function integrityByName(
  name: string,
  options?: LookupOptions,
): IntegrityAlgorithm | undefined {
  const n = name.toLowerCase();
  return pick(INTEGRITY_ALGORITHMS, [], (a) => a.name === n, options, opensslIntegrity);
}

/** The integrity transform with IANA ID `transformId` (no Key Length attribute exists). */
export function integrityById(
  transformId: number,
  options?: LookupOptions,
): IntegrityAlgorithm | undefined {
  return pick(
    INTEGRITY_ALGORITHMS,
    [],
    (a) => a.transformId === transformId,
    options,
    opensslIntegrity,
  );
}

/** The PRF called `name` (e.g. `hmac-sha1`, `aes-xcbc`). */
export function prfByName(name: string): PrfAlgorithm | undefined {
  const n = name.toLowerCase();
  return PRF_ALGORITHMS.find((a) => a.name === n);
}

/** The PRF with IANA ID `transformId`. */
export function prfById(transformId: number): PrfAlgorithm | undefined {
  return PRF_ALGORITHMS.find((a) => a.transformId === transformId);
}

/** The key-exchange group called `name` (also `x25519`/`x448`). */
export function dhGroupByName(name: string, options?: LookupOptions): KeyExchangeGroup | undefined {
  const n = name.toLowerCase();
  const canonical = DH_GROUP_ALIASES[n] ?? n;
  return pick(DH_GROUPS, NATIVE_DH_GROUPS, (g) => g.name === canonical, options);
}

/** The key-exchange group with IANA number `transformId`. */
export function dhGroupById(
  transformId: number,
  options?: LookupOptions,
): KeyExchangeGroup | undefined {
  return pick(DH_GROUPS, NATIVE_DH_GROUPS, (g) => g.transformId === transformId, options);
}
