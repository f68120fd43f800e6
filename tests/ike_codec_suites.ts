/**
 * The SK protection of the captured IKE SAs, from the transforms their
 * IKE_SA_INIT response accepted (looked up in crypto/'s registry by IANA
 * ID) and the keys the capture logs gave.
 *
 * @module
 */
import { encryptionById, integrityById } from "../crypto/mod.ts";
import { TransformType } from "../ike/constants.ts";
import { createSkProtection, type SkProtection } from "../ike/message/sk.ts";
import type { Proposal } from "../ike/message/types.ts";

/** SK protection for the accepted IKE `proposal` with SK_e and SK_a of one direction. */
export function skForProposal(
  proposal: Proposal,
  enc: Uint8Array,
  integ: Uint8Array,
): SkProtection {
  const t = (type: number) => proposal.transforms.find((x) => x.type === type);
  const encr = t(TransformType.ENCR)!;
  const encryption = encryptionById(encr.id, encr.keyLength);
  if (!encryption) throw new Error(`Cannot find ENCR ${encr.id}/${encr.keyLength} in crypto/`);
  if (encryption.aead) return createSkProtection(encryption, enc);
  const integrity = integrityById(t(TransformType.INTEG)!.id);
  if (!integrity) throw new Error(`Cannot find INTEG ${t(TransformType.INTEG)!.id} in crypto/`);
  return createSkProtection(encryption, enc, integrity, integ);
}
