/**
 * Test doubles for SK protection (`ike/message/sk.ts`): a keystream "cipher"
 * with a configurable block size, a separate HMAC-SHA-256 integrity, and an
 * AEAD made of the two. They count their calls so that tests can prove the
 * ICV is checked before anything is decrypted. Not cryptography: tests only.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Rng } from "../core/rng.ts";
import type { SkProtection } from "../ike/message/sk.ts";

/** Calls made to a double. */
export interface DoubleCalls {
  encrypt: number;
  decrypt: number;
  mac: number;
  verify: number;
}

function keystream(key: Uint8Array, iv: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let block = 0, o = 0; o < n; block++) {
    const k = hmac(sha256, key, Uint8Array.of(...iv, block >>> 8, block & 0xff));
    out.set(k.subarray(0, Math.min(k.length, n - o)), o);
    o += k.length;
  }
  return out;
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((v, i) => v ^ b[i]!);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A non-AEAD suite: keystream cipher (block `blockSize`, IV `ivLength`) + HMAC-SHA-256 truncated to `icvLength`. */
export function doubleSk(
  opts: { blockSize?: number; ivLength?: number; icvLength?: number; key?: number } = {},
): SkProtection & { calls: DoubleCalls } {
  const { blockSize = 16, ivLength = 16, icvLength = 12, key = 1 } = opts;
  const ek = new Uint8Array(16).fill(key);
  const ak = new Uint8Array(20).fill(key + 100);
  const calls: DoubleCalls = { encrypt: 0, decrypt: 0, mac: 0, verify: 0 };
  return {
    calls,
    ivLength,
    blockSize,
    icvLength,
    cipher: {
      encrypt(iv, _aad, pt) {
        calls.encrypt++;
        if (pt.length % blockSize !== 0) throw new Error("unaligned plaintext");
        return xor(pt, keystream(ek, iv, pt.length));
      },
      decrypt(iv, _aad, ct) {
        calls.decrypt++;
        if (ct.length % blockSize !== 0) throw new Error("unaligned ciphertext");
        return xor(ct, keystream(ek, iv, ct.length));
      },
      destroy() {},
    },
    integrity: {
      mac(data) {
        calls.mac++;
        return hmac(sha256, ak, data).slice(0, icvLength);
      },
      verify(data, icv) {
        calls.verify++;
        return equal(hmac(sha256, ak, data).slice(0, icvLength), icv);
      },
      destroy() {},
    },
  };
}

/** An AEAD suite: keystream cipher, tag = HMAC-SHA-256(iv || aad || ct) truncated to 16, IV 8, block 1. */
export function doubleAead(key = 7): SkProtection & { calls: DoubleCalls } {
  const ek = new Uint8Array(16).fill(key);
  const calls: DoubleCalls = { encrypt: 0, decrypt: 0, mac: 0, verify: 0 };
  const tag = (iv: Uint8Array, aad: Uint8Array, ct: Uint8Array) =>
    hmac(sha256, ek, Uint8Array.of(...iv, ...aad, ...ct)).slice(0, 16);
  return {
    calls,
    ivLength: 8,
    blockSize: 1,
    icvLength: 16,
    integrity: undefined,
    cipher: {
      encrypt(iv, aad, pt) {
        calls.encrypt++;
        const ct = xor(pt, keystream(ek, iv, pt.length));
        return Uint8Array.of(...ct, ...tag(iv, aad, ct));
      },
      decrypt(iv, aad, sealed) {
        calls.decrypt++;
        const ct = sealed.subarray(0, sealed.length - 16);
        if (!equal(tag(iv, aad, ct), sealed.subarray(sealed.length - 16))) return null;
        return xor(ct, keystream(ek, iv, ct.length));
      },
      destroy() {},
    },
  };
}

/** An Rng that hands out `bytes` (repeating), e.g. a captured IV. */
export function fixedRng(bytes: Uint8Array): Rng {
  let i = 0;
  return {
    fill(out) {
      for (let j = 0; j < out.length; j++) out[j] = bytes[i++ % bytes.length]!;
      return out;
    },
  };
}
