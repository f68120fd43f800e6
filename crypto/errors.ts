/**
 * Input checks shared by every transform, each throwing a
 * {@linkcode CryptoError} in the project's one voice:
 * `Cannot <action>: <what> is <n> bytes, expected <rule>`.
 *
 * @module
 */
import { CryptoError } from "./types.ts";

/** Throws unless `bytes` has exactly `expected` bytes. */
export function checkLength(
  action: string,
  what: string,
  bytes: Uint8Array,
  expected: number,
): void {
  if (bytes.length !== expected) {
    throw new CryptoError(
      `Cannot ${action}: ${what} is ${bytes.length} bytes, expected ${expected}`,
    );
  }
}

/** Throws unless `bytes` holds a whole number of `block`-byte blocks. */
export function checkAligned(action: string, what: string, bytes: Uint8Array, block: number): void {
  if (bytes.length % block !== 0) {
    throw new CryptoError(
      `Cannot ${action}: ${what} is ${bytes.length} bytes, not a multiple of the block size ${block}`,
    );
  }
}

/** Throws unless `bytes` has at least `min` bytes. */
export function checkMinLength(action: string, what: string, bytes: Uint8Array, min: number): void {
  if (bytes.length < min) {
    throw new CryptoError(
      `Cannot ${action}: ${what} is ${bytes.length} bytes, expected at least ${min}`,
    );
  }
}

/** Throws if an object is used after `destroy()`. */
export function checkAlive(name: string, destroyed: boolean): void {
  if (destroyed) throw new CryptoError(`Cannot use ${name}: its key was destroyed`);
}
