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
import { CryptoError, type DhGroupName, type DhPrivate, type RandomSource } from "./types.ts";
import type { KeyExchangeGroup } from "./key_exchange.ts";

type Curve = typeof p256;

class EcpPrivate implements DhPrivate {
  readonly group: EcpGroup;
  #public: Uint8Array | undefined;
  readonly #d: Uint8Array;
  #destroyed = false;

  constructor(group: EcpGroup, d: Uint8Array) {
    this.group = group;
    this.#d = d;
  }

  get publicValue(): Uint8Array {
    if (this.#destroyed && !this.#public) {
      throw new CryptoError(`Cannot use ${this.group.name} private key: it was destroyed`);
    }
    return this.#public ??= this.group.curve.getPublicKey(this.#d, false).slice(1);
  }

  computeShared(peerPublic: Uint8Array): Uint8Array {
    const g = this.group;
    const action = `Cannot compute ${g.name} shared secret`;
    if (this.#destroyed) {
      throw new CryptoError(`Cannot use ${g.name} private key: it was destroyed`);
    }
    if (peerPublic.length !== g.publicLength) {
      throw new CryptoError(
        `${action}: public value is ${peerPublic.length} bytes, expected ${g.publicLength} (x | y, RFC 5903 §7)`,
      );
    }
    const sec1 = new Uint8Array(1 + peerPublic.length);
    sec1[0] = 4;
    sec1.set(peerPublic, 1);
    let point;
    try {
      point = g.curve.Point.fromBytes(sec1);
      point.assertValidity();
    } catch {
      throw new CryptoError(`${action}: public value is not a point on the curve (RFC 6989 §2.3)`);
    }
    const shared = point.multiply(g.curve.Point.Fn.fromBytes(this.#d));
    if (shared.is0()) throw new CryptoError(`${action}: the common point is at infinity`);
    return shared.toBytes(true).slice(1);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#d.fill(0);
  }
}

class EcpGroup implements KeyExchangeGroup {
  readonly name: DhGroupName;
  readonly transformId: number;
  readonly publicLength: number;
  readonly sharedLength: number;
  readonly curve: Curve;

  constructor(name: DhGroupName, transformId: number, curve: Curve) {
    this.name = name;
    this.transformId = transformId;
    this.curve = curve;
    this.sharedLength = curve.lengths.publicKey! - 1;
    this.publicLength = 2 * this.sharedLength;
  }

  /** A private scalar in [1, n-1] from 1.5 times its length of random bytes. */
  drawScalar(random: RandomSource): Uint8Array {
    const seed = random.fill(new Uint8Array(this.curve.lengths.seed!));
    const d = this.curve.utils.randomSecretKey(seed);
    seed.fill(0);
    return d;
  }

  generate(random: RandomSource): DhPrivate {
    const k = new EcpPrivate(this, this.drawScalar(random));
    void k.publicValue;
    return k;
  }

  fromPrivate(secret: Uint8Array): DhPrivate {
    const len = this.curve.lengths.secretKey!;
    if (secret.length > len) {
      const extra = secret.subarray(0, secret.length - len);
      if (extra.some((b) => b !== 0)) {
        throw new CryptoError(
          `Cannot import ${this.name} private key: it is longer than ${len} bytes`,
        );
      }
      secret = secret.subarray(secret.length - len);
    }
    const d = new Uint8Array(len);
    d.set(secret, len - secret.length);
    if (!this.curve.utils.isValidSecretKey(d)) {
      throw new CryptoError(`Cannot import ${this.name} private key: not in [1, n-1]`);
    }
    return new EcpPrivate(this, d);
  }
}

/** Draws a private scalar for `group` (one of {@linkcode ECP_GROUPS}) as its `generate` does. */
export function drawEcpScalar(group: KeyExchangeGroup, random: RandomSource): Uint8Array {
  if (!(group instanceof EcpGroup)) {
    throw new CryptoError(`Cannot draw an ECP scalar for ${group.name}`);
  }
  return group.drawScalar(random);
}

/** ECP groups 19, 20, 21 (RFC 5903). */
export const ECP_GROUPS: readonly KeyExchangeGroup[] = [
  new EcpGroup("ecp256", 19, p256),
  new EcpGroup("ecp384", 20, p384),
  new EcpGroup("ecp521", 21, p521),
];
