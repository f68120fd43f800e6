/**
 * The engine's clocks as arithmetic: retransmission backoff, rekey jitter and
 * hard lifetimes, keying retries. strongSwan's defaults and rules:
 * - retransmits (charon.opt): timeout × base^n, n = 0..tries; after the
 *   last timeout the exchange gives up (4 s, 1.8, 5 → about 165 s);
 * - lifetimes (swanctl.opt): rekey at rekey-time minus a random share of up
 *   to 10 %, hard expiry at the configured life or rekey-time + 10 %;
 * - keying-tries: a failed attempt is retried after a backoff that doubles
 *   from 1 s up to 60 s (ours; strongSwan retries at once), 0 tries = forever.
 *
 * All results are milliseconds.
 *
 * @module
 */
import { randomBelow, type Rng } from "../core/rng.ts";
import type { RetransmitConfig } from "./config.ts";

/** The wait after the n-th transmission (n = 0 is the first send), or undefined to give up. */
export function retransmitTimeout(cfg: RetransmitConfig, n: number): number | undefined {
  if (n > cfg.tries) return undefined;
  return Math.round(cfg.timeout * 1000 * cfg.base ** n);
}

/** Total time from the first send until giving up. */
export function retransmitGiveUp(cfg: RetransmitConfig): number {
  let total = 0;
  for (let n = 0;; n++) {
    const t = retransmitTimeout(cfg, n);
    if (t === undefined) return total;
    total += t;
  }
}

/** When to rekey and when the SA hard-expires, relative to now (undefined: never). */
export interface LifetimePlan {
  /** Milliseconds until the rekey starts. */
  readonly rekeyIn: number | undefined;
  /** Milliseconds until the SA is deleted regardless. */
  readonly expireIn: number | undefined;
}

/**
 * Jittered rekey and hard expiry from `rekey-time` (and an optional life
 * time), in seconds. A rekey-time of 0 never rekeys; the SA then expires
 * only at an explicit life time.
 */
export function planLifetime(rng: Rng, rekeySec: number, lifeSec?: number): LifetimePlan {
  if (rekeySec <= 0) {
    return { rekeyIn: undefined, expireIn: lifeSec !== undefined ? lifeSec * 1000 : undefined };
  }
  const rekey = rekeySec * 1000;
  const jitterMax = Math.floor(rekey / 10);
  const jitter = jitterMax > 0 ? randomBelow(rng, jitterMax + 1) : 0;
  const expireIn = lifeSec !== undefined ? lifeSec * 1000 : rekey + jitterMax;
  return { rekeyIn: rekey - jitter, expireIn };
}

/** Delay before keying attempt `attempt` (1 = the first retry). */
export function keyingRetryDelay(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** Whether another attempt is allowed after `done` failed attempts (`tries` 0 = forever). */
export function mayRetryKeying(tries: number, done: number): boolean {
  return tries === 0 || done < tries;
}
