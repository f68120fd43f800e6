/**
 * Reassembling fragmented messages (RFC 7383 §2.6), one context per message
 * (direction and Message ID), for one IKE SA:
 *
 * - every fragment is authenticated and decrypted on its own before it is
 *   accepted; a forged one changes nothing;
 * - fragments may come in any order; duplicates are ignored;
 * - a fragment announcing more Total Fragments than the context restarts it
 *   (the sender re-fragmented smaller after a PMTU problem), one announcing
 *   fewer is dropped;
 * - limits: fragments per message, plaintext bytes per message, messages
 *   in reassembly at once (the oldest gives way), and a timeout after the
 *   first fragment, measured on the caller's clock.
 *
 * The engine checks the Message ID (window, retransmits) before it hands a
 * fragment over; a completed context is forgotten.
 *
 * @module
 */
import {
  GENERIC_HEADER_LENGTH,
  MAX_FRAGMENTS,
  REASSEMBLY_MAX_BYTES,
  REASSEMBLY_MAX_MESSAGES,
  REASSEMBLY_TIMEOUT_MS,
} from "../constants.ts";
import { concat } from "./bytes.ts";
import { decodePayloadChain } from "./chain.ts";
import { openBody, type SkProtection } from "./sk.ts";
import { SKF_FIELDS_LENGTH } from "./skf.ts";
import type { DecodeError, IkeHeader, IkeMessage, Payload, RawMessage } from "./types.ts";

export interface ReassemblyLimits {
  /** Most Total Fragments accepted. */
  maxFragments: number;
  /** Most plaintext bytes kept for one message. */
  maxBytes: number;
  /** Milliseconds from the first fragment until an incomplete message is dropped. */
  timeoutMs: number;
  /** Messages in reassembly at once. */
  maxMessages: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: Readonly<ReassemblyLimits> = {
  maxFragments: MAX_FRAGMENTS,
  maxBytes: REASSEMBLY_MAX_BYTES,
  timeoutMs: REASSEMBLY_TIMEOUT_MS,
  maxMessages: REASSEMBLY_MAX_MESSAGES,
};

export type FragmentResult =
  /** Accepted (or a duplicate, ignored); more fragments are needed. */
  | { status: "pending"; received: number; total: number; duplicate: boolean }
  /**
   * The last missing fragment arrived: the whole message, inner payloads
   * decoded (after fragment 1's unprotected payloads, if any); the header
   * is fragment 1's, so `nextPayload` and `length` describe that fragment.
   */
  | { status: "complete"; message: IkeMessage }
  /** Not accepted; `error.code` says why ("integrity" for a forged fragment). */
  | { status: "dropped"; error: DecodeError };

interface Context {
  started: number;
  total: number;
  header: IkeHeader;
  bytes: number;
  pieces: Map<number, Uint8Array>;
  firstInner: number;
  outer: Payload[];
}

function dropped(error: DecodeError): FragmentResult {
  return { status: "dropped", error };
}

function failure(code: DecodeError["code"], offset: number, reason: string): FragmentResult {
  return dropped({ code, offset, reason });
}

/** Reassembly state of one IKE SA. */
export class FragmentReassembler {
  readonly limits: ReassemblyLimits;
  #contexts = new Map<string, Context>();

  constructor(limits: Partial<ReassemblyLimits> = {}) {
    this.limits = { ...DEFAULT_REASSEMBLY_LIMITS, ...limits };
  }

  /** Messages currently in reassembly. */
  get pending(): number {
    return this.#contexts.size;
  }

  /** Drops contexts older than the timeout; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const [key, ctx] of this.#contexts) {
      if (now - ctx.started >= this.limits.timeoutMs) {
        this.#discard(key);
        n++;
      }
    }
    return n;
  }

  /** Takes one decoded fragment message (`raw` ends with an SKF payload) at time `now`. */
  add(raw: RawMessage, sk: SkProtection, now: number): FragmentResult {
    const skf = raw.payloads[raw.payloads.length - 1];
    if (!skf || skf.kind !== "skf") return failure("fragment", 0, "message is not a fragment");
    const opened = openBody(raw.bytes, skf.offset + GENERIC_HEADER_LENGTH + SKF_FIELDS_LENGTH, sk);
    if (!opened.ok) return dropped(opened.error);
    const plain = opened.value.plain;
    const key = `${raw.header.flags.response ? "r" : "q"}${raw.header.messageId}`;
    this.expire(now);
    let ctx = this.#contexts.get(key);
    if (skf.totalFragments > this.limits.maxFragments) {
      this.#discard(key);
      return failure(
        "limit",
        skf.offset + 6,
        `${skf.totalFragments} fragments exceed ${this.limits.maxFragments}`,
      );
    }
    if (ctx && skf.totalFragments < ctx.total) {
      return failure(
        "fragment",
        skf.offset + 6,
        `${skf.totalFragments} fragments, ${ctx.total} announced before`,
      );
    }
    if (ctx && skf.totalFragments > ctx.total) {
      this.#discard(key);
      ctx = undefined;
    }
    if (ctx && ctx.header.exchange !== raw.header.exchange) {
      return failure(
        "fragment",
        18,
        `fragment of exchange ${raw.header.exchange}, message is ${ctx.header.exchange}`,
      );
    }
    if (!ctx) {
      this.#makeRoom(now);
      ctx = {
        started: now,
        total: skf.totalFragments,
        header: raw.header,
        bytes: 0,
        pieces: new Map(),
        firstInner: 0,
        outer: [],
      };
      this.#contexts.set(key, ctx);
    }
    if (ctx.pieces.has(skf.fragmentNumber)) {
      return { status: "pending", received: ctx.pieces.size, total: ctx.total, duplicate: true };
    }
    ctx.bytes += plain.length;
    if (ctx.bytes > this.limits.maxBytes) {
      this.#discard(key);
      return failure(
        "limit",
        skf.offset,
        `reassembled message exceeds ${this.limits.maxBytes} bytes`,
      );
    }
    ctx.pieces.set(skf.fragmentNumber, plain.slice());
    if (skf.fragmentNumber === 1) {
      ctx.firstInner = skf.innerType;
      ctx.outer = raw.payloads.slice(0, -1);
      ctx.header = raw.header;
    }
    if (ctx.pieces.size < ctx.total) {
      return { status: "pending", received: ctx.pieces.size, total: ctx.total, duplicate: false };
    }
    const parts: Uint8Array[] = [];
    for (let i = 1; i <= ctx.total; i++) parts.push(ctx.pieces.get(i)!);
    const whole = concat(parts);
    this.#discard(key);
    const inner = decodePayloadChain(whole, 0, whole.length, ctx.firstInner, true);
    if (!inner.ok) return dropped(inner.error);
    return {
      status: "complete",
      message: { header: ctx.header, payloads: [...ctx.outer, ...inner.value] },
    };
  }

  #discard(key: string): void {
    const ctx = this.#contexts.get(key);
    if (!ctx) return;
    for (const p of ctx.pieces.values()) p.fill(0);
    this.#contexts.delete(key);
  }

  #makeRoom(now: number): void {
    while (this.#contexts.size >= this.limits.maxMessages) {
      let oldest: string | undefined;
      let at = now;
      for (const [k, c] of this.#contexts) {
        if (oldest === undefined || c.started < at) {
          oldest = k;
          at = c.started;
        }
      }
      if (oldest === undefined) return;
      this.#discard(oldest);
    }
  }
}
