/**
 * Curve25519 and Curve448 for IKEv2 (RFC 8031; IANA 31 and 32) with the
 * X25519/X448 functions of RFC 7748 from `@noble/curves`.
 *
 * - Public values and shared secrets are the 32- or 56-byte little-endian
 *   u-coordinates of RFC 7748 §5 (RFC 8031 §2).
 * - Private keys are 32/56 random bytes, clamped by the scalar
 *   multiplication itself (RFC 7748 §5).
 * - A peer value of the wrong length, or one that gives the all-zero shared
 *   secret (a low-order point), throws a CryptoError (RFC 8031 §2.3,
 *   RFC 7748 §6).
 *
 * @module
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { x448 } from "@noble/curves/ed448.js";
import { CryptoError, type DhGroupName, type DhPrivate, type RandomSource } from "./types.ts";
import type { KeyExchangeGroup } from "./key_exchange.ts";

type Xdh = typeof x25519;

class XdhPrivate implements DhPrivate {
  readonly group: XdhGroup;
  #public: Uint8Array | undefined;
  readonly #k: Uint8Array;
  #destroyed = false;

  constructor(group: XdhGroup, k: Uint8Array) {
    this.group = group;
    this.#k = k;
  }

  get publicValue(): Uint8Array {
    if (this.#destroyed && !this.#public) {
      throw new CryptoError(`Cannot use ${this.group.name} private key: it was destroyed`);
    }
    return this.#public ??= this.group.fn.getPublicKey(this.#k);
  }

  computeShared(peerPublic: Uint8Array): Uint8Array {
    const g = this.group;
    const action = `Cannot compute ${g.name} shared secret`;
    if (this.#destroyed) {
      throw new CryptoError(`Cannot use ${g.name} private key: it was destroyed`);
    }
    if (peerPublic.length !== g.publicLength) {
      throw new CryptoError(
        `${action}: public value is ${peerPublic.length} bytes, expected ${g.publicLength}`,
      );
    }
    let shared: Uint8Array;
    try {
      shared = g.fn.getSharedSecret(this.#k, peerPublic);
    } catch {
      shared = new Uint8Array(g.sharedLength);
    }
    if (shared.every((b) => b === 0)) {
      throw new CryptoError(
        `${action}: the result is all zeros, a low-order public value (RFC 8031 §2.3)`,
      );
    }
    return shared;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#k.fill(0);
  }
}

class XdhGroup implements KeyExchangeGroup {
  readonly name: DhGroupName;
  readonly transformId: number;
  readonly publicLength: number;
  readonly sharedLength: number;
  readonly fn: Xdh;

  constructor(name: DhGroupName, transformId: number, fn: Xdh, length: number) {
    this.name = name;
    this.transformId = transformId;
    this.fn = fn;
    this.publicLength = this.sharedLength = length;
  }

  generate(random: RandomSource): DhPrivate {
    const k = new XdhPrivate(this, random.fill(new Uint8Array(this.publicLength)));
    void k.publicValue;
    return k;
  }

  fromPrivate(secret: Uint8Array): DhPrivate {
    if (secret.length !== this.publicLength) {
      throw new CryptoError(
        `Cannot import ${this.name} private key: it is ${secret.length} bytes, expected ${this.publicLength}`,
      );
    }
    return new XdhPrivate(this, secret.slice());
  }
}

/** Curve25519 (31) and Curve448 (32), RFC 8031. */
export const XDH_GROUPS: readonly KeyExchangeGroup[] = [
  new XdhGroup("curve25519", 31, x25519, 32),
  new XdhGroup("curve448", 32, x448, 56),
];
