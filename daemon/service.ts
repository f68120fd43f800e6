/**
 * How subsystems plug into the daemon. A {@linkcode Service} registers its
 * appliers, cross-checks and operational commands, may clean up what a
 * previous run left, starts once the running configuration is applied, and
 * stops at shutdown, in reverse order of registration (IKE sends its
 * deletes there while the interfaces and routes it uses still exist).
 *
 * Applier order (lower first for creations and changes, last for
 * removals): see {@linkcode ORDER}. Subsystems still to come slot in with
 * the values suggested there.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { LogHub } from "../core/log.ts";
import type { Rng } from "../core/rng.ts";
import type { Datastore } from "../config/datastore.ts";
import type { TandemConfig } from "../config/root_schema.ts";
import type { OperationalRegistry } from "../cli/operational.ts";
import type { HaGroupRegistry } from "../ha/group.ts";
import type { Vrfs } from "../kernel/vrf.ts";
import type { Owned } from "./owned.ts";

/** Applier orders: a VRF exists before its links, links before addresses and routes. */
export const ORDER = {
  /** Features this build refuses (`unavailable.ts`): they fail before anything is applied. */
  unavailable: 0,
  /** `vrf *`: namespace and sysctls. */
  vrf: 10,
  /** `vrf * interface physical *` and `loopback *`, with their addresses. */
  link: 20,
  /** Suggested for `vrf * interface gre *` (its link-vrf exists by then). */
  tunnel: 25,
  /** `vrf * routing static`. */
  route: 30,
  /** Suggested for `vrf * interface vrrp *` and `vrf * vrrp group *`. */
  vrrp: 40,
  /** Suggested for `ha group *`. */
  ha: 45,
  /** `vrf * ike` (after the addresses and routes it uses). */
  ike: 50,
  /** `vrf * interface svti *`: its TUN belongs to the IKE gateway of its link-vrf. */
  svti: 55,
} as const;

/** What a service gets from the daemon. */
export interface ServiceContext {
  readonly datastore: Datastore;
  readonly operational: OperationalRegistry;
  /** VRF names ↔ namespaces (`vrfs.netns(vrf)`, `vrfs.run(vrf, fn)`, `vrfs.ensure(vrf)`). */
  readonly vrfs: Vrfs;
  /** What Tandem put into the kernel (`owned.ts`). */
  readonly owned: Owned;
  /** The node's HA groups, one registry for the appliance (`ha_service.ts` says who does what). */
  readonly ha: HaGroupRegistry;
  readonly hub: LogHub;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly stateDir: string;
}

/** A subsystem of the daemon; see the module doc. */
export interface Service {
  readonly name: string;
  /** Registers appliers, checks and operational commands (before anything is applied). */
  register(ctx: ServiceContext): void;
  /**
   * At start, before the running configuration is applied: undo what a
   * previous run left in the kernel that `config` no longer has.
   */
  prepare?(config: TandemConfig): Promise<void>;
  /** After the running configuration is applied, before the control socket opens. */
  start?(): Promise<void> | void;
  /** At shutdown, in reverse order. */
  stop?(): Promise<void> | void;
  /** A line for `show daemon`. */
  status?(): string;
}
