/**
 * AES-CBC for ESP and IKEv2 (RFC 3602; IKEv2 SK payload, RFC 7296 §3.14):
 * a 16-byte explicit IV per packet, plaintext already padded to whole
 * 16-byte blocks by the caller. IANA ENCR_AES_CBC = 12, with the Key Length
 * attribute 128, 192 or 256.
 *
 * @module
 */
import { AesKey, decryptWords, encryptWords } from "./aes_core.ts";
import { readLE32, writeLE32 } from "./bytes.ts";
import { checkAligned, checkAlive, checkLength } from "./errors.ts";
import type { Cipher, EncryptionAlgorithm, EncryptionName } from "./types.ts";

const BLOCK = 16;

class AesCbcCipher implements Cipher {
  readonly #name: string;
  readonly #aes: AesKey;
  #destroyed = false;

  constructor(name: string, keyLength: number, key: Uint8Array) {
    checkLength(`key ${name}`, "key", key, keyLength);
    this.#name = name;
    this.#aes = new AesKey(key, name);
  }

  #check(verb: string, iv: Uint8Array, data: Uint8Array): void {
    checkAlive(this.#name, this.#destroyed);
    checkLength(`${verb} with ${this.#name}`, "IV", iv, BLOCK);
    checkAligned(
      `${verb} with ${this.#name}`,
      verb === "encrypt" ? "plaintext" : "ciphertext",
      data,
      BLOCK,
    );
  }

  encrypt(iv: Uint8Array, _aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    this.#check("encrypt", iv, plaintext);
    const xk = this.#aes.enc;
    const out = new Uint8Array(plaintext.length);
    let s0 = readLE32(iv, 0), s1 = readLE32(iv, 4), s2 = readLE32(iv, 8), s3 = readLE32(iv, 12);
    for (let off = 0; off < plaintext.length; off += BLOCK) {
      const o = encryptWords(
        xk,
        s0 ^ readLE32(plaintext, off),
        s1 ^ readLE32(plaintext, off + 4),
        s2 ^ readLE32(plaintext, off + 8),
        s3 ^ readLE32(plaintext, off + 12),
      );
      s0 = o.s0, s1 = o.s1, s2 = o.s2, s3 = o.s3;
      writeLE32(out, off, s0);
      writeLE32(out, off + 4, s1);
      writeLE32(out, off + 8, s2);
      writeLE32(out, off + 12, s3);
    }
    return out;
  }

  decrypt(iv: Uint8Array, _aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    this.#check("decrypt", iv, ciphertext);
    const xk = this.#aes.dec;
    const out = new Uint8Array(ciphertext.length);
    let p0 = readLE32(iv, 0), p1 = readLE32(iv, 4), p2 = readLE32(iv, 8), p3 = readLE32(iv, 12);
    for (let off = 0; off < ciphertext.length; off += BLOCK) {
      const c0 = readLE32(ciphertext, off), c1 = readLE32(ciphertext, off + 4);
      const c2 = readLE32(ciphertext, off + 8), c3 = readLE32(ciphertext, off + 12);
      const o = decryptWords(xk, c0, c1, c2, c3);
      writeLE32(out, off, o.s0 ^ p0);
      writeLE32(out, off + 4, o.s1 ^ p1);
      writeLE32(out, off + 8, o.s2 ^ p2);
      writeLE32(out, off + 12, o.s3 ^ p3);
      p0 = c0, p1 = c1, p2 = c2, p3 = c3;
    }
    return out;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#aes.destroy();
  }
}

function aesCbc(bits: 128 | 192 | 256): EncryptionAlgorithm {
  const name = `aes${bits}-cbc` as EncryptionName;
  return {
    name,
    transformId: 12,
    keyBits: bits,
    keyLength: bits / 8,
    saltLength: 0,
    ivLength: BLOCK,
    blockSize: BLOCK,
    icvLength: 0,
    aead: false,
    create: (key) => new AesCbcCipher(name, bits / 8, key),
  };
}

/** AES-CBC with 128-, 192- and 256-bit keys (RFC 3602). */
export const AES_CBC: readonly EncryptionAlgorithm[] = [aesCbc(128), aesCbc(192), aesCbc(256)];
