/**
 * The {@linkcode Clock} of a VRRP runtime: its timers (Adver_Timer,
 * Master_Down_Timer, GARP bursts of RFC 5798 §6.1/§6.4) run inside the
 * runtime's poll loop, the earliest one armed on a {@linkcode TimerFd} in
 * the same `poll` as the sockets.
 *
 * Why not `setTimeout`: measured here (bench/vrrp_failover.ts), Deno's
 * timers take whole milliseconds and fire 1–2 ms late, about 2 ms for any
 * delay under a millisecond; a backup's takeover came 5–6 ms after
 * keepalived's at the same Master_Down_Interval. keepalived arms a timerfd
 * too. A timerfd wakes the poll on time, but the poll runs on Deno's
 * blocking pool and the JS thread hears of it 0.2–0.5 ms later (median
 * 0.23 ms idle, more under load). So the timerfd is armed
 * {@linkcode LEAD_MS} early and the last part of the wait is slept on
 * the JS thread itself (`sleepSync`, nanosleep): timers then fire within
 * the kernel's timer slack (50 µs) of their due time, and the thread
 * stands still for at most the lead, usually much less.
 *
 * Timers fire in due order (ties in the order they were set); a timer set
 * by a firing one runs in the same pass if it is already due.
 *
 * @module
 */
import type { Clock, Timer } from "../core/clock.ts";
import { sleepSync, TimerFd } from "../kernel/mod.ts";

interface Entry {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  live: boolean;
}

/** Timers due within this much (ms) of now run in the current pass (below `Deadline`'s epsilon). */
const SLACK_MS = 0.005;
/** How much earlier than a timer the timerfd wakes the loop (about the wake-up latency). */
export const LEAD_MS = 0.5;

export class LoopClock implements Clock {
  readonly #tfd = TimerFd.open();
  #timers: Entry[] = [];
  #armed = Infinity;
  #seq = 0;

  /** The fd the loop's Poller watches. */
  get fd(): number {
    return this.#tfd.fd;
  }

  now(): number {
    return performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    const e: Entry = { due: this.now() + Math.max(0, ms), seq: this.#seq++, fn, live: true };
    // Sorted by (due, seq): binary search for the first entry due later.
    let lo = 0;
    let hi = this.#timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#timers[mid]!.due <= e.due) lo = mid + 1;
      else hi = mid;
    }
    this.#timers.splice(lo, 0, e);
    if (e.due < this.#armed) this.#arm(e.due);
    return { cancel: () => void (e.live = false) };
  }

  /** Timers not cancelled or fired yet. */
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }

  /**
   * Runs every timer that is due (the loop calls this after each wake-up),
   * then arms the timerfd for the next one. A callback that throws is
   * reported to `onError`; the others still run.
   */
  runDue(onError: (e: unknown) => void): void {
    this.#tfd.clear();
    this.#armed = Infinity;
    for (;;) {
      const next = this.#timers[0];
      if (!next) break;
      if (!next.live) {
        this.#timers.shift();
        continue;
      }
      const wait = next.due - this.now();
      if (wait > LEAD_MS) break;
      if (wait > SLACK_MS) sleepSync(wait);
      this.#timers.shift();
      next.live = false;
      try {
        next.fn();
      } catch (e) {
        onError(e);
      }
    }
    const first = this.#timers.find((t) => t.live);
    if (first) this.#arm(first.due);
  }

  close(): void {
    for (const t of this.#timers) t.live = false;
    this.#timers = [];
    this.#tfd.close();
  }

  #arm(due: number): void {
    this.#armed = due;
    this.#tfd.arm(due - LEAD_MS - this.now());
  }
}
