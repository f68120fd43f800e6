/**
 * Named timers of one SA: setting a name replaces its previous timer, and
 * one call cancels them all when the SA dies.
 *
 * @module
 */
import type { Timer } from "../core/clock.ts";

export class TimerSet {
  readonly #timers = new Map<string, Timer>();

  set(name: string, t: Timer): void {
    this.#timers.get(name)?.cancel();
    this.#timers.set(name, t);
  }

  cancel(name: string): void {
    this.#timers.get(name)?.cancel();
    this.#timers.delete(name);
  }

  has(name: string): boolean {
    return this.#timers.has(name);
  }

  cancelAll(): void {
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
  }

  get size(): number {
    return this.#timers.size;
  }
}
