/**
 * States as data: a machine is a current state plus a table of allowed
 * transitions. `set()` checks the table, logs `old -> new`, and notifies a
 * listener; an illegal transition is a bug in the engine and throws.
 *
 * @module
 */
import type { Logger } from "../core/log.ts";

export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** Thrown on a transition the table forbids. */
export class StateError extends Error {
  override name = "StateError";
}

export class StateMachine<S extends string> {
  #state: S;

  constructor(
    private readonly label: () => string,
    initial: S,
    private readonly table: TransitionTable<S>,
    private readonly log: Logger,
    private readonly onChange: (old: S, next: S) => void = () => {},
  ) {
    this.#state = initial;
  }

  get state(): S {
    return this.#state;
  }

  /** Whether `next` is reachable from the current state. */
  can(next: S): boolean {
    return this.table[this.#state].includes(next);
  }

  /** Moves to `next` (a no-op when already there). */
  set(next: S): void {
    const old = this.#state;
    if (old === next) return;
    if (!this.can(next)) {
      throw new StateError(`Cannot move ${this.label()} from ${old} to ${next}`);
    }
    this.#state = next;
    this.log.control(`${this.label()}: ${old} -> ${next}`);
    this.onChange(old, next);
  }
}

/** IKE SA states (`passive`: mirrored from an HA peer, sends nothing). */
export type IkeSaState =
  | "created"
  | "connecting"
  | "established"
  | "rekeying"
  | "rekeyed"
  | "deleting"
  | "destroyed"
  | "passive";

export const IKE_SA_TRANSITIONS: TransitionTable<IkeSaState> = {
  created: ["connecting", "established", "passive", "destroyed"],
  connecting: ["established", "deleting", "destroyed"],
  established: ["rekeying", "rekeyed", "deleting", "destroyed", "passive"],
  rekeying: ["established", "rekeyed", "deleting", "destroyed", "passive"],
  rekeyed: ["deleting", "destroyed", "passive"],
  deleting: ["destroyed", "passive"],
  passive: ["established", "rekeyed", "deleting", "destroyed"],
  destroyed: [],
};

/** CHILD SA states. */
export type ChildSaState =
  | "created"
  | "installing"
  | "installed"
  | "rekeying"
  | "rekeyed"
  | "deleting"
  | "destroyed"
  | "passive";

export const CHILD_SA_TRANSITIONS: TransitionTable<ChildSaState> = {
  created: ["installing", "passive", "destroyed"],
  installing: ["installed", "destroyed"],
  installed: ["rekeying", "rekeyed", "deleting", "destroyed", "passive"],
  rekeying: ["installed", "rekeyed", "deleting", "destroyed", "passive"],
  rekeyed: ["deleting", "destroyed", "passive"],
  deleting: ["destroyed", "passive"],
  passive: ["installed", "rekeyed", "deleting", "destroyed"],
  destroyed: [],
};
