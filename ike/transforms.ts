/**
 * Reference CLI algorithm names ↔ IKEv2 transform IDs and Key Length
 * attributes (RFC 7296 §3.3.2, §3.3.5; IANA "IKEv2 Parameters": Transform
 * Type 1–5 values). The engine negotiates in these numbers and hands names
 * to `crypto/`.
 *
 * @module
 */
import type { DhGroupName, EncryptionName, IntegrityName, PrfName } from "../crypto/types.ts";

/** RFC 7296 §3.3.2 transform types. */
export const TRANSFORM_ENCR = 1;
export const TRANSFORM_PRF = 2;
export const TRANSFORM_INTEG = 3;
export const TRANSFORM_DH = 4;
export const TRANSFORM_ESN = 5;

/** RFC 7296 §3.3.1 protocol IDs. */
export const PROTO_IKE = 1;
export const PROTO_ESP = 3;

/** Transform ID 0: "NONE" for INTEG and DH. */
export const TRANSFORM_NONE = 0;

interface EncEntry {
  readonly id: number;
  readonly keyBits?: number;
}

export const ENCRYPTION_IDS: Readonly<Record<EncryptionName, EncEntry>> = {
  "null": { id: 11 },
  "aes128-cbc": { id: 12, keyBits: 128 },
  "aes192-cbc": { id: 12, keyBits: 192 },
  "aes256-cbc": { id: 12, keyBits: 256 },
  "aes128-ctr": { id: 13, keyBits: 128 },
  "aes192-ctr": { id: 13, keyBits: 192 },
  "aes256-ctr": { id: 13, keyBits: 256 },
  "aes128-gcm-64": { id: 18, keyBits: 128 },
  "aes192-gcm-64": { id: 18, keyBits: 192 },
  "aes256-gcm-64": { id: 18, keyBits: 256 },
  "aes128-gcm-96": { id: 19, keyBits: 128 },
  "aes192-gcm-96": { id: 19, keyBits: 192 },
  "aes256-gcm-96": { id: 19, keyBits: 256 },
  "aes128-gcm-128": { id: 20, keyBits: 128 },
  "aes192-gcm-128": { id: 20, keyBits: 192 },
  "aes256-gcm-128": { id: 20, keyBits: 256 },
  "chacha20-poly1305": { id: 28 },
};

export const INTEGRITY_IDS: Readonly<Record<IntegrityName, number>> = {
  "hmac-sha1": 2,
  "aes-xcbc": 5,
  "aes-cmac": 8,
  "hmac-sha256": 12,
  "hmac-sha384": 13,
  "hmac-sha512": 14,
};

export const PRF_IDS: Readonly<Record<PrfName, number>> = {
  "hmac-sha1": 2,
  "aes-xcbc": 4,
  "hmac-sha256": 5,
  "hmac-sha384": 6,
  "hmac-sha512": 7,
  "aes-cmac": 8,
};

export const DH_IDS: Readonly<Record<DhGroupName, number>> = {
  "modp1024": 2,
  "modp1536": 5,
  "modp2048": 14,
  "modp3072": 15,
  "modp4096": 16,
  "modp6144": 17,
  "modp8192": 18,
  "ecp256": 19,
  "ecp384": 20,
  "ecp521": 21,
  "curve25519": 31,
  "curve448": 32,
};

function reverse<N extends string>(table: Readonly<Record<N, number>>): Map<number, N> {
  const m = new Map<number, N>();
  for (const [name, id] of Object.entries(table) as [N, number][]) m.set(id, name);
  return m;
}

const INTEG_BY_ID = reverse(INTEGRITY_IDS);
const PRF_BY_ID = reverse(PRF_IDS);
const DH_BY_ID = reverse(DH_IDS);

/** The encryption name for a transform ID and Key Length attribute. */
export function encryptionName(
  id: number,
  keyBits: number | undefined,
): EncryptionName | undefined {
  for (const [name, e] of Object.entries(ENCRYPTION_IDS) as [EncryptionName, EncEntry][]) {
    if (e.id === id && e.keyBits === keyBits) return name;
  }
  return undefined;
}

export const integrityName = (id: number): IntegrityName | undefined => INTEG_BY_ID.get(id);
export const prfName = (id: number): PrfName | undefined => PRF_BY_ID.get(id);
export const dhGroupName = (id: number): DhGroupName | undefined => DH_BY_ID.get(id);
