/**
 * The IKEv2 key schedule (RFC 7296):
 *
 * - prf+ (§2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n),
 *   at most 255 blocks.
 * - IKE SA keys (§2.14): SKEYSEED = prf(Ni | Nr, g^ir) (only the first
 *   64 bits of each nonce for AES-XCBC-PRF-128 and AES-CMAC-PRF-128);
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). With an AEAD there are no
 *   SK_a*, and SK_e* include the salt (RFC 5282 §7.1, RFC 7634 §2).
 * - IKE SA rekey (§2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 *   with the old SA's PRF; the keys then follow §2.14 with the new SA's
 *   transforms and SPIs.
 * - CHILD SA keys (§2.17): KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr),
 *   taken in the order encryption then integrity for the initiator-to-
 *   responder SA, then the same for responder-to-initiator.
 * - PSK AUTH (§2.15): AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"),
 *   <SignedOctets>), with SignedOctets = RealMessage | Nonce (peer) |
 *   prf(SK_p, RestOfIDPayload).
 *
 * Keys are plain byte arrays; {@linkcode wipeKeys} zeroes a whole set.
 *
 * @module
 */
import { concatBytes } from "./bytes.ts";
import {
  CryptoError,
  type EncryptionAlgorithm,
  type IntegrityAlgorithm,
  type PrfAlgorithm,
} from "./types.ts";

/** prf+ (RFC 7296 §2.13): `length` bytes of keying material. */
export function prfPlus(
  prf: PrfAlgorithm,
  key: Uint8Array,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const blocks = Math.ceil(length / prf.outputLength);
  if (blocks > 255) {
    throw new CryptoError(
      `Cannot run prf+ with ${prf.name}: ${length} bytes need ${blocks} blocks, at most 255 (RFC 7296 §2.13)`,
    );
  }
  const out = new Uint8Array(blocks * prf.outputLength);
  const input = new Uint8Array(prf.outputLength + seed.length + 1);
  let t: Uint8Array = new Uint8Array(0);
  for (let n = 1; n <= blocks; n++) {
    const used = t.length + seed.length + 1;
    input.set(t, 0);
    input.set(seed, t.length);
    input[used - 1] = n;
    t = prf.compute(key, input.subarray(0, used));
    out.set(t, (n - 1) * prf.outputLength);
  }
  input.fill(0);
  const result = out.slice(0, length);
  out.fill(0);
  return result;
}

/** The transforms of an IKE SA (integrity absent exactly when encryption is an AEAD). */
export interface IkeSaTransforms {
  prf: PrfAlgorithm;
  encryption: EncryptionAlgorithm;
  integrity?: IntegrityAlgorithm | undefined;
}

/** The keys of an IKE SA (RFC 7296 §2.14). `skAi`/`skAr` are empty for an AEAD. */
export interface IkeSaKeys {
  skeyseed: Uint8Array;
  skD: Uint8Array;
  skAi: Uint8Array;
  skAr: Uint8Array;
  skEi: Uint8Array;
  skEr: Uint8Array;
  skPi: Uint8Array;
  skPr: Uint8Array;
}

/** The exchange values the keys depend on. */
export interface IkeSaSeed {
  ni: Uint8Array;
  nr: Uint8Array;
  /** g^ir of the (new) key exchange. */
  gir: Uint8Array;
  spiI: Uint8Array;
  spiR: Uint8Array;
}

function integrityKeyLength(
  t: { encryption: EncryptionAlgorithm; integrity?: IntegrityAlgorithm | undefined },
): number {
  if (t.encryption.aead) {
    if (t.integrity) {
      throw new CryptoError(
        `Cannot derive keys: ${t.encryption.name} is an AEAD and takes no integrity transform`,
      );
    }
    return 0;
  }
  if (!t.integrity) {
    throw new CryptoError(`Cannot derive keys: ${t.encryption.name} needs an integrity transform`);
  }
  return t.integrity.keyLength;
}

/** SKEYSEED of a new IKE SA (RFC 7296 §2.14). */
export function computeSkeyseed(
  prf: PrfAlgorithm,
  ni: Uint8Array,
  nr: Uint8Array,
  gir: Uint8Array,
): Uint8Array {
  const fixedKey = prf.name === "aes-xcbc" || prf.name === "aes-cmac";
  const key = fixedKey ? concatBytes(ni.subarray(0, 8), nr.subarray(0, 8)) : concatBytes(ni, nr);
  const out = prf.compute(key, gir);
  key.fill(0);
  return out;
}

/** SKEYSEED of an IKE SA created by rekeying, with the OLD SA's PRF and SK_d (RFC 7296 §2.18). */
export function computeRekeySkeyseed(
  oldPrf: PrfAlgorithm,
  oldSkD: Uint8Array,
  gir: Uint8Array,
  ni: Uint8Array,
  nr: Uint8Array,
): Uint8Array {
  const data = concatBytes(gir, ni, nr);
  const out = oldPrf.compute(oldSkD, data);
  data.fill(0);
  return out;
}

/** SK_d, SK_a*, SK_e*, SK_p* from SKEYSEED (RFC 7296 §2.14). */
export function deriveIkeSaKeys(
  t: IkeSaTransforms,
  skeyseed: Uint8Array,
  seed: Omit<IkeSaSeed, "gir">,
): IkeSaKeys {
  const dl = t.prf.keyLength,
    al = integrityKeyLength(t),
    el = t.encryption.keyLength,
    pl = t.prf.keyLength;
  const s = concatBytes(seed.ni, seed.nr, seed.spiI, seed.spiR);
  const km = prfPlus(t.prf, skeyseed, s, dl + 2 * al + 2 * el + 2 * pl);
  let off = 0;
  const take = (n: number) => km.slice(off, off += n);
  const keys: IkeSaKeys = {
    skeyseed: skeyseed.slice(),
    skD: take(dl),
    skAi: take(al),
    skAr: take(al),
    skEi: take(el),
    skEr: take(el),
    skPi: take(pl),
    skPr: take(pl),
  };
  km.fill(0);
  return keys;
}

/** The keys of a new IKE SA from IKE_SA_INIT (RFC 7296 §2.14). */
export function ikeSaKeys(t: IkeSaTransforms, seed: IkeSaSeed): IkeSaKeys {
  const skeyseed = computeSkeyseed(t.prf, seed.ni, seed.nr, seed.gir);
  const keys = deriveIkeSaKeys(t, skeyseed, seed);
  skeyseed.fill(0);
  return keys;
}

/**
 * The keys of an IKE SA created by CREATE_CHILD_SA rekeying (RFC 7296
 * §2.18): `t` are the new SA's transforms, `oldPrf`/`oldSkD` the old
 * SA's; Ni/Nr/SPIs are those of the rekey exchange and the new SA.
 */
export function rekeyedIkeSaKeys(
  t: IkeSaTransforms,
  oldPrf: PrfAlgorithm,
  oldSkD: Uint8Array,
  seed: IkeSaSeed,
): IkeSaKeys {
  const skeyseed = computeRekeySkeyseed(oldPrf, oldSkD, seed.gir, seed.ni, seed.nr);
  const keys = deriveIkeSaKeys(t, skeyseed, seed);
  skeyseed.fill(0);
  return keys;
}

/** The transforms of a CHILD SA. */
export interface ChildSaTransforms {
  encryption: EncryptionAlgorithm;
  integrity?: IntegrityAlgorithm | undefined;
}

/** The keys of a CHILD SA pair: `*I` protect initiator-to-responder traffic. */
export interface ChildSaKeys {
  encrI: Uint8Array;
  integI: Uint8Array;
  encrR: Uint8Array;
  integR: Uint8Array;
}

/**
 * CHILD SA KEYMAT (RFC 7296 §2.17) with the IKE SA's PRF and SK_d; pass
 * `gir` for a CREATE_CHILD_SA with a KE payload (PFS). The nonces are
 * those of the exchange that creates the CHILD SA (IKE_AUTH reuses the
 * IKE_SA_INIT nonces).
 */
export function childSaKeys(
  prf: PrfAlgorithm,
  skD: Uint8Array,
  t: ChildSaTransforms,
  ni: Uint8Array,
  nr: Uint8Array,
  gir?: Uint8Array,
): ChildSaKeys {
  const el = t.encryption.keyLength, al = integrityKeyLength(t);
  const seed = gir ? concatBytes(gir, ni, nr) : concatBytes(ni, nr);
  const km = prfPlus(prf, skD, seed, 2 * (el + al));
  seed.fill(0);
  let off = 0;
  const take = (n: number) => km.slice(off, off += n);
  const keys = { encrI: take(el), integI: take(al), encrR: take(el), integR: take(al) };
  km.fill(0);
  return keys;
}

const KEY_PAD = new TextEncoder().encode("Key Pad for IKEv2");

/**
 * The octets an IKEv2 AUTH payload signs (RFC 7296 §2.15): the whole first
 * message the signer sent (IKE_SA_INIT request for the initiator, response
 * for the responder), the peer's nonce data, and prf(SK_p, RestOfIDPayload)
 * where `restOfIdPayload` is the ID payload body after the generic header
 * (ID type, 3 reserved bytes, identification data) and `skP` the signer's
 * SK_pi or SK_pr.
 */
export function signedOctets(
  prf: PrfAlgorithm,
  realMessage: Uint8Array,
  peerNonce: Uint8Array,
  skP: Uint8Array,
  restOfIdPayload: Uint8Array,
): Uint8Array {
  const macedId = prf.compute(skP, restOfIdPayload);
  return concatBytes(realMessage, peerNonce, macedId);
}

/** AUTH data for shared-key authentication (RFC 7296 §2.15, auth method 2). */
export function pskAuth(
  prf: PrfAlgorithm,
  sharedSecret: Uint8Array,
  octets: Uint8Array,
): Uint8Array {
  const k = prf.compute(sharedSecret, KEY_PAD);
  const auth = prf.compute(k, octets);
  k.fill(0);
  return auth;
}

/** Zeroes every key of an {@linkcode IkeSaKeys} or {@linkcode ChildSaKeys}. */
export function wipeKeys(keys: IkeSaKeys | ChildSaKeys): void {
  for (const v of Object.values(keys)) (v as Uint8Array).fill(0);
}
