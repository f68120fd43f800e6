/**
 * Time, injected. Protocol code never calls `Date.now()` or `setTimeout`
 * directly: it takes a {@linkcode Clock}, so that two IKE SAs or two HA nodes
 * can run whole exchanges in one process under {@linkcode FakeClock}.
 *
 * @module
 */

/** A scheduled callback. */
export interface Timer {
  cancel(): void;
}

/** The time source every subsystem is given. */
export interface Clock {
  /** Monotonic milliseconds (fractions allowed); only differences mean anything. */
  now(): number;
  /** Milliseconds since the Unix epoch, for display and logs. */
  wallNow(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** The real clock: `performance.now()` and the runtime's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimer(ms, fn) {
    const id = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(id) };
  },
};

interface FakeTimer {
  due: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/**
 * A clock that moves only when told. Timers fire in due order (ties in the
 * order they were set) while {@linkcode FakeClock.advance} walks time
 * forward, so a timer set by a firing timer also fires if it falls inside
 * the same advance.
 */
export class FakeClock implements Clock {
  #now: number;
  #wallBase: number;
  #seq = 0;
  #timers: FakeTimer[] = [];

  constructor(start = 0, wallBase = Date.UTC(2026, 0, 1)) {
    this.#now = start;
    this.#wallBase = wallBase;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#wallBase + this.#now;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const t: FakeTimer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn, live: true };
    this.#timers.push(t);
    return {
      cancel: () => {
        t.live = false;
      },
    };
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.#timers.filter((t) => t.live).length;
  }

  /** Due time of the next live timer, if any. */
  nextDue(): number | undefined {
    let best: number | undefined;
    for (const t of this.#timers) if (t.live && (best === undefined || t.due < best)) best = t.due;
    return best;
  }

  /** Moves time forward by `ms`, firing every timer that falls due. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => t.live);
      let next: FakeTimer | undefined;
      for (const t of this.#timers) {
        if (
          t.due <= end && (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq))
        ) {
          next = t;
        }
      }
      if (!next) break;
      this.#now = Math.max(this.#now, next.due);
      next.live = false;
      next.fn();
    }
    this.#now = end;
  }

  /** Fires timers until none is left or `limitMs` has passed; returns the time moved. */
  runAll(limitMs = 24 * 3600_000): number {
    const start = this.#now;
    for (;;) {
      const due = this.nextDue();
      if (due === undefined || due - start > limitMs) break;
      this.advance(due - this.#now);
    }
    return this.#now - start;
  }
}
