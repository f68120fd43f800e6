/**
 * A typed event bus: the one way protocol code tells the rest of the system
 * what happened (IKE and ESP publish, HA listens). Listeners run
 * synchronously in the order they subscribed; a listener that throws
 * propagates to the publisher, as a bug should.
 *
 * @module
 */

/** Subscribers keyed by event name; `E` maps each name to its payload type. */
export class EventBus<E extends { [K in keyof E]: unknown }> {
  #listeners = new Map<keyof E, Array<(ev: never) => void>>();

  /** Subscribes to `type`; returns the function that unsubscribes. */
  on<K extends keyof E>(type: K, fn: (ev: E[K]) => void): () => void {
    const list = this.#listeners.get(type) ?? [];
    list.push(fn as (ev: never) => void);
    this.#listeners.set(type, list);
    return () => {
      const cur = this.#listeners.get(type);
      if (!cur) return;
      const i = cur.indexOf(fn as (ev: never) => void);
      if (i >= 0) cur.splice(i, 1);
    };
  }

  /** Delivers `ev` to every subscriber of `type`. */
  emit<K extends keyof E>(type: K, ev: E[K]): void {
    const list = this.#listeners.get(type);
    if (!list) return;
    for (const fn of [...list]) (fn as (ev: E[K]) => void)(ev);
  }

  /** Whether anyone listens to `type` (lets publishers skip building costly payloads). */
  has(type: keyof E): boolean {
    return (this.#listeners.get(type)?.length ?? 0) > 0;
  }
}
