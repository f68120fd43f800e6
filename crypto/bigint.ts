/**
 * BigInt helpers for the MODP groups: big-endian conversion and modular
 * exponentiation by left-to-right sliding windows (HAC 14.85), with a
 * shift-based variant for base 2 (every MODP group's generator), where
 * multiplying by the window's power of two is a shift.
 *
 * @module
 */

/** The big-endian unsigned integer in `bytes`. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex.length === 0 ? 0n : BigInt("0x" + hex);
}

/** `n` as `length` big-endian bytes (zero-padded on the left); throws if it does not fit. */
export function bigIntToBytes(n: bigint, length: number): Uint8Array {
  const hex = n.toString(16);
  if (hex.length > length * 2) {
    throw new RangeError(`Cannot encode integer: needs more than ${length} bytes`);
  }
  const padded = hex.padStart(length * 2, "0");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(padded.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function windowBits(expBits: number): number {
  return expBits > 768 ? 6 : expBits > 256 ? 5 : expBits > 64 ? 4 : 2;
}

/** base^exp mod m for exp >= 0, m > 1. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  base %= m;
  if (exp === 0n) return 1n % m;
  if (base === 2n) return modPow2(exp, m);
  const bits = exp.toString(2);
  const w = windowBits(bits.length);
  // Odd powers base^1, base^3, ..., base^(2^w - 1).
  const odd: bigint[] = [base];
  const sq = (base * base) % m;
  for (let i = 1; i < 1 << (w - 1); i++) odd.push((odd[i - 1]! * sq) % m);
  let r = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === "0") {
      r = (r * r) % m;
      i++;
      continue;
    }
    // The longest window bits[i..j] of at most w bits that ends in a 1.
    let j = Math.min(i + w, bits.length) - 1;
    while (bits[j] === "0") j--;
    const value = parseInt(bits.slice(i, j + 1), 2);
    for (let k = i; k <= j; k++) r = (r * r) % m;
    r = (r * odd[(value - 1) >> 1]!) % m;
    i = j + 1;
  }
  return r;
}

/** 2^exp mod m with fixed 5-bit windows: square five times, then shift by the digit. */
function modPow2(exp: bigint, m: bigint): bigint {
  let bits = exp.toString(2);
  bits = bits.padStart(Math.ceil(bits.length / 5) * 5, "0");
  let r = 1n;
  for (let i = 0; i < bits.length; i += 5) {
    for (let k = 0; k < 5; k++) r = (r * r) % m;
    const digit = BigInt(parseInt(bits.slice(i, i + 5), 2));
    if (digit !== 0n) r = (r << digit) % m;
  }
  return r;
}
