/**
 * The AES block function (FIPS 197) from `@noble/ciphers`, keyed once per
 * SA: the key schedule is expanded when a transform object is created, not
 * per packet. Blocks travel as four little-endian 32-bit words, the word
 * order of noble's table implementation.
 *
 * @module
 */
import { unsafe } from "@noble/ciphers/aes.js";
import { readLE32, writeLE32 } from "./bytes.ts";
import { CryptoError } from "./types.ts";

/** The four words of one block. */
export interface Block {
  s0: number;
  s1: number;
  s2: number;
  s3: number;
}

/** The block function on words, given an expanded key schedule. */
export type BlockFunction = (
  xk: Uint32Array,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
) => Block;

/** Encrypts one block given as words (FIPS 197 §5.1). */
export const encryptWords: BlockFunction = unsafe.encrypt as BlockFunction;

/** Decrypts one block given as words (FIPS 197 §5.3). */
export const decryptWords: BlockFunction = unsafe.decrypt as BlockFunction;

/** An AES key with its expanded encryption (and, on demand, decryption) schedule. */
export class AesKey {
  readonly #enc: Uint32Array;
  #dec: Uint32Array | undefined;
  readonly #raw: Uint8Array;

  /** `key` must be 16, 24 or 32 bytes; `owner` names the transform in errors. */
  constructor(key: Uint8Array, owner: string) {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new CryptoError(
        `Cannot key ${owner}: key is ${key.length} bytes, expected 16, 24 or 32`,
      );
    }
    this.#raw = key.slice();
    this.#enc = unsafe.expandKeyLE(this.#raw) as Uint32Array;
  }

  /** The encryption schedule. */
  get enc(): Uint32Array {
    return this.#enc;
  }

  /** The decryption schedule (expanded the first time it is needed). */
  get dec(): Uint32Array {
    return this.#dec ??= unsafe.expandKeyDecLE(this.#raw) as Uint32Array;
  }

  /** Encrypts the 16 bytes at `src[srcOff]` into `dst[dstOff]` (may alias). */
  encryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
    const o = encryptWords(
      this.enc,
      readLE32(src, srcOff),
      readLE32(src, srcOff + 4),
      readLE32(src, srcOff + 8),
      readLE32(src, srcOff + 12),
    );
    writeLE32(dst, dstOff, o.s0);
    writeLE32(dst, dstOff + 4, o.s1);
    writeLE32(dst, dstOff + 8, o.s2);
    writeLE32(dst, dstOff + 12, o.s3);
  }

  /** Zeroes the key and both schedules. */
  destroy(): void {
    this.#raw.fill(0);
    this.#enc.fill(0);
    this.#dec?.fill(0);
  }
}
