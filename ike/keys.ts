/**
 * The IKEv2 key schedule as the engine uses it (RFC 7296 §2.14–2.18), on
 * top of `crypto/ikev2_keys.ts`: SK_* of a new and of a rekeyed IKE SA
 * (SKEYSEED is wiped at once, never kept), CHILD SA KEYMAT, and PSK AUTH.
 *
 * @module
 */
import {
  childSaKeys,
  type IkeSaKeys,
  ikeSaKeys,
  pskAuth as cryptoPskAuth,
  rekeyedIkeSaKeys,
  signedOctets,
} from "../crypto/ikev2_keys.ts";
import type { EncryptionAlgorithm, IntegrityAlgorithm, PrfAlgorithm } from "../crypto/types.ts";
import type { IkeKeys } from "./ike_sa.ts";

/** The algorithms of an IKE SA. */
export interface IkeSuite {
  readonly enc: EncryptionAlgorithm;
  readonly integ: IntegrityAlgorithm | undefined;
  readonly prf: PrfAlgorithm;
}

/** The exchange values keys depend on. */
export interface KeyInputs {
  readonly gir: Uint8Array;
  readonly ni: Uint8Array;
  readonly nr: Uint8Array;
  readonly spiI: Uint8Array;
  readonly spiR: Uint8Array;
}

function strip(k: IkeSaKeys): IkeKeys {
  k.skeyseed.fill(0);
  return {
    skD: k.skD,
    skAi: k.skAi,
    skAr: k.skAr,
    skEi: k.skEi,
    skEr: k.skEr,
    skPi: k.skPi,
    skPr: k.skPr,
  };
}

const transforms = (s: IkeSuite) => ({ prf: s.prf, encryption: s.enc, integrity: s.integ });

/** §2.14: the keys of a new IKE SA. */
export function newIkeKeys(suite: IkeSuite, x: KeyInputs): IkeKeys {
  return strip(ikeSaKeys(transforms(suite), { ...x }));
}

/** §2.18: the keys of an IKE SA made by rekeying, from the old SA's PRF and SK_d. */
export function rekeyedIkeKeys(
  suite: IkeSuite,
  oldPrf: PrfAlgorithm,
  oldSkD: Uint8Array,
  x: KeyInputs,
): IkeKeys {
  return strip(rekeyedIkeSaKeys(transforms(suite), oldPrf, oldSkD, { ...x }));
}

/** CHILD SA keys in the direction of the exchange that created it. */
export interface ChildKeymat {
  readonly encI: Uint8Array;
  readonly integI: Uint8Array | undefined;
  readonly encR: Uint8Array;
  readonly integR: Uint8Array | undefined;
}

/** §2.17: KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr). */
export function deriveChildKeys(
  prf: PrfAlgorithm,
  skD: Uint8Array,
  enc: EncryptionAlgorithm,
  integ: IntegrityAlgorithm | undefined,
  ni: Uint8Array,
  nr: Uint8Array,
  gir?: Uint8Array,
): ChildKeymat {
  const k = childSaKeys(prf, skD, { encryption: enc, integrity: integ }, ni, nr, gir);
  return {
    encI: k.encrI,
    integI: integ ? k.integI : undefined,
    encR: k.encrR,
    integR: integ ? k.integR : undefined,
  };
}

/** §2.15: the AUTH value for a pre-shared key. */
export function pskAuth(
  prf: PrfAlgorithm,
  secret: Uint8Array,
  realMessage: Uint8Array,
  peerNonce: Uint8Array,
  skP: Uint8Array,
  idBody: Uint8Array,
): Uint8Array {
  const octets = signedOctets(prf, realMessage, peerNonce, skP, idBody);
  const out = cryptoPskAuth(prf, secret, octets);
  octets.fill(0);
  return out;
}
