/**
 * What every key-exchange group here shares: importing a private key from
 * known bytes (for known-answer tests and interop checks; production code
 * draws keys with `generate`), and the common shape of a private key:
 * public value computed once, the peer value's length checked before any
 * arithmetic, every failure a {@linkcode CryptoError}, key bytes zeroed
 * on `destroy()`.
 *
 * @module
 */
import {
  CryptoError,
  type DhGroup,
  type DhGroupName,
  type DhPrivate,
  type RandomSource,
} from "./types.ts";

/** A {@linkcode DhGroup} that can also import a private key. */
export interface KeyExchangeGroup extends DhGroup {
  /**
   * The private key with the given encoding: the big-endian exponent
   * (MODP), the big-endian scalar (ECP) or the RFC 7748 scalar bytes
   * (Curve25519/448). The bytes are copied.
   */
  fromPrivate(secret: Uint8Array): DhPrivate;
}

/** The parameters every group carries. */
export abstract class GroupBase implements KeyExchangeGroup {
  readonly name: DhGroupName;
  readonly transformId: number;
  readonly publicLength: number;
  readonly sharedLength: number;

  constructor(name: DhGroupName, transformId: number, publicLength: number, sharedLength: number) {
    this.name = name;
    this.transformId = transformId;
    this.publicLength = publicLength;
    this.sharedLength = sharedLength;
  }

  abstract generate(random: RandomSource): DhPrivate;
  abstract fromPrivate(secret: Uint8Array): DhPrivate;
}

/** The error for a peer value (or result) `reason` refuses. */
export function sharedSecretError(group: DhGroup, reason: string): CryptoError {
  return new CryptoError(`Cannot compute ${group.name} shared secret: ${reason}`);
}

/** A private key: lazy public value, checked peer length, wiped on destroy. */
export abstract class PrivateBase implements DhPrivate {
  readonly group: KeyExchangeGroup;
  #public: Uint8Array | undefined;
  #destroyed = false;

  constructor(group: KeyExchangeGroup) {
    this.group = group;
  }

  /** This key's public value. */
  protected abstract computePublic(): Uint8Array;
  /** g^ir from a peer value of the right length. */
  protected abstract agree(peerPublic: Uint8Array): Uint8Array;
  /** Zeroes the key bytes. */
  protected abstract wipe(): void;

  #alive(): void {
    if (this.#destroyed) {
      throw new CryptoError(`Cannot use ${this.group.name} private key: it was destroyed`);
    }
  }

  get publicValue(): Uint8Array {
    if (!this.#public) this.#alive();
    return this.#public ??= this.computePublic();
  }

  computeShared(peerPublic: Uint8Array): Uint8Array {
    this.#alive();
    const g = this.group;
    if (peerPublic.length !== g.publicLength) {
      throw sharedSecretError(
        g,
        `public value is ${peerPublic.length} bytes, expected ${g.publicLength}`,
      );
    }
    return this.agree(peerPublic);
  }

  destroy(): void {
    this.#destroyed = true;
    this.wipe();
  }
}
