/**
 * The NIST prime-curve groups of IKEv2 (RFC 5903; IANA 19 = P-256,
 * 20 = P-384, 21 = P-521) on `@noble/curves`.
 *
 * - The KE public value is x | y, each coordinate big-endian at the
 *   curve's field length, without SEC 1's 0x04 prefix (RFC 5903 §7).
 * - The shared secret g^ir is the x coordinate of the common point (§7).
 * - A peer value of the wrong length, off the curve, or (unencodable here)
 *   the point at infinity throws a CryptoError (RFC 6989 §2.3).
 * - Private scalars come from the injected random source: 1.5 times the
 *   order's length in random bytes, reduced into [1, n-1] (noble's
 *   `randomSecretKey` with a seed we supply).
 *
 * @module
 */
import { p256, p384, p521 } from "@noble/curves/nist.js";
import {
  GroupBase,
  type KeyExchangeGroup,
  PrivateBase,
  sharedSecretError,
} from "./key_exchange.ts";
import { CryptoError, type DhGroupName, type DhPrivate, type RandomSource } from "./types.ts";

type Curve = typeof p256;

class EcpPrivate extends PrivateBase {
  readonly #curve: Curve;
  readonly #d: Uint8Array;

  constructor(group: EcpGroup, d: Uint8Array) {
    super(group);
    this.#curve = group.curve;
    this.#d = d;
  }

  protected computePublic(): Uint8Array {
    return this.#curve.getPublicKey(this.#d, false).slice(1);
  }

  protected agree(peerPublic: Uint8Array): Uint8Array {
    const sec1 = new Uint8Array(1 + peerPublic.length);
    sec1[0] = 4;
    sec1.set(peerPublic, 1);
    let point;
    try {
      point = this.#curve.Point.fromBytes(sec1);
      point.assertValidity();
    } catch {
      throw sharedSecretError(
        this.group,
        "public value is not a point on the curve (RFC 6989 §2.3)",
      );
    }
    const shared = point.multiply(this.#curve.Point.Fn.fromBytes(this.#d));
    if (shared.is0()) throw sharedSecretError(this.group, "the common point is at infinity");
    return shared.toBytes(true).slice(1);
  }

  protected wipe(): void {
    this.#d.fill(0);
  }
}

class EcpGroup extends GroupBase {
  readonly curve: Curve;

  constructor(name: DhGroupName, transformId: number, curve: Curve) {
    const coordinate = curve.lengths.publicKey! - 1;
    super(name, transformId, 2 * coordinate, coordinate);
    this.curve = curve;
  }

  /** A private scalar in [1, n-1] from 1.5 times its length of random bytes. */
  drawScalar(random: RandomSource): Uint8Array {
    const seed = random.fill(new Uint8Array(this.curve.lengths.seed!));
    const d = this.curve.utils.randomSecretKey(seed);
    seed.fill(0);
    return d;
  }

  /** The big-endian scalar `secret` (leading zero bytes allowed) at the field length, or an error. */
  normaliseScalar(secret: Uint8Array): Uint8Array {
    const len = this.curve.lengths.secretKey!;
    let s = secret;
    while (s.length > len && s[0] === 0) s = s.subarray(1);
    if (s.length > len) {
      throw new CryptoError(
        `Cannot import ${this.name} private key: it is longer than ${len} bytes`,
      );
    }
    const d = new Uint8Array(len);
    d.set(s, len - s.length);
    if (!this.curve.utils.isValidSecretKey(d)) {
      throw new CryptoError(`Cannot import ${this.name} private key: not in [1, n-1]`);
    }
    return d;
  }

  generate(random: RandomSource): DhPrivate {
    const k = new EcpPrivate(this, this.drawScalar(random));
    void k.publicValue;
    return k;
  }

  fromPrivate(secret: Uint8Array): DhPrivate {
    return new EcpPrivate(this, this.normaliseScalar(secret));
  }
}

function ecpGroup(group: KeyExchangeGroup): EcpGroup {
  if (!(group instanceof EcpGroup)) {
    throw new CryptoError(`Cannot use ${group.name} as an ECP group`);
  }
  return group;
}

/** Draws a private scalar for `group` (one of {@linkcode ECP_GROUPS}) as its `generate` does. */
export function drawEcpScalar(group: KeyExchangeGroup, random: RandomSource): Uint8Array {
  return ecpGroup(group).drawScalar(random);
}

/** The private scalar `secret` of `group` checked and left-padded to the field length. */
export function normaliseEcpScalar(group: KeyExchangeGroup, secret: Uint8Array): Uint8Array {
  return ecpGroup(group).normaliseScalar(secret);
}

/** ECP groups 19, 20, 21 (RFC 5903). */
export const ECP_GROUPS: readonly KeyExchangeGroup[] = [
  new EcpGroup("ecp256", 19, p256),
  new EcpGroup("ecp384", 20, p384),
  new EcpGroup("ecp521", 21, p521),
];
