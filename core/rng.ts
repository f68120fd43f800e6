/**
 * Randomness, injected. Production code uses {@linkcode systemRng} (the
 * platform CSPRNG); tests use {@linkcode SeededRng} so that SPIs, nonces and
 * jitter repeat from run to run.
 *
 * @module
 */

/** A source of random bytes. */
export interface Rng {
  /** Fills `out` with random bytes and returns it. */
  fill(out: Uint8Array): Uint8Array;
}

/** The platform CSPRNG (`crypto.getRandomValues`, 64 KiB per call at most). */
export const systemRng: Rng = {
  fill(out) {
    for (let i = 0; i < out.length; i += 65536) {
      crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)));
    }
    return out;
  },
};

/**
 * A deterministic generator (xoshiro128**) for tests and simulations.
 * Not for key material in production.
 */
export class SeededRng implements Rng {
  #s: Uint32Array;

  constructor(seed: number) {
    // splitmix32 expands the seed into the four state words.
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s = new Uint32Array([next(), next(), next(), next()]);
  }

  #next(): number {
    const s = this.#s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }

  fill(out: Uint8Array): Uint8Array {
    for (let i = 0; i < out.length; i += 4) {
      let v = this.#next();
      for (let j = i; j < Math.min(out.length, i + 4); j++) {
        out[j] = v & 0xff;
        v >>>= 8;
      }
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** `n` random bytes. */
export function randomBytes(rng: Rng, n: number): Uint8Array {
  return rng.fill(new Uint8Array(n));
}

/** A uniform 32-bit unsigned integer. */
export function randomUint32(rng: Rng): number {
  const b = rng.fill(new Uint8Array(4));
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/** A uniform integer in `[0, bound)` for `0 < bound <= 2^32` (rejection sampling, no bias). */
export function randomBelow(rng: Rng, bound: number): number {
  if (!(bound > 0 && bound <= 2 ** 32) || !Number.isInteger(bound)) {
    throw new RangeError(`Cannot draw below ${bound}: bound must be an integer in 1..2^32`);
  }
  const limit = 2 ** 32 - (2 ** 32 % bound);
  for (;;) {
    const v = randomUint32(rng);
    if (v < limit) return v % bound;
  }
}
