/**
 * AES-CTR for ESP (RFC 3686) and IKEv2 (RFC 5930): the keying material is
 * the AES key followed by a 4-byte nonce; each packet carries an 8-byte IV;
 * the counter block is nonce | IV | 32-bit block counter starting at 1.
 * IANA ENCR_AES_CTR = 13, Key Length attribute 128, 192 or 256.
 *
 * Also exports {@linkcode ctrXor}, the counter-mode keystream GCM shares.
 *
 * @module
 */
import { AesKey, encryptWords } from "./aes_core.ts";
import { bswap32, readLE32, writeLE32 } from "./bytes.ts";
import { checkAlive, checkLength } from "./errors.ts";
import type { Cipher, EncryptionAlgorithm, EncryptionName } from "./types.ts";

/**
 * XORs `src` with the AES keystream of the counter blocks
 * `w0 | w1 | w2 | counter, counter+1, ...` into `dst` (which may be `src`).
 * `w0..w2` are the first 12 bytes of the counter block as little-endian
 * words; `counter` is the big-endian 32-bit block counter.
 */
export function ctrXor(
  xk: Uint32Array,
  w0: number,
  w1: number,
  w2: number,
  counter: number,
  src: Uint8Array,
  dst: Uint8Array,
): void {
  const n = src.length;
  let off = 0;
  for (; off + 16 <= n; off += 16) {
    const o = encryptWords(xk, w0, w1, w2, bswap32(counter));
    counter = (counter + 1) >>> 0;
    writeLE32(dst, off, readLE32(src, off) ^ o.s0);
    writeLE32(dst, off + 4, readLE32(src, off + 4) ^ o.s1);
    writeLE32(dst, off + 8, readLE32(src, off + 8) ^ o.s2);
    writeLE32(dst, off + 12, readLE32(src, off + 12) ^ o.s3);
  }
  if (off < n) {
    const o = encryptWords(xk, w0, w1, w2, bswap32(counter));
    for (let i = 0; off + i < n; i++) {
      const word = i < 4 ? o.s0 : i < 8 ? o.s1 : i < 12 ? o.s2 : o.s3;
      dst[off + i] = src[off + i]! ^ (word >>> (8 * (i & 3)));
    }
  }
}

class AesCtrCipher implements Cipher {
  readonly #name: string;
  readonly #aes: AesKey;
  readonly #nonce: number;
  #destroyed = false;

  constructor(name: string, keyLength: number, key: Uint8Array) {
    checkLength(`key ${name}`, "keying material", key, keyLength);
    this.#name = name;
    this.#aes = new AesKey(key.subarray(0, keyLength - 4), name);
    this.#nonce = readLE32(key, keyLength - 4);
  }

  #run(verb: string, iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkAlive(this.#name, this.#destroyed);
    checkLength(`${verb} with ${this.#name}`, "IV", iv, 8);
    const out = new Uint8Array(data.length);
    ctrXor(this.#aes.enc, this.#nonce, readLE32(iv, 0), readLE32(iv, 4), 1, data, out);
    return out;
  }

  encrypt(iv: Uint8Array, _aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return this.#run("encrypt", iv, plaintext);
  }

  decrypt(iv: Uint8Array, _aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    return this.#run("decrypt", iv, ciphertext);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#aes.destroy();
  }
}

function aesCtr(bits: 128 | 192 | 256): EncryptionAlgorithm {
  const name = `aes${bits}-ctr` as EncryptionName;
  const keyLength = bits / 8 + 4;
  return {
    name,
    transformId: 13,
    keyBits: bits,
    keyLength,
    saltLength: 4,
    ivLength: 8,
    blockSize: 1,
    icvLength: 0,
    aead: false,
    create: (key) => new AesCtrCipher(name, keyLength, key),
  };
}

/** AES-CTR with 128-, 192- and 256-bit keys (RFC 3686, RFC 5930). */
export const AES_CTR: readonly EncryptionAlgorithm[] = [aesCtr(128), aesCtr(192), aesCtr(256)];
