/**
 * ChaCha20-Poly1305 for ESP and IKEv2 (RFC 7634) on the AEAD construction
 * of RFC 8439 §2.8: the keying material is a 32-byte key followed by a
 * 4-byte salt; each packet carries an 8-byte IV; the 96-bit nonce is
 * salt | IV; the ICV is the 16-byte Poly1305 tag. IANA
 * ENCR_CHACHA20_POLY1305 = 28, no Key Length attribute.
 *
 * The ChaCha20 stream and Poly1305 come from `@noble/ciphers`; the tag is
 * checked before any plaintext is produced.
 *
 * @module
 */
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { chacha20 } from "@noble/ciphers/chacha.js";
import { checkAlive, checkLength, checkMinLength } from "./errors.ts";
import type { Cipher, EncryptionAlgorithm } from "./types.ts";

const NAME = "chacha20-poly1305";
const TAG = 16;
const ZEROS = new Uint8Array(32);

class ChaChaPolyCipher implements Cipher {
  readonly #key: Uint8Array;
  readonly #nonce = new Uint8Array(12);
  readonly #polyKey = new Uint8Array(32);
  readonly #lengths = new Uint8Array(16);
  readonly #tag = new Uint8Array(TAG);
  #destroyed = false;

  constructor(key: Uint8Array) {
    checkLength(`key ${NAME}`, "keying material", key, 36);
    this.#key = key.slice(0, 32);
    this.#nonce.set(key.subarray(32, 36));
  }

  /** Sets the nonce to salt | iv and computes the tag of `aad` and `ct` (RFC 8439 §2.8). */
  #computeTag(aad: Uint8Array, ct: Uint8Array): void {
    chacha20(this.#key, this.#nonce, ZEROS, this.#polyKey, 0);
    const mac = poly1305.create(this.#polyKey);
    mac.update(aad);
    if (aad.length % 16) mac.update(ZEROS.subarray(0, 16 - (aad.length % 16)));
    mac.update(ct);
    if (ct.length % 16) mac.update(ZEROS.subarray(0, 16 - (ct.length % 16)));
    const v = new DataView(this.#lengths.buffer);
    v.setUint32(0, aad.length, true);
    v.setUint32(8, ct.length, true);
    mac.update(this.#lengths);
    mac.digestInto(this.#tag);
    this.#polyKey.fill(0);
  }

  #start(verb: string, iv: Uint8Array): void {
    checkAlive(NAME, this.#destroyed);
    checkLength(`${verb} with ${NAME}`, "IV", iv, 8);
    this.#nonce.set(iv, 4);
  }

  encrypt(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    this.#start("encrypt", iv);
    const n = plaintext.length;
    const out = new Uint8Array(n + TAG);
    const ct = out.subarray(0, n);
    chacha20(this.#key, this.#nonce, plaintext, ct, 1);
    this.#computeTag(aad, ct);
    out.set(this.#tag, n);
    this.#tag.fill(0);
    return out;
  }

  decrypt(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    this.#start("decrypt", iv);
    checkMinLength(`decrypt with ${NAME}`, "ciphertext", ciphertext, TAG);
    const n = ciphertext.length - TAG;
    const ct = ciphertext.subarray(0, n);
    this.#computeTag(aad, ct);
    let diff = 0;
    for (let i = 0; i < TAG; i++) diff |= this.#tag[i]! ^ ciphertext[n + i]!;
    this.#tag.fill(0);
    if (diff !== 0) return null;
    const out = new Uint8Array(n);
    chacha20(this.#key, this.#nonce, ct, out, 1);
    return out;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#key.fill(0);
    this.#nonce.fill(0);
  }
}

/** ChaCha20-Poly1305 (RFC 7634). */
export const CHACHA20_POLY1305: EncryptionAlgorithm = {
  name: NAME,
  transformId: 28,
  keyBits: undefined,
  keyLength: 36,
  saltLength: 4,
  ivLength: 8,
  blockSize: 1,
  icvLength: TAG,
  aead: true,
  create: (key) => new ChaChaPolyCipher(key),
};
