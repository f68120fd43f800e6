/**
 * Reference CLI algorithm names ↔ IKEv2 transform IDs and Key Length
 * attributes (RFC 7296 §3.3.2, §3.3.5), read from the `crypto/` registry so
 * the numbers live in one place. The engine negotiates in numbers and hands
 * names to `crypto/`.
 *
 * @module
 */
import {
  dhGroupById,
  dhGroupByName,
  encryptionById,
  encryptionByName,
  integrityById,
  integrityByName,
  prfById,
  prfByName,
} from "../crypto/registry.ts";
import type { DhGroupName, EncryptionName, IntegrityName, PrfName } from "../crypto/types.ts";

/**
 * Remembers the found answers of a lookup (the registry scans its lists;
 * proposals ask per message). Misses are not kept: numbers from the wire
 * must not grow the cache.
 */
function memo<K, V>(f: (k: K) => V | undefined): (k: K) => V | undefined {
  const known = new Map<K, V>();
  return (k) => {
    const hit = known.get(k);
    if (hit !== undefined) return hit;
    const v = f(k);
    if (v !== undefined) known.set(k, v);
    return v;
  };
}

const encryptionIds = memo((name: EncryptionName) => {
  const a = encryptionByName(name)!;
  return { id: a.transformId, keyBits: a.keyBits };
});
const integrityIds = memo((name: IntegrityName) => integrityByName(name)!.transformId);
const prfIds = memo((name: PrfName) => prfByName(name)!.transformId);
const dhIds = memo((name: DhGroupName) => dhGroupByName(name)!.transformId);

/** Transform ID and Key Length attribute (bits) of an encryption algorithm. */
export const encryptionId = (name: EncryptionName): { id: number; keyBits: number | undefined } =>
  encryptionIds(name)!;
export const integrityId = (name: IntegrityName): number => integrityIds(name)!;
export const prfId = (name: PrfName): number => prfIds(name)!;
export const dhId = (name: DhGroupName): number => dhIds(name)!;

const encryptionNames = memo((key: string): EncryptionName | undefined => {
  const [id, bits] = key.split("/");
  return encryptionById(Number(id), bits === "" ? undefined : Number(bits))?.name;
});

/** The encryption name for a transform ID and Key Length attribute. */
export function encryptionName(
  id: number,
  keyBits: number | undefined,
): EncryptionName | undefined {
  return encryptionNames(`${id}/${keyBits ?? ""}`);
}

export const integrityName = memo((id: number): IntegrityName | undefined =>
  integrityById(id)?.name
);
export const prfName = memo((id: number): PrfName | undefined => prfById(id)?.name);
export const dhGroupName = memo((id: number): DhGroupName | undefined => dhGroupById(id)?.name);
