/**
 * AES-GCM for ESP (RFC 4106) and IKEv2 (RFC 5282): the keying material is
 * the AES key followed by a 4-byte salt; each packet carries an 8-byte IV;
 * the 96-bit GCM nonce is salt | IV (so J0 = salt | IV | 1, NIST SP 800-38D
 * §7.1); the ICV is the leftmost 8, 12 or 16 bytes of the tag
 * (IANA ENCR_AES_GCM_8 = 18, _12 = 19, _16 = 20; Key Length 128/192/256).
 *
 * Decryption computes and checks the tag over the ciphertext first and only
 * then runs the keystream: a forged packet never yields plaintext.
 *
 * @module
 */
import { AesKey, encryptWords } from "./aes_core.ts";
import { ctrXor } from "./aes_ctr.ts";
import { bswap32, readBE32, readLE32, writeBE32 } from "./bytes.ts";
import { checkAlive, checkLength, checkMinLength } from "./errors.ts";
import { Ghash } from "./ghash.ts";
import type { Cipher, EncryptionAlgorithm, EncryptionName } from "./types.ts";

class AesGcmCipher implements Cipher {
  readonly #name: string;
  readonly #icv: number;
  readonly #aes: AesKey;
  readonly #ghash: Ghash;
  readonly #salt: number;
  readonly #tag = new Uint8Array(16);
  #destroyed = false;

  constructor(name: string, keyLength: number, icv: number, key: Uint8Array) {
    checkLength(`key ${name}`, "keying material", key, keyLength);
    this.#name = name;
    this.#icv = icv;
    this.#aes = new AesKey(key.subarray(0, keyLength - 4), name);
    this.#salt = readLE32(key, keyLength - 4);
    const h = new Uint8Array(16);
    this.#aes.encryptBlock(h, 0, h, 0);
    this.#ghash = new Ghash(h);
    h.fill(0);
  }

  /** Computes the full tag over `aad` and `ct` into this.#tag (SP 800-38D §7.1 steps 5-6). */
  #computeTag(w1: number, w2: number, aad: Uint8Array, ct: Uint8Array): void {
    const g = this.#ghash;
    g.reset();
    g.update(aad);
    g.update(ct);
    g.updateLengths(aad.length, ct.length);
    g.digestInto(this.#tag, 0);
    const m = encryptWords(this.#aes.enc, this.#salt, w1, w2, bswap32(1));
    const t = this.#tag;
    writeBE32(t, 0, readBE32(t, 0) ^ bswap32(m.s0));
    writeBE32(t, 4, readBE32(t, 4) ^ bswap32(m.s1));
    writeBE32(t, 8, readBE32(t, 8) ^ bswap32(m.s2));
    writeBE32(t, 12, readBE32(t, 12) ^ bswap32(m.s3));
  }

  encrypt(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    checkAlive(this.#name, this.#destroyed);
    checkLength(`encrypt with ${this.#name}`, "IV", iv, 8);
    const n = plaintext.length;
    const out = new Uint8Array(n + this.#icv);
    const w1 = readLE32(iv, 0), w2 = readLE32(iv, 4);
    const ct = out.subarray(0, n);
    ctrXor(this.#aes.enc, this.#salt, w1, w2, 2, plaintext, ct);
    this.#computeTag(w1, w2, aad, ct);
    out.set(this.#tag.subarray(0, this.#icv), n);
    this.#tag.fill(0);
    return out;
  }

  decrypt(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    checkAlive(this.#name, this.#destroyed);
    const action = `decrypt with ${this.#name}`;
    checkLength(action, "IV", iv, 8);
    checkMinLength(action, "ciphertext", ciphertext, this.#icv);
    const n = ciphertext.length - this.#icv;
    const ct = ciphertext.subarray(0, n);
    const w1 = readLE32(iv, 0), w2 = readLE32(iv, 4);
    this.#computeTag(w1, w2, aad, ct);
    let diff = 0;
    for (let i = 0; i < this.#icv; i++) diff |= this.#tag[i]! ^ ciphertext[n + i]!;
    this.#tag.fill(0);
    if (diff !== 0) return null;
    const out = new Uint8Array(n);
    ctrXor(this.#aes.enc, this.#salt, w1, w2, 2, ct, out);
    return out;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#aes.destroy();
    this.#ghash.destroy();
  }
}

const GCM_IDS: Record<8 | 12 | 16, number> = { 8: 18, 12: 19, 16: 20 };

function aesGcm(bits: 128 | 192 | 256, icv: 8 | 12 | 16): EncryptionAlgorithm {
  const name = `aes${bits}-gcm-${icv * 8}` as EncryptionName;
  const keyLength = bits / 8 + 4;
  return {
    name,
    transformId: GCM_IDS[icv],
    keyBits: bits,
    keyLength,
    saltLength: 4,
    ivLength: 8,
    blockSize: 1,
    icvLength: icv,
    aead: true,
    create: (key) => new AesGcmCipher(name, keyLength, icv, key),
  };
}

/** AES-GCM with 128-, 192- and 256-bit keys and 8-, 12- and 16-byte ICVs. */
export const AES_GCM: readonly EncryptionAlgorithm[] = ([8, 12, 16] as const).flatMap((icv) =>
  ([128, 192, 256] as const).map((bits) => aesGcm(bits, icv))
);
