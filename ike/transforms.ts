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

/** Transform ID and Key Length attribute (bits) of an encryption algorithm. */
export function encryptionId(name: EncryptionName): { id: number; keyBits: number | undefined } {
  const a = encryptionByName(name)!;
  return { id: a.transformId, keyBits: a.keyBits };
}

export const integrityId = (name: IntegrityName): number => integrityByName(name)!.transformId;
export const prfId = (name: PrfName): number => prfByName(name)!.transformId;
export const dhId = (name: DhGroupName): number => dhGroupByName(name)!.transformId;

/** The encryption name for a transform ID and Key Length attribute. */
export function encryptionName(
  id: number,
  keyBits: number | undefined,
): EncryptionName | undefined {
  return encryptionById(id, keyBits)?.name;
}

export const integrityName = (id: number): IntegrityName | undefined => integrityById(id)?.name;
export const prfName = (id: number): PrfName | undefined => prfById(id)?.name;
export const dhGroupName = (id: number): DhGroupName | undefined => dhGroupById(id)?.name;
