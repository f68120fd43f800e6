/**
 * Sequence-number progress reports for HA, without work on the packet path
 * beyond one integer compare: each SA carries the value at which it is next
 * due (`syncAt` = last reported + `sync-period-packets`); the dataplane
 * compares its counter with it after each packet and, when reached, queues
 * the SA here (once). A sweep every `sync-period-time` queues every SA whose
 * counter changed since its last report. Draining the queue reports the
 * current values and re-arms the thresholds. The reference's semantics
 * (its `seqnum-sync` context): `packets` 0 or `timeMs` 0 disable that trigger.
 *
 * @module
 */
import type { SecurityAssociation } from "./sa.ts";

export interface SeqSyncConfig {
  /** Report when a counter moved by at least this many (0 = never by count). */
  readonly packets: number;
  /** Report changed counters this often (0 = never by time). */
  readonly timeMs: number;
}

/** The reference's defaults: `sync-period-packets 2`, `sync-period-time 10s`. */
export const DEFAULT_SEQ_SYNC: SeqSyncConfig = { packets: 2, timeMs: 10_000 };

export class SeqSync {
  #config: SeqSyncConfig;
  #pending: SecurityAssociation[] = [];
  #spare: SecurityAssociation[] = [];

  constructor(config: SeqSyncConfig = DEFAULT_SEQ_SYNC) {
    this.#config = checkConfig(config);
  }

  get config(): SeqSyncConfig {
    return this.#config;
  }

  set config(c: SeqSyncConfig) {
    this.#config = checkConfig(c);
  }

  /** Sets `sa`'s baseline to its current value (after install or an HA set). */
  arm(sa: SecurityAssociation): void {
    sa.syncedSeq = sa.syncValue;
    sa.syncAt = this.#config.packets > 0 ? sa.syncedSeq + this.#config.packets : Infinity;
  }

  /** Queues `sa` for a report (idempotent). */
  mark(sa: SecurityAssociation): void {
    if (sa.syncPending) return;
    sa.syncPending = true;
    this.#pending.push(sa);
  }

  /** Queues every SA whose counter changed since its last report. */
  sweep(sas: Iterable<SecurityAssociation>): void {
    for (const sa of sas) if (sa.syncValue !== sa.syncedSeq) this.mark(sa);
  }

  /** Reports every queued live SA with its current value and re-arms it. */
  drain(report: (sa: SecurityAssociation, value: number) => void): void {
    const list = this.#pending;
    this.#pending = this.#spare;
    for (const sa of list) {
      sa.syncPending = false;
      if (sa.state !== "live") continue;
      this.arm(sa);
      report(sa, sa.syncedSeq);
    }
    list.length = 0;
    this.#spare = list;
  }
}

function checkConfig(c: SeqSyncConfig): SeqSyncConfig {
  for (const [k, v] of Object.entries(c)) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`Cannot set seqnum sync ${k} to ${v}: need a non-negative integer`);
    }
  }
  return c;
}
