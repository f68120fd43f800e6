/**
 * A re-settable deadline on an injected clock that does not allocate a timer
 * each time it is pushed later. The Master_Down_Timer of a backup is pushed
 * forward by every advert (RFC 5798 §6.4.2, up to 100 times a second per
 * instance); here that is a field store, and the one underlying timer
 * re-arms itself for the remainder when it fires early.
 *
 * @module
 */
import type { Clock, Timer } from "../core/clock.ts";

/**
 * Within this many ms a deadline counts as reached: float rounding of
 * `now + (due - now)`, and clocks that run a timer a few microseconds
 * early (the VRRP loop's runs what is due within 5 µs).
 */
const EPSILON_MS = 0.01;

export class Deadline {
  #clock: Clock;
  #fn: () => void;
  #due: number | undefined;
  #timer: Timer | undefined;
  #timerDue = Infinity;

  constructor(clock: Clock, fn: () => void) {
    this.#clock = clock;
    this.#fn = fn;
  }

  /** When it fires (monotonic ms), or undefined when not set. */
  get due(): number | undefined {
    return this.#due;
  }

  /** Fires the callback at `due`, replacing any earlier setting. */
  set(due: number): void {
    this.#due = due;
    if (this.#timer && this.#timerDue <= due) return;
    this.#arm(due);
  }

  /** Fires the callback `ms` from now. */
  setIn(ms: number): void {
    this.set(this.#clock.now() + ms);
  }

  cancel(): void {
    this.#due = undefined;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerDue = Infinity;
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#timerDue = at;
    this.#timer = this.#clock.setTimer(at - this.#clock.now(), () => this.#fire());
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    const due = this.#due;
    if (due === undefined) return;
    if (this.#clock.now() < due - EPSILON_MS) {
      this.#arm(due);
      return;
    }
    this.#due = undefined;
    this.#fn();
  }
}
