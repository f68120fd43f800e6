/**
 * VRRP sync groups (`vrrp group <name>` with `instance` members and
 * `notify-ha-group`), modelled on keepalived 2.2.7's `vrrp_sync_group`:
 * the members of a group move together, so that one appliance holds every
 * virtual address of the group (in the reference, the VIPs on both sides of
 * the gateway) and the HA group it notifies has one unambiguous state.
 *
 * Rules (keepalived's, as read in its `vrrp_sync.c` and man page):
 * - **Master only when all can be master.** A member whose
 *   Master_Down_Timer fires (or an owner starting up) asks the group first;
 *   the group says yes only when every other member is master or also wants
 *   to be (its own timer fired). Until then the member stays Backup, wanting
 *   master, and re-arms its timer. When the last one is ready, it becomes
 *   master and the group promotes all the others at once. "Prefer backup
 *   state to avoid thrashing."
 * - **One goes backup, all go backup.** A member that leaves Master for
 *   Backup (a better master appeared) takes the others with it; they leave
 *   without a priority-0 advert, as in keepalived.
 * - **One fails, all fail (fault).** A member whose link goes down or that
 *   is stopped makes the group `fault`: every other member is held in
 *   Initialize (a master sends priority 0 first, so the peer takes over
 *   after its skew time instead of three intervals). keepalived calls the
 *   held state FAULT; here it is Initialize with the blocker `group` (shown
 *   by `show vrrp`): no adverts, no takeover, addresses removed. When no
 *   member is failed any more, the held members start again (Backup, then
 *   the election).
 * - A member that starts while the group is master is promoted with it;
 *   members never started do not count for the group's state (adding one
 *   to a master group by a config change does not flap the HA group).
 *
 * The group's state (`initialize` before any member runs, `backup`,
 * `master`, `fault`) goes to the HA group named by `notify-ha-group`:
 * `master` is master, everything else is backup.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { EventBus } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { HaController, HaState } from "../ha/group.ts";
import type { VrrpInstance } from "./instance.ts";
import type { VrrpTransition } from "./state.ts";

/** State of a sync group. */
export type VrrpGroupState = "initialize" | "backup" | "master" | "fault";

/** Every legal group transition. */
export const VRRP_GROUP_TRANSITIONS: Readonly<Record<VrrpGroupState, readonly VrrpGroupState[]>> = {
  initialize: ["backup", "master", "fault"],
  backup: ["master", "fault", "initialize"],
  master: ["backup", "fault", "initialize"],
  fault: ["backup", "master", "initialize"],
};

/** One change of a group's state. */
export interface VrrpGroupTransition {
  readonly group: string;
  readonly from: VrrpGroupState;
  readonly to: VrrpGroupState;
  readonly reason: string;
  readonly at: number;
}

/** Which group each instance belongs to: an instance is in one group at most. */
const membership = new WeakMap<VrrpInstance, VrrpGroup>();

function haOf(s: VrrpGroupState): HaState {
  return s === "master" ? "master" : "backup";
}

/** A sync group of VRRP instances; also the controller of an HA group. */
export class VrrpGroup implements HaController {
  readonly kind = "vrrp group" as const;
  readonly name: string;
  #clock: Clock;
  #log: Logger;
  #members: VrrpInstance[] = [];
  #unsubscribe = new Map<VrrpInstance, () => void>();
  #state: VrrpGroupState = "initialize";
  #last: VrrpGroupTransition | undefined;
  #transitions = 0;
  #syncing = false;
  #ha: ((state: HaState, reason: string) => void)[] = [];
  #events = new EventBus<{ transition: VrrpGroupTransition }>();

  constructor(name: string, deps: { clock: Clock; log: Logger }) {
    this.name = name;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  get state(): VrrpGroupState {
    return this.#state;
  }
  get members(): readonly VrrpInstance[] {
    return this.#members;
  }
  get lastTransition(): VrrpGroupTransition | undefined {
    return this.#last;
  }
  get transitions(): number {
    return this.#transitions;
  }

  /** Subscribes to the group's transitions (after the members moved). */
  onTransition(fn: (t: VrrpGroupTransition) => void): () => void {
    return this.#events.on("transition", fn);
  }

  /** Adds `inst` (`instance <name>`); an instance belongs to one group at most. */
  addMember(inst: VrrpInstance): void {
    const other = membership.get(inst);
    if (other) {
      throw new Error(
        `Cannot add instance ${inst.name} to vrrp group ${this.name}: it is in vrrp group ${other.name}`,
      );
    }
    membership.set(inst, this);
    this.#members.push(inst);
    const offT = inst.onTransition((t) => this.#onMember(inst, t));
    const offB = inst.onBlockersChange(() => {
      if (!this.#syncing) this.#reconcile(`${inst.name} ${inst.blockedBy.join(", ") || "running"}`);
    });
    this.#unsubscribe.set(inst, () => {
      offT();
      offB();
    });
    inst.setMasterGate((i) => this.#mayBecomeMaster(i));
    this.#log.control(`vrrp group ${this.name}: instance ${inst.name} added`);
    if (this.#state === "master" && inst.state === "backup") {
      this.#sync(
        (o) => o.forceMaster(`vrrp group ${this.name}: joins its master group`),
        undefined,
        inst,
      );
    }
    this.#reconcile(`instance ${inst.name} added`);
  }

  /** Removes `inst`; a hold the group put on it is lifted. */
  removeMember(inst: VrrpInstance): void {
    const i = this.#members.indexOf(inst);
    if (i < 0) return;
    this.#members.splice(i, 1);
    this.#unsubscribe.get(inst)?.();
    this.#unsubscribe.delete(inst);
    membership.delete(inst);
    inst.setMasterGate(undefined);
    this.#log.control(`vrrp group ${this.name}: instance ${inst.name} removed`);
    inst.release(`left vrrp group ${this.name}`);
    this.#reconcile(`instance ${inst.name} removed`);
  }

  /** Removes every member (the group is deleted). */
  close(): void {
    for (const m of [...this.#members]) this.removeMember(m);
  }

  // ------------------------------------------------------ HaController

  haState(): HaState {
    return haOf(this.#state);
  }

  onHaState(fn: (state: HaState, reason: string) => void): () => void {
    this.#ha.push(fn);
    return () => {
      this.#ha = this.#ha.filter((f) => f !== fn);
    };
  }

  // ------------------------------------------------------------ rules

  #mayBecomeMaster(inst: VrrpInstance): boolean {
    if (this.#anyFailed()) return false;
    return this.#members.every((m) => m === inst || m.wantsMaster);
  }

  #onMember(m: VrrpInstance, t: VrrpTransition): void {
    if (this.#syncing) return;
    const why = `${m.name} ${t.from} -> ${t.to}: ${t.reason}`;
    const with_ = `vrrp group ${this.name}: with ${m.name}`;
    if (t.to === "master") {
      this.#sync((o) => o.forceMaster(with_), m);
    } else if (t.from === "master" && t.to === "backup") {
      this.#sync((o) => o.forceBackup(with_), m);
    } else if (t.from === "initialize" && this.#state === "master" && !this.#anyFailed()) {
      this.#sync(
        (o) => o.forceMaster(`vrrp group ${this.name}: joins its master group`),
        undefined,
        m,
      );
    }
    this.#reconcile(why);
  }

  #anyFailed(): boolean {
    return this.#members.some((m) => m.failed);
  }

  /** Holds the members while one has failed, releases them after, then derives the state. */
  #reconcile(why: string): void {
    const failed = this.#members.filter((m) => m.failed);
    if (failed.length > 0) {
      const names = failed.map((f) => f.name).join(", ");
      this.#sync((o) => {
        if (!o.failed) o.hold(`vrrp group ${this.name}: ${names} failed`);
      });
    } else {
      this.#sync((o) => {
        if (o.blockedBy.includes("group")) o.release(`vrrp group ${this.name}: all members up`);
      });
    }
    this.#setState(this.#derive(), why);
  }

  /** The group's state from its members'; members never started do not count yet. */
  #derive(): VrrpGroupState {
    const ms = this.#members.filter((m) => m.started);
    if (ms.length === 0) return "initialize";
    if (this.#anyFailed()) return "fault";
    if (ms.every((m) => m.state === "master")) return "master";
    if (ms.every((m) => m.state === "initialize")) return "initialize";
    return "backup";
  }

  /** Applies `fn` to the members (all but `except`, or only `only`) without reacting to it. */
  #sync(fn: (o: VrrpInstance) => void, except?: VrrpInstance, only?: VrrpInstance): void {
    const was = this.#syncing;
    this.#syncing = true;
    try {
      for (const o of only ? [only] : [...this.#members]) if (o !== except) fn(o);
    } finally {
      this.#syncing = was;
    }
  }

  #setState(to: VrrpGroupState, reason: string): void {
    const from = this.#state;
    if (to === from) return;
    if (!VRRP_GROUP_TRANSITIONS[from].includes(to)) {
      throw new Error(`vrrp group ${this.name}: illegal transition ${from} -> ${to}`);
    }
    this.#state = to;
    this.#transitions++;
    this.#last = { group: this.name, from, to, reason, at: this.#clock.wallNow() };
    this.#log.audit(`vrrp group ${this.name}: ${from} -> ${to} (${reason})`);
    if (haOf(from) !== haOf(to)) { for (const f of [...this.#ha]) f(haOf(to), reason); }
    this.#events.emit("transition", this.#last);
  }
}

/** An HA controller for a single instance (`notify-ha-group` on an instance). */
export function instanceHaController(inst: VrrpInstance): HaController {
  const ha = (): HaState => inst.state === "master" ? "master" : "backup";
  return {
    kind: "vrrp instance",
    name: inst.name,
    haState: ha,
    onHaState(fn) {
      let last = ha();
      return inst.onTransition((t) => {
        const now = ha();
        if (now === last) return;
        last = now;
        fn(now, `${t.from} -> ${t.to}: ${t.reason}`);
      });
    },
  };
}
