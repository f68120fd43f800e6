/**
 * HMAC (RFC 2104) over SHA-1 and SHA-2 from `@noble/hashes`, as IKEv2/ESP
 * integrity transforms truncated to half the hash (HMAC-SHA1-96, RFC 2404;
 * HMAC-SHA2-256-128, -384-192, -512-256, RFC 4868 §2) and as PRFs with
 * the full output (RFC 2104 via RFC 7296 §3.3.2; RFC 4868 §2.3).
 *
 * The integrity objects key HMAC once and clone the keyed state per packet,
 * so a packet costs no key schedule and no allocation beyond the ICV.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { CHash } from "@noble/hashes/utils.js";
import { checkAlive, checkLength } from "./errors.ts";
import type {
  Integrity,
  IntegrityAlgorithm,
  IntegrityName,
  PrfAlgorithm,
  PrfName,
} from "./types.ts";

type HashFn = CHash;

/** The part of noble's keyed HMAC state used here (clone per packet, then finish). */
interface KeyedHmac {
  update(data: Uint8Array): unknown;
  digestInto(out: Uint8Array): void;
  destroy(): void;
  _cloneInto(to?: KeyedHmac): KeyedHmac;
}

class HmacIntegrity implements Integrity {
  readonly #name: string;
  readonly #base: KeyedHmac;
  #work: KeyedHmac | undefined;
  readonly #full: Uint8Array;
  readonly #icv: number;
  #destroyed = false;

  constructor(name: string, hash: HashFn, keyLength: number, icv: number, key: Uint8Array) {
    checkLength(`key ${name}`, "key", key, keyLength);
    this.#name = name;
    this.#base = hmac.create(hash, key) as unknown as KeyedHmac;
    this.#full = new Uint8Array(hash.outputLen);
    this.#icv = icv;
  }

  #compute(data: Uint8Array, trailer: Uint8Array | undefined): void {
    checkAlive(this.#name, this.#destroyed);
    const h = this.#work = this.#base._cloneInto(this.#work);
    h.update(data);
    if (trailer) h.update(trailer);
    h.digestInto(this.#full);
  }

  mac(data: Uint8Array, trailer?: Uint8Array): Uint8Array {
    this.#compute(data, trailer);
    const out = this.#full.slice(0, this.#icv);
    this.#full.fill(0);
    return out;
  }

  verify(data: Uint8Array, icv: Uint8Array, trailer?: Uint8Array): boolean {
    checkLength(`verify with ${this.#name}`, "ICV", icv, this.#icv);
    this.#compute(data, trailer);
    let diff = 0;
    for (let i = 0; i < this.#icv; i++) diff |= this.#full[i]! ^ icv[i]!;
    this.#full.fill(0);
    return diff === 0;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#base.destroy();
    this.#work?.destroy();
  }
}

function hmacIntegrity(
  name: IntegrityName,
  transformId: number,
  hash: HashFn,
  icvLength: number,
): IntegrityAlgorithm {
  const keyLength = hash.outputLen;
  return {
    name,
    transformId,
    keyLength,
    icvLength,
    create: (key) => new HmacIntegrity(name, hash, keyLength, icvLength, key),
  };
}

function hmacPrf(name: PrfName, transformId: number, hash: HashFn): PrfAlgorithm {
  return {
    name,
    transformId,
    keyLength: hash.outputLen,
    outputLength: hash.outputLen,
    compute: (key, data) => hmac(hash, key, data),
  };
}

/** AUTH_HMAC_SHA1_96 (2), AUTH_HMAC_SHA2_256_128 (12), _384_192 (13), _512_256 (14). */
export const HMAC_INTEGRITY: readonly IntegrityAlgorithm[] = [
  hmacIntegrity("hmac-sha1", 2, sha1, 12),
  hmacIntegrity("hmac-sha256", 12, sha256, 16),
  hmacIntegrity("hmac-sha384", 13, sha384, 24),
  hmacIntegrity("hmac-sha512", 14, sha512, 32),
];

/** PRF_HMAC_SHA1 (2), PRF_HMAC_SHA2_256 (5), _384 (6), _512 (7). */
export const HMAC_PRF: readonly PrfAlgorithm[] = [
  hmacPrf("hmac-sha1", 2, sha1),
  hmacPrf("hmac-sha256", 5, sha256),
  hmacPrf("hmac-sha384", 6, sha384),
  hmacPrf("hmac-sha512", 7, sha512),
];
