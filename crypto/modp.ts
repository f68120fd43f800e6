/**
 * The MODP Diffie-Hellman groups of IKEv2 (RFC 7296 §3.3.2, IANA groups 2,
 * 5, 14-18; primes in `modp_primes.ts`, generator 2) on BigInt.
 *
 * - Private exponents are drawn from the injected random source with a
 *   length well above twice the group's symmetric strength (RFC 3526 §8,
 *   "exponent size" column), the lengths strongSwan uses: 256 bits for
 *   groups 2 and 5, 384 for 14 and 15, 512 for 16, 17 and 18. Short
 *   exponents are safe here because every group's prime is a safe prime.
 * - Public values and g^ir are big-endian, left-padded to the prime's
 *   length (RFC 7296 §3.4, §2.14).
 * - A peer's value must have the prime's length and satisfy 1 < y < p-1
 *   (RFC 6989 §2.1); anything else throws a CryptoError.
 *
 * @module
 */
import { bigIntToBytes, bytesToBigInt, modPow } from "./bigint.ts";
import { MODP_PRIMES } from "./modp_primes.ts";
import { CryptoError, type DhGroupName, type DhPrivate, type RandomSource } from "./types.ts";
import type { KeyExchangeGroup } from "./key_exchange.ts";

class ModpPrivate implements DhPrivate {
  readonly group: ModpGroup;
  readonly publicValue: Uint8Array;
  readonly #x: Uint8Array;
  #destroyed = false;

  constructor(group: ModpGroup, x: Uint8Array) {
    this.group = group;
    this.#x = x;
    this.publicValue = bigIntToBytes(modPow(2n, bytesToBigInt(x), group.p), group.publicLength);
  }

  computeShared(peerPublic: Uint8Array): Uint8Array {
    const g = this.group;
    if (this.#destroyed) {
      throw new CryptoError(`Cannot use ${g.name} private key: it was destroyed`);
    }
    if (peerPublic.length !== g.publicLength) {
      throw new CryptoError(
        `Cannot compute ${g.name} shared secret: public value is ${peerPublic.length} bytes, expected ${g.publicLength}`,
      );
    }
    const y = bytesToBigInt(peerPublic);
    if (y <= 1n || y >= g.p - 1n) {
      const what = y === 0n ? "0" : y === 1n ? "1" : y === g.p - 1n ? "p-1" : ">= p";
      throw new CryptoError(
        `Cannot compute ${g.name} shared secret: public value is ${what}, expected 1 < y < p-1 (RFC 6989 §2.1)`,
      );
    }
    const z = modPow(y, bytesToBigInt(this.#x), g.p);
    if (z === 1n) {
      throw new CryptoError(`Cannot compute ${g.name} shared secret: g^ir is 1 (small subgroup)`);
    }
    return bigIntToBytes(z, g.sharedLength);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#x.fill(0);
  }
}

class ModpGroup implements KeyExchangeGroup {
  readonly name: DhGroupName;
  readonly transformId: number;
  readonly publicLength: number;
  readonly sharedLength: number;
  /** The prime modulus. */
  readonly p: bigint;
  /** Bytes of private exponent drawn per key. */
  readonly exponentLength: number;

  constructor(name: DhGroupName, transformId: number, exponentBits: number) {
    const hex = MODP_PRIMES[transformId]!;
    this.name = name;
    this.transformId = transformId;
    this.p = BigInt("0x" + hex);
    this.publicLength = this.sharedLength = hex.length / 2;
    this.exponentLength = exponentBits / 8;
  }

  generate(random: RandomSource): DhPrivate {
    for (;;) {
      const x = random.fill(new Uint8Array(this.exponentLength));
      if (x.some((b, i) => i < x.length - 1 ? b !== 0 : b > 1)) return new ModpPrivate(this, x);
    }
  }

  fromPrivate(secret: Uint8Array): DhPrivate {
    return new ModpPrivate(this, secret.slice());
  }
}

/** MODP groups 2, 5, 14, 15, 16, 17, 18. */
export const MODP_GROUPS: readonly KeyExchangeGroup[] = [
  new ModpGroup("modp1024", 2, 256),
  new ModpGroup("modp1536", 5, 256),
  new ModpGroup("modp2048", 14, 384),
  new ModpGroup("modp3072", 15, 384),
  new ModpGroup("modp4096", 16, 512),
  new ModpGroup("modp6144", 17, 512),
  new ModpGroup("modp8192", 18, 512),
];
