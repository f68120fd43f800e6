/**
 * Small helpers the tasks share: nonce checks, constant-time comparison,
 * and the "lowest nonce" rule that settles simultaneous rekeys (RFC 7296
 * §2.8.1, §2.8.2).
 *
 * @module
 */
import { CryptoError, type DhPrivate } from "../../crypto/types.ts";
import type { NoncePayload } from "../message/types.ts";
import { NONCE_MAX, NONCE_MIN } from "../spi.ts";

/** Whether a received nonce has an allowed length (§3.9). */
export function nonceOk(n: NoncePayload | undefined): n is NoncePayload {
  return n !== undefined && n.data.length >= NONCE_MIN && n.data.length <= NONCE_MAX;
}

/** Constant-time equality of two byte strings. */
export function ctEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Lexicographic order of byte strings (a shorter prefix sorts first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * §2.8.1: of two exchanges that rekeyed the same SA at once, the one that
 * used the lowest of the four nonces created the redundant SA. True when
 * that is the exchange with nonces `ours`.
 */
export function oursIsRedundant(
  ours: readonly Uint8Array[],
  theirs: readonly Uint8Array[],
): boolean {
  const low = (l: readonly Uint8Array[]) => l.reduce((m, x) => (compareBytes(x, m) < 0 ? x : m));
  return compareBytes(low(ours), low(theirs)) < 0;
}

/** A 16-bit big-endian number from notification data, if it has exactly 2 octets. */
export function u16Data(data: Uint8Array): number | undefined {
  return data.length === 2 ? (data[0]! << 8) | data[1]! : undefined;
}

/**
 * g^ir from the peer's KE data, or undefined when the value is invalid
 * (RFC 6989 checks in `crypto/`). The private key is destroyed either way.
 */
export function sharedSecret(dh: DhPrivate, peer: Uint8Array): Uint8Array | undefined {
  try {
    return dh.computeShared(peer);
  } catch (e) {
    if (!(e instanceof CryptoError)) throw e;
    return undefined;
  } finally {
    dh.destroy();
  }
}
