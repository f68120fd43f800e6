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
import {
  GroupBase,
  type KeyExchangeGroup,
  PrivateBase,
  sharedSecretError,
} from "./key_exchange.ts";
import {
  CryptoError,
  type DhGroup,
  type DhGroupName,
  type DhPrivate,
  type RandomSource,
} from "./types.ts";

type Xdh = typeof x25519;

/** Throws the RFC 8031 §2.3 error unless `shared` has a non-zero byte. */
export function checkNotAllZero(group: DhGroup, shared: Uint8Array): Uint8Array {
  if (shared.every((b) => b === 0)) {
    throw sharedSecretError(
      group,
      "the result is all zeros, a low-order public value (RFC 8031 §2.3)",
    );
  }
  return shared;
}

/** Checks the length of an imported X25519/X448 private key and copies it. */
export function importXdhScalar(group: DhGroup, secret: Uint8Array): Uint8Array {
  if (secret.length !== group.publicLength) {
    throw new CryptoError(
      `Cannot import ${group.name} private key: it is ${secret.length} bytes, expected ${group.publicLength}`,
    );
  }
  return secret.slice();
}

class XdhPrivate extends PrivateBase {
  readonly #fn: Xdh;
  readonly #k: Uint8Array;

  constructor(group: XdhGroup, k: Uint8Array) {
    super(group);
    this.#fn = group.fn;
    this.#k = k;
  }

  protected computePublic(): Uint8Array {
    return this.#fn.getPublicKey(this.#k);
  }

  protected agree(peerPublic: Uint8Array): Uint8Array {
    let shared: Uint8Array;
    try {
      shared = this.#fn.getSharedSecret(this.#k, peerPublic);
    } catch {
      shared = new Uint8Array(this.group.sharedLength);
    }
    return checkNotAllZero(this.group, shared);
  }

  protected wipe(): void {
    this.#k.fill(0);
  }
}

class XdhGroup extends GroupBase {
  readonly fn: Xdh;

  constructor(name: DhGroupName, transformId: number, fn: Xdh, length: number) {
    super(name, transformId, length, length);
    this.fn = fn;
  }

  generate(random: RandomSource): DhPrivate {
    const k = new XdhPrivate(this, random.fill(new Uint8Array(this.publicLength)));
    void k.publicValue;
    return k;
  }

  fromPrivate(secret: Uint8Array): DhPrivate {
    return new XdhPrivate(this, importXdhScalar(this, secret));
  }
}

/** Curve25519 (31) and Curve448 (32), RFC 8031. */
export const XDH_GROUPS: readonly KeyExchangeGroup[] = [
  new XdhGroup("curve25519", 31, x25519, 32),
  new XdhGroup("curve448", 32, x448, 56),
];
