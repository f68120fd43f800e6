/**
 * GHASH, the universal hash of GCM (NIST SP 800-38D §6.4), with per-key
 * tables: for each of the 32 nibble positions of a block, the 16 products
 * of that nibble with H (4-bit "comb" tables, 8 KiB per key). One block
 * costs 32 table lookups and no shifts. Field elements are four big-endian
 * 32-bit words; bit 0 of the spec is the top bit of word 0.
 *
 * @module
 */
import { readBE32, writeBE32 } from "./bytes.ts";

const R = 0xe1000000; // x^128 = x^7 + x^2 + x + 1, reflected (SP 800-38D §6.3)

/** A GHASH state keyed with the hash subkey H = E(K, 0^128). */
export class Ghash {
  readonly #t = new Uint32Array(32 * 16 * 4);
  #y0 = 0;
  #y1 = 0;
  #y2 = 0;
  #y3 = 0;

  constructor(h: Uint8Array) {
    let v0 = readBE32(h, 0), v1 = readBE32(h, 4), v2 = readBE32(h, 8), v3 = readBE32(h, 12);
    const t = this.#t;
    // V_i = H * x^i; entry (j, n) is the sum of V_{4j+k} over the bits k of n (MSB first).
    for (let j = 0; j < 32; j++) {
      for (let k = 0; k < 4; k++) {
        const bit = 8 >>> k;
        for (let n = 0; n < 16; n++) {
          if (n & bit) {
            const idx = (j * 16 + n) * 4;
            t[idx]! ^= v0;
            t[idx + 1]! ^= v1;
            t[idx + 2]! ^= v2;
            t[idx + 3]! ^= v3;
          }
        }
        const carry = v3 & 1;
        v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0;
        v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0;
        v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0;
        v0 = ((v0 >>> 1) ^ (carry ? R : 0)) >>> 0;
      }
    }
  }

  /** Starts a new hash. */
  reset(): void {
    this.#y0 =
      this.#y1 =
      this.#y2 =
      this.#y3 =
        0;
  }

  #block(x0: number, x1: number, x2: number, x3: number): void {
    const t = this.#t;
    let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
    let base = 0;
    for (let w = 0; w < 4; w++) {
      const v = w === 0 ? x0 : w === 1 ? x1 : w === 2 ? x2 : x3;
      for (let s = 28; s >= 0; s -= 4) {
        const idx = base + ((v >>> s) & 15) * 4;
        z0 ^= t[idx]!;
        z1 ^= t[idx + 1]!;
        z2 ^= t[idx + 2]!;
        z3 ^= t[idx + 3]!;
        base += 64;
      }
    }
    this.#y0 = z0 >>> 0;
    this.#y1 = z1 >>> 0;
    this.#y2 = z2 >>> 0;
    this.#y3 = z3 >>> 0;
  }

  /** Absorbs `data`, zero-padded to a whole block (one GCM segment: AAD or ciphertext). */
  update(data: Uint8Array): void {
    const n = data.length;
    let off = 0;
    for (; off + 16 <= n; off += 16) {
      this.#block(
        this.#y0 ^ readBE32(data, off),
        this.#y1 ^ readBE32(data, off + 4),
        this.#y2 ^ readBE32(data, off + 8),
        this.#y3 ^ readBE32(data, off + 12),
      );
    }
    if (off < n) {
      let w0 = 0, w1 = 0, w2 = 0, w3 = 0;
      for (let i = 0; off + i < n; i++) {
        const v = data[off + i]! << (24 - 8 * (i & 3));
        if (i < 4) w0 |= v;
        else if (i < 8) w1 |= v;
        else if (i < 12) w2 |= v;
        else w3 |= v;
      }
      this.#block(this.#y0 ^ w0, this.#y1 ^ w1, this.#y2 ^ w2, this.#y3 ^ w3);
    }
  }

  /** Absorbs the final block: the AAD and ciphertext lengths in bits (SP 800-38D §7.1 step 5). */
  updateLengths(aadBytes: number, dataBytes: number): void {
    const a = aadBytes * 8, c = dataBytes * 8;
    this.#block(
      this.#y0 ^ Math.floor(a / 0x100000000),
      this.#y1 ^ (a >>> 0),
      this.#y2 ^ Math.floor(c / 0x100000000),
      this.#y3 ^ (c >>> 0),
    );
  }

  /** Writes the current value into `out` at `off` (16 bytes). */
  digestInto(out: Uint8Array, off: number): void {
    writeBE32(out, off, this.#y0);
    writeBE32(out, off + 4, this.#y1);
    writeBE32(out, off + 8, this.#y2);
    writeBE32(out, off + 12, this.#y3);
  }

  /** Zeroes the key tables and the state. */
  destroy(): void {
    this.#t.fill(0);
    this.reset();
  }
}
