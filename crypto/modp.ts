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
 * - BigInts cannot be wiped: the exponent is kept as bytes (zeroed on
 *   destroy) and converted for each operation.
 *
 * @module
 */
import { bigIntToBytes, bytesToBigInt, modPow } from "./bigint.ts";
import {
  GroupBase,
  type KeyExchangeGroup,
  PrivateBase,
  sharedSecretError,
} from "./key_exchange.ts";
import { MODP_PRIMES } from "./modp_primes.ts";
import type { DhGroupName, DhPrivate, RandomSource } from "./types.ts";

class ModpPrivate extends PrivateBase {
  readonly #g: ModpGroup;
  readonly #x: Uint8Array;

  constructor(group: ModpGroup, x: Uint8Array) {
    super(group);
    this.#g = group;
    this.#x = x;
  }

  protected computePublic(): Uint8Array {
    return bigIntToBytes(modPow(2n, bytesToBigInt(this.#x), this.#g.p), this.#g.publicLength);
  }

  protected agree(peerPublic: Uint8Array): Uint8Array {
    const g = this.#g;
    const y = bytesToBigInt(peerPublic);
    if (y <= 1n || y >= g.p - 1n) {
      const what = y === 0n ? "0" : y === 1n ? "1" : y === g.p - 1n ? "p-1" : ">= p";
      throw sharedSecretError(g, `public value is ${what}, expected 1 < y < p-1 (RFC 6989 §2.1)`);
    }
    const z = modPow(y, bytesToBigInt(this.#x), g.p);
    if (z === 1n) throw sharedSecretError(g, "g^ir is 1 (small subgroup)");
    return bigIntToBytes(z, g.sharedLength);
  }

  protected wipe(): void {
    this.#x.fill(0);
  }
}

class ModpGroup extends GroupBase {
  /** The prime modulus. */
  readonly p: bigint;
  /** Bytes of private exponent drawn per key. */
  readonly exponentLength: number;

  constructor(name: DhGroupName, transformId: number, exponentBits: number) {
    const hex = MODP_PRIMES[transformId]!;
    super(name, transformId, hex.length / 2, hex.length / 2);
    this.p = BigInt("0x" + hex);
    this.exponentLength = exponentBits / 8;
  }

  generate(random: RandomSource): DhPrivate {
    for (;;) {
      const x = random.fill(new Uint8Array(this.exponentLength));
      if (x.some((b, i) => i < x.length - 1 ? b !== 0 : b > 1)) {
        const k = new ModpPrivate(this, x);
        void k.publicValue;
        return k;
      }
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
