/**
 * HA groups: the one place that says whether this node is the active
 * (`master`) or the standby (`backup`) appliance for a set of services.
 *
 * A group's state comes either from the configuration (`state master`, a
 * static role) or from exactly one controller: a VRRP sync group
 * (`vrrp group <name>` with `notify-ha-group`) or a single VRRP instance.
 * Any number of listeners (HA IKE via `listen-ha-group`, route injection
 * later) learn every change in order, each change numbered by a per-group
 * sequence number and carrying its reason; a listener can read the current
 * state at any time. The reference manual: "The ha-group maintains the node
 * high-availability state. It is controlled by the VRRP protocol (via the
 * notify-ha-group command) and monitored by HA IKE (via the listen-ha-group
 * command). Only one controller can be defined for an ha-group."
 *
 * Delivery: changes are queued and delivered one at a time to every
 * listener (in subscription order), so a listener that causes another
 * change (directly or through a controller) never sees them out of order.
 * A listener that throws is logged at `error` and the others still get the
 * change: one faulty consumer must not keep HA IKE from learning of a
 * takeover.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";

/** The role of this node for an HA group. */
export type HaState = "master" | "backup";

/** One state change as listeners see it. */
export interface HaStateChange {
  readonly group: string;
  /** 1 for the first change of the group, +1 for each next one. */
  readonly seq: number;
  readonly state: HaState;
  readonly previous: HaState;
  readonly reason: string;
  /** Wall-clock milliseconds since the epoch. */
  readonly at: number;
}

/** What listeners implement. */
export type HaListener = (change: HaStateChange) => void;

/** Something that drives a group's state: a VRRP group or a VRRP instance. */
export interface HaController {
  readonly kind: "vrrp group" | "vrrp instance";
  readonly name: string;
  /** The state the controller asks for now. */
  haState(): HaState;
  /** Subscribes to state requests; returns the function that unsubscribes. */
  onHaState(fn: (state: HaState, reason: string) => void): () => void;
}

/** Options of a group. */
export interface HaGroupOptions {
  /** A static role (config `state`); a group with neither this nor a controller is `backup`. */
  readonly state?: HaState;
}

/** The snapshot {@linkcode HaGroup.current} returns. */
export interface HaCurrent {
  readonly state: HaState;
  /** Sequence number of the last change (0: none yet). */
  readonly seq: number;
  readonly reason: string;
  readonly since: number;
}

/** How many past changes a group keeps for `show ha group`. */
export const HA_HISTORY = 16;

interface NamedListener {
  readonly name: string;
  readonly fn: HaListener;
}

/** One HA group. Build them through {@linkcode HaGroupRegistry}. */
export class HaGroup {
  readonly name: string;
  #clock: Clock;
  #log: Logger;
  #state: HaState;
  #seq = 0;
  #reason: string;
  #since: number;
  #static: HaState | undefined;
  #controller: HaController | undefined;
  #unsubscribe: (() => void) | undefined;
  #listeners: NamedListener[] = [];
  #queue: HaStateChange[] = [];
  #delivering = false;
  #history: HaStateChange[] = [];

  constructor(name: string, clock: Clock, log: Logger, opts: HaGroupOptions = {}) {
    this.name = name;
    this.#clock = clock;
    this.#log = log;
    this.#static = opts.state;
    this.#state = opts.state ?? "backup";
    this.#reason = opts.state ? `static state ${opts.state}` : "no controller";
    this.#since = clock.wallNow();
  }

  /** The state now. */
  get state(): HaState {
    return this.#state;
  }

  /** The state now, with the sequence number and reason of the last change. */
  current(): HaCurrent {
    return { state: this.#state, seq: this.#seq, reason: this.#reason, since: this.#since };
  }

  /** The attached controller, if any. */
  get controller(): HaController | undefined {
    return this.#controller;
  }

  /** The static state, if configured. */
  get staticState(): HaState | undefined {
    return this.#static;
  }

  /** Names of the listeners, in delivery order. */
  get listenerNames(): string[] {
    return this.#listeners.map((l) => l.name);
  }

  /** Past changes, oldest first (at most {@linkcode HA_HISTORY}). */
  get history(): readonly HaStateChange[] {
    return this.#history;
  }

  /**
   * Subscribes `fn` (shown as `name` in `show ha group`) to every later
   * change; returns the function that unsubscribes. Read {@linkcode current}
   * for the state at subscription time.
   */
  listen(name: string, fn: HaListener): () => void {
    const entry = { name, fn };
    this.#listeners.push(entry);
    return () => {
      const i = this.#listeners.indexOf(entry);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Sets or clears the static state; refused while a controller is attached. */
  setStaticState(state: HaState | undefined): void {
    if (state !== undefined && this.#controller) {
      throw new Error(
        `Cannot set "state" of ha group "${this.name}": it is controlled by ${
          describe(this.#controller)
        }`,
      );
    }
    this.#static = state;
    if (!this.#controller) {
      this.#set(state ?? "backup", state ? `static state ${state}` : "static state removed");
    }
  }

  /** @internal Attaches the controller (the registry checks for conflicts). */
  attachController(c: HaController): void {
    if (this.#controller) {
      throw new Error(
        `Cannot attach ${describe(c)} to ha group "${this.name}": it is already controlled by ${
          describe(this.#controller)
        }`,
      );
    }
    if (this.#static) {
      throw new Error(
        `Cannot attach ${describe(c)} to ha group "${this.name}": its state is set statically`,
      );
    }
    this.#controller = c;
    this.#unsubscribe = c.onHaState((state, reason) => {
      this.#set(state, `${describe(c)}: ${reason}`);
    });
    this.#log.control(`ha group ${this.name}: controlled by ${describe(c)}`);
    this.#set(c.haState(), `${describe(c)} attached`);
  }

  /** @internal Detaches the controller; the group falls back to backup. */
  detachController(c: HaController): void {
    if (this.#controller !== c) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#controller = undefined;
    this.#log.control(`ha group ${this.name}: ${describe(c)} detached`);
    this.#set("backup", `${describe(c)} detached`);
  }

  /**
   * @internal The group is removed: listeners learn `backup` (the safe role)
   * if the group was master, then the controller and listeners are dropped.
   */
  close(): void {
    this.#set("backup", "ha group removed");
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#controller = undefined;
    this.#listeners = [];
  }

  #set(state: HaState, reason: string): void {
    if (state === this.#state) return;
    const change: HaStateChange = {
      group: this.name,
      seq: ++this.#seq,
      state,
      previous: this.#state,
      reason,
      at: this.#clock.wallNow(),
    };
    this.#state = state;
    this.#reason = reason;
    this.#since = change.at;
    this.#history.push(change);
    if (this.#history.length > HA_HISTORY) this.#history.shift();
    this.#log.audit(
      `ha group ${this.name}: ${change.previous} -> ${state} (#${change.seq}, ${reason})`,
    );
    this.#queue.push(change);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        for (const l of [...this.#listeners]) {
          try {
            l.fn(next);
          } catch (e) {
            this.#log.error(
              `ha group ${this.name}: listener ${l.name} failed on change #${next.seq}: ${
                e instanceof Error ? e.message : String(e)
              }`,
            );
          }
        }
      }
    } finally {
      this.#delivering = false;
    }
  }
}

function describe(c: HaController): string {
  return `${c.kind} ${c.name}`;
}

/** Every HA group of the node, by name. */
export class HaGroupRegistry {
  #groups = new Map<string, HaGroup>();
  #clock: Clock;
  #log: Logger;

  constructor(clock: Clock, log: Logger) {
    this.#clock = clock;
    this.#log = log;
  }

  /** Creates a group (config `ha group <name>`). */
  create(name: string, opts: HaGroupOptions = {}): HaGroup {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
      throw new Error(
        `Cannot create ha group "${name}": a name is 1..64 letters, digits, ".", "_" or "-"`,
      );
    }
    if (this.#groups.has(name)) throw new Error(`Cannot create ha group "${name}": it exists`);
    const g = new HaGroup(name, this.#clock, this.#log, opts);
    this.#groups.set(name, g);
    this.#log.control(`ha group ${name}: created (${g.state})`);
    return g;
  }

  /** Removes a group; its controller and listeners are dropped. */
  remove(name: string): void {
    const g = this.#groups.get(name);
    if (!g) throw new Error(`Cannot remove ha group "${name}": no such group`);
    g.close();
    this.#groups.delete(name);
    this.#log.control(`ha group ${name}: removed`);
  }

  get(name: string): HaGroup | undefined {
    return this.#groups.get(name);
  }

  /** The group or an error in the project's voice. */
  require(name: string, what: string): HaGroup {
    const g = this.#groups.get(name);
    if (!g) throw new Error(`Cannot ${what}: ha group "${name}" does not exist`);
    return g;
  }

  /** Every group, sorted by name. */
  list(): HaGroup[] {
    return [...this.#groups.values()].sort((a, b) => a.name < b.name ? -1 : 1);
  }

  /** Makes `controller` drive group `name`; a second controller is an error. */
  attach(name: string, controller: HaController): void {
    this.require(name, `attach ${describe(controller)}`).attachController(controller);
  }

  /** Undoes {@linkcode attach} (no-op if `controller` is not the one attached). */
  detach(name: string, controller: HaController): void {
    this.#groups.get(name)?.detachController(controller);
  }

  /** Subscribes to group `name` (e.g. HA IKE's `listen-ha-group`). */
  listen(name: string, listener: string, fn: HaListener): () => void {
    return this.require(name, `listen as ${listener}`).listen(listener, fn);
  }
}
