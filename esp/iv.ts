/**
 * Per-packet IVs. CBC needs unpredictable IVs (RFC 3602 §2.3): they come
 * from the injected Rng, drawn in blocks of {@linkcode IV_POOL_SIZE} bytes so
 * the packet path does not call the CSPRNG per packet. Counter modes
 * (AES-CTR RFC 3686 §3, AES-GCM RFC 4106 §3.1, ChaCha20-Poly1305 RFC 7634
 * §2) need unique IVs: the 64-bit sequence number, which never repeats
 * within an SA, XORed with a random per-install mask. The mask costs
 * nothing in uniqueness and keeps two HA nodes that install the same SA
 * from emitting the same IV for the same sequence number if a takeover ever
 * reuses sequence numbers (an `oseq-shift` too small): the peer would drop
 * such packets as replays, but an AEAD nonce must never repeat on the wire.
 *
 * @module
 */
import type { Rng } from "../core/rng.ts";
import { put32 } from "./checksum.ts";
import { IV_POOL_SIZE } from "./constants.ts";
import type { SecurityAssociation } from "./sa.ts";

export class IvSource {
  #rng: Rng;
  #pool = new Uint8Array(IV_POOL_SIZE);
  #pos = IV_POOL_SIZE;

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** Random bytes into `out` (from the pool, refilled when empty). */
  random(out: Uint8Array): void {
    const n = out.length;
    if (this.#pos + n > IV_POOL_SIZE) {
      this.#rng.fill(this.#pool);
      this.#pos = 0;
    }
    for (let i = 0; i < n; i++) out[i] = this.#pool[this.#pos + i]!;
    this.#pos += n;
  }

  /** Writes the IV for the packet with sequence number `hi:lo` into `sa.iv` and returns it. */
  next(sa: SecurityAssociation, hi: number, lo: number): Uint8Array {
    const iv = sa.iv;
    if (sa.counterIv && iv.length === 8) {
      put32(iv, 0, hi);
      put32(iv, 4, lo);
      const m = sa.ivMask;
      for (let i = 0; i < 8; i++) iv[i]! ^= m[i]!;
    } else if (iv.length > 0) {
      this.random(iv);
    }
    return iv;
  }
}
