/**
 * Anti-replay window of an inbound SA (RFC 4303 §3.4.3 and Appendix A),
 * kept as an RFC 6479 ring of 32-bit blocks: moving the window forward
 * clears whole blocks instead of shifting bits, and one spare block lets the
 * ring hold a full window whatever the bit offset of its top.
 *
 * Sequence numbers are plain numbers. Without ESN they are the 32-bit wire
 * value; with ESN (RFC 4304) they are the 64-bit counter, exact up to
 * 2^53 - 1 (at 10 Mpps that is 28 years of one SA), and the high 32 bits are
 * inferred from the low ones by {@linkcode ReplayWindow.infer} (RFC 4303
 * Appendix A2.2). Use: `infer` + `check` before the ICV is verified,
 * `update` only after it passed.
 *
 * @module
 */
import { MAX_REPLAY_WINDOW } from "./constants.ts";

/** Verdict of {@linkcode ReplayWindow.check}. */
export const REPLAY_OK = 0;
/** Already received (bit set inside the window). */
export const REPLAY_SEEN = 1;
/** Left of the window: too old to tell. */
export const REPLAY_OLD = 2;
/** Never valid: 0, or a high half that would be negative or past 2^53. */
export const REPLAY_INVALID = 3;

const TWO32 = 0x100000000;

/** An exact copy of a window's state, for HA. */
export interface ReplayState {
  readonly top: number;
  readonly bitmap: Uint32Array;
}

export class ReplayWindow {
  /** Window size W in packets; 0 turns the check off (RFC 4303 §3.4.3 allows it). */
  readonly size: number;
  readonly esn: boolean;
  #bits: Uint32Array;
  #mask: number;
  #top = 0;

  constructor(size: number, esn: boolean) {
    if (!Number.isInteger(size) || size < 0 || size > MAX_REPLAY_WINDOW) {
      throw new RangeError(
        `Cannot create a replay window of ${size}: size must be an integer in 0..${MAX_REPLAY_WINDOW}`,
      );
    }
    if (esn && size === 0) {
      throw new RangeError("Cannot create a replay window of 0 with ESN: the high bits need one");
    }
    this.size = size;
    this.esn = esn;
    let blocks = 1;
    while (blocks < Math.ceil(size / 32) + 1) blocks *= 2;
    this.#bits = new Uint32Array(blocks);
    this.#mask = blocks - 1;
  }

  /** Highest sequence number accepted so far (0 = none). */
  get top(): number {
    return this.#top;
  }

  /**
   * The full sequence number of a packet whose wire field is `seqLo`
   * (RFC 4303 A2.2), or -1 when it cannot be valid. Without ESN it is
   * `seqLo` itself.
   */
  infer(seqLo: number): number {
    if (!this.esn) return seqLo === 0 ? -1 : seqLo;
    const w = this.size;
    const tl = this.#top % TWO32;
    const th = (this.#top - tl) / TWO32;
    let sh: number;
    if (tl >= w - 1) {
      // Case A: the window lies inside one 2^32 subspace.
      sh = seqLo >= tl - w + 1 ? th : th + 1;
    } else {
      // Case B: the window spans two subspaces; its bottom is in the previous one.
      sh = seqLo >= TWO32 + tl - w + 1 ? th - 1 : th;
    }
    if (sh < 0) return -1;
    const seq = sh * TWO32 + seqLo;
    return seq === 0 || seq > Number.MAX_SAFE_INTEGER ? -1 : seq;
  }

  /** Whether `seq` may be processed (no state change). */
  check(seq: number): number {
    if (seq < 1) return REPLAY_INVALID;
    if (seq > this.#top || this.size === 0) return REPLAY_OK;
    if (seq <= this.#top - this.size) return REPLAY_OLD;
    const word = this.#bits[Math.floor(seq / 32) & this.#mask]!;
    return (word >>> (seq & 31)) & 1 ? REPLAY_SEEN : REPLAY_OK;
  }

  /**
   * Records `seq` after its ICV verified. Returns the verdict of a fresh
   * {@linkcode check} (so a caller that checked long before still never
   * accepts a packet twice); the state changes only on `REPLAY_OK`.
   */
  update(seq: number): number {
    const v = this.check(seq);
    if (v !== REPLAY_OK) return v;
    if (seq > this.#top) {
      this.#clearUpTo(seq);
      this.#top = seq;
    }
    if (this.size !== 0) this.#bits[Math.floor(seq / 32) & this.#mask]! |= 1 << (seq & 31);
    return REPLAY_OK;
  }

  /** Clears the blocks that move into the window when the top goes to `seq`. */
  #clearUpTo(seq: number): void {
    const from = Math.floor(this.#top / 32);
    const to = Math.floor(seq / 32);
    if (to - from > this.#mask) {
      this.#bits.fill(0);
      return;
    }
    for (let b = from + 1; b <= to; b++) this.#bits[b & this.#mask] = 0;
  }

  /**
   * Moves the top to `top` (HA takeover: RFC-less, the reference's "input
   * sequence number") and marks every number up to it as received, so
   * nothing at or below the synchronised value can be replayed. A `top`
   * below the current one changes nothing.
   */
  advanceTo(top: number): void {
    if (!Number.isInteger(top) || top < 0 || top > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`Cannot advance the replay window to ${top}: not a sequence number`);
    }
    if (top <= this.#top) return;
    if (!this.esn && top > 0xffffffff) {
      throw new RangeError(
        `Cannot advance the replay window to ${top}: exceeds 32 bits without ESN`,
      );
    }
    this.#top = top;
    this.#bits.fill(0xffffffff);
    // Numbers above the top must stay unmarked: clear them in the top's block.
    const b = top & 31;
    this.#bits[Math.floor(top / 32) & this.#mask] = b === 31 ? 0xffffffff : (1 << (b + 1)) - 1;
  }

  /** A copy of the state (top and bitmap). */
  snapshot(): ReplayState {
    return { top: this.#top, bitmap: this.#bits.slice() };
  }

  /** Restores a {@linkcode snapshot} taken from a window of the same size. */
  restore(state: ReplayState): void {
    if (state.bitmap.length !== this.#bits.length) {
      throw new RangeError(
        `Cannot restore a replay window: bitmap of ${state.bitmap.length} blocks, expected ${this.#bits.length}`,
      );
    }
    this.#top = state.top;
    this.#bits.set(state.bitmap);
  }
}
