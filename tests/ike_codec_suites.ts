/**
 * The SK protection of the captured IKE SAs, from the transforms their
 * IKE_SA_INIT response accepted and the keys the capture logs gave.
 *
 * Until crypto/ lands on main, the two suites the captures use
 * (AES-CBC-128 + HMAC-SHA1-96, AES-GCM-16-256) are built on @noble here.
 *
 * @module
 */
import { cbc, gcm } from "@noble/ciphers/aes.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { TransformType } from "../ike/constants.ts";
import type { SkProtection } from "../ike/message/sk.ts";
import type { Proposal } from "../ike/message/types.ts";

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function cbcSha1(enc: Uint8Array, integ: Uint8Array): SkProtection {
  return {
    ivLength: 16,
    blockSize: 16,
    icvLength: 12,
    cipher: {
      encrypt: (iv, _aad, pt) => cbc(enc, iv, { disablePadding: true }).encrypt(pt),
      decrypt: (iv, _aad, ct) => cbc(enc, iv, { disablePadding: true }).decrypt(ct),
      destroy() {},
    },
    integrity: {
      mac: (d) => hmac(sha1, integ, d).slice(0, 12),
      verify: (d, icv) => equal(hmac(sha1, integ, d).slice(0, 12), icv),
      destroy() {},
    },
  };
}

function gcm16(keymat: Uint8Array): SkProtection {
  const key = keymat.slice(0, keymat.length - 4);
  const salt = keymat.slice(keymat.length - 4);
  const nonce = (iv: Uint8Array) => Uint8Array.of(...salt, ...iv);
  return {
    ivLength: 8,
    blockSize: 1,
    icvLength: 16,
    integrity: undefined,
    cipher: {
      encrypt: (iv, aad, pt) => gcm(key, nonce(iv), aad).encrypt(pt),
      decrypt: (iv, aad, ct) => {
        try {
          return gcm(key, nonce(iv), aad).decrypt(ct);
        } catch {
          return null; // tag mismatch
        }
      },
      destroy() {},
    },
  };
}

/** SK protection for the accepted IKE `proposal` with SK_e and SK_a of one direction. */
export function skForProposal(
  proposal: Proposal,
  enc: Uint8Array,
  integ: Uint8Array,
): SkProtection {
  const t = (type: number) => proposal.transforms.find((x) => x.type === type);
  const encr = t(TransformType.ENCR)!;
  if (encr.id === 20 && encr.keyLength === 256) return gcm16(enc);
  if (encr.id === 12 && encr.keyLength === 128 && t(TransformType.INTEG)?.id === 2) {
    return cbcSha1(enc, integ);
  }
  throw new Error(`Cannot build a suite for ENCR ${encr.id}/${encr.keyLength}`);
}
