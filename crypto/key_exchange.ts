/**
 * What every key-exchange group here offers beyond {@linkcode DhGroup}:
 * building a private key from known bytes, for known-answer tests and
 * interop checks (production code draws keys with `generate`).
 *
 * @module
 */
import type { DhGroup, DhPrivate } from "./types.ts";

/** A {@linkcode DhGroup} that can also import a private key. */
export interface KeyExchangeGroup extends DhGroup {
  /**
   * The private key with the given encoding: the big-endian exponent
   * (MODP), the big-endian scalar (ECP) or the RFC 7748 scalar bytes
   * (Curve25519/448). The bytes are copied.
   */
  fromPrivate(secret: Uint8Array): DhPrivate;
}
