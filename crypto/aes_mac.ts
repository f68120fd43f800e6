/**
 * The two AES-based MACs of IPsec, on one CBC-MAC core over noble's AES:
 *
 * - AES-XCBC-MAC (RFC 3566): K1 = E(K, 0x01..), K2 = E(K, 0x02..),
 *   K3 = E(K, 0x03..); CBC-MAC under K1, a complete last block XORed with
 *   K2, an incomplete one padded with 0x80 0x00.. and XORed with K3.
 *   Integrity AES-XCBC-96 (AUTH 5, truncated to 12 bytes, RFC 3566 §4);
 *   PRF AES128-XCBC (PRF 4, RFC 4434: keys of other lengths than 16 are
 *   zero-padded or reduced with AES-XCBC-PRF-128 under a zero key, §2).
 * - AES-CMAC (RFC 4493): L = E(K, 0), K1 = dbl(L), K2 = dbl(K1); CBC-MAC
 *   under K, complete last block XOR K1, padded last block XOR K2.
 *   Integrity AES-CMAC-96 (AUTH 8, RFC 4494); PRF AES-CMAC-PRF-128 (PRF 8,
 *   RFC 4615: a key that is not 16 bytes becomes AES-CMAC(0^128, key), §3).
 *
 * `mac(data, trailer)` authenticates data | trailer without concatenating.
 *
 * @module
 */
import { AesKey, encryptWords } from "./aes_core.ts";
import { readLE32, writeLE32 } from "./bytes.ts";
import { checkAlive, checkLength } from "./errors.ts";
import type { Integrity, IntegrityAlgorithm, PrfAlgorithm } from "./types.ts";

const EMPTY = new Uint8Array(0);

/** A keyed CBC-MAC with the masks for a complete and a padded last block (LE words). */
class CbcMac {
  readonly #aes: AesKey;
  readonly #full: Uint32Array;
  readonly #partial: Uint32Array;
  readonly #scratch = new Uint8Array(16);

  constructor(aes: AesKey, full: Uint8Array, partial: Uint8Array) {
    this.#aes = aes;
    this.#full = words(full);
    this.#partial = words(partial);
  }

  /** The 16-byte MAC of data | trailer into `out`. */
  compute(data: Uint8Array, trailer: Uint8Array, out: Uint8Array): void {
    const xk = this.#aes.enc, dl = data.length, total = dl + trailer.length;
    const blocks = total === 0 ? 1 : Math.ceil(total / 16);
    const mask = total !== 0 && total % 16 === 0 ? this.#full : this.#partial;
    const sc = this.#scratch;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let b = 0; b < blocks; b++) {
      const off = b * 16;
      let src = data, at = off;
      if (off + 16 > dl) {
        for (let i = 0; i < 16; i++) {
          const p = off + i;
          sc[i] = p < dl ? data[p]! : p < total ? trailer[p - dl]! : p === total ? 0x80 : 0;
        }
        src = sc, at = 0;
      }
      let w0 = readLE32(src, at), w1 = readLE32(src, at + 4);
      let w2 = readLE32(src, at + 8), w3 = readLE32(src, at + 12);
      if (b === blocks - 1) w0 ^= mask[0]!, w1 ^= mask[1]!, w2 ^= mask[2]!, w3 ^= mask[3]!;
      const o = encryptWords(xk, s0 ^ w0, s1 ^ w1, s2 ^ w2, s3 ^ w3);
      s0 = o.s0, s1 = o.s1, s2 = o.s2, s3 = o.s3;
    }
    sc.fill(0);
    writeLE32(out, 0, s0);
    writeLE32(out, 4, s1);
    writeLE32(out, 8, s2);
    writeLE32(out, 12, s3);
  }

  destroy(): void {
    this.#aes.destroy();
    this.#full.fill(0);
    this.#partial.fill(0);
  }
}

function words(block: Uint8Array): Uint32Array {
  return Uint32Array.of(
    readLE32(block, 0),
    readLE32(block, 4),
    readLE32(block, 8),
    readLE32(block, 12),
  );
}

/** AES-XCBC-MAC keyed with `key` (RFC 3566 §4, steps 1 and 2). */
function xcbcMac(key: Uint8Array, owner: string): CbcMac {
  const k = new AesKey(key, owner);
  const sub = (byte: number) => {
    const b = new Uint8Array(16).fill(byte);
    k.encryptBlock(b, 0, b, 0);
    return b;
  };
  const k1 = sub(1), k2 = sub(2), k3 = sub(3);
  k.destroy();
  const mac = new CbcMac(new AesKey(k1, owner), k2, k3);
  k1.fill(0), k2.fill(0), k3.fill(0);
  return mac;
}

/** Doubling in GF(2^128) (RFC 4493 §2.3). */
function dbl(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = (b[i]! << 1) | (i < 15 ? b[i + 1]! >>> 7 : 0);
  if (b[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

/** AES-CMAC keyed with `key` (RFC 4493 §2.3 subkey generation). */
function cmacMac(key: Uint8Array, owner: string): CbcMac {
  const k = new AesKey(key, owner);
  const l = new Uint8Array(16);
  k.encryptBlock(l, 0, l, 0);
  const k1 = dbl(l), k2 = dbl(k1);
  const mac = new CbcMac(k, k1, k2);
  l.fill(0), k1.fill(0), k2.fill(0);
  return mac;
}

class AesMacIntegrity implements Integrity {
  readonly #name: string;
  readonly #mac: CbcMac;
  readonly #full = new Uint8Array(16);
  #destroyed = false;

  constructor(name: string, make: (key: Uint8Array, owner: string) => CbcMac, key: Uint8Array) {
    checkLength(`key ${name}`, "key", key, 16);
    this.#name = name;
    this.#mac = make(key, name);
  }

  #compute(data: Uint8Array, trailer: Uint8Array | undefined): void {
    checkAlive(this.#name, this.#destroyed);
    this.#mac.compute(data, trailer ?? EMPTY, this.#full);
  }

  mac(data: Uint8Array, trailer?: Uint8Array): Uint8Array {
    this.#compute(data, trailer);
    const out = this.#full.slice(0, 12);
    this.#full.fill(0);
    return out;
  }

  verify(data: Uint8Array, icv: Uint8Array, trailer?: Uint8Array): boolean {
    checkLength(`verify with ${this.#name}`, "ICV", icv, 12);
    this.#compute(data, trailer);
    let diff = 0;
    for (let i = 0; i < 12; i++) diff |= this.#full[i]! ^ icv[i]!;
    this.#full.fill(0);
    return diff === 0;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#mac.destroy();
  }
}

function oneShot(
  make: (key: Uint8Array, owner: string) => CbcMac,
  key: Uint8Array,
  data: Uint8Array,
  owner: string,
): Uint8Array {
  const m = make(key, owner);
  const out = new Uint8Array(16);
  m.compute(data, EMPTY, out);
  m.destroy();
  return out;
}

/** AES-XCBC-PRF-128 (RFC 4434 §2): any key length. */
function xcbcPrf(key: Uint8Array, data: Uint8Array): Uint8Array {
  let k = key;
  if (key.length < 16) {
    k = new Uint8Array(16);
    k.set(key);
  } else if (key.length > 16) {
    k = oneShot(xcbcMac, new Uint8Array(16), key, "aes-xcbc");
  }
  const out = oneShot(xcbcMac, k, data, "aes-xcbc");
  if (k !== key) k.fill(0);
  return out;
}

/** AES-CMAC-PRF-128 (RFC 4615 §3): any key length. */
function cmacPrf(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = key.length === 16 ? key : oneShot(cmacMac, new Uint8Array(16), key, "aes-cmac");
  const out = oneShot(cmacMac, k, data, "aes-cmac");
  if (k !== key) k.fill(0);
  return out;
}

/** AUTH_AES_XCBC_96 (5). */
export const AES_XCBC_96: IntegrityAlgorithm = {
  name: "aes-xcbc",
  transformId: 5,
  keyLength: 16,
  icvLength: 12,
  create: (key) => new AesMacIntegrity("aes-xcbc", xcbcMac, key),
};

/** AUTH_AES_CMAC_96 (8). */
export const AES_CMAC_96: IntegrityAlgorithm = {
  name: "aes-cmac",
  transformId: 8,
  keyLength: 16,
  icvLength: 12,
  create: (key) => new AesMacIntegrity("aes-cmac", cmacMac, key),
};

/** PRF_AES128_XCBC (4). */
export const PRF_AES128_XCBC: PrfAlgorithm = {
  name: "aes-xcbc",
  transformId: 4,
  keyLength: 16,
  outputLength: 16,
  compute: xcbcPrf,
};

/** PRF_AES128_CMAC (8). */
export const PRF_AES128_CMAC: PrfAlgorithm = {
  name: "aes-cmac",
  transformId: 8,
  keyLength: 16,
  outputLength: 16,
  compute: cmacPrf,
};
