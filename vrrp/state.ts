/**
 * The states of a VRRPv3 instance (RFC 5798 §6.4) as data: the legal
 * transitions, why a transition happens, why a received message is dropped,
 * and the counters an instance keeps.
 *
 * @module
 */
import { VRRP_CODEC_DROPS, type VrrpCodecDrop } from "./packet.ts";

/** RFC 5798 §6.4: Initialize (§6.4.1), Backup (§6.4.2), Master (§6.4.3). */
export type VrrpState = "initialize" | "backup" | "master";

/** Every legal `from -> to`; anything else is a bug and throws. */
export const VRRP_TRANSITIONS: Readonly<Record<VrrpState, readonly VrrpState[]>> = {
  // §6.4.1 Startup: owner -> Master, others -> Backup.
  initialize: ["backup", "master"],
  // §6.4.2 Master_Down_Timer fires -> Master; Shutdown -> Initialize.
  backup: ["master", "initialize"],
  // §6.4.3 higher priority (or equal priority, higher address) -> Backup; Shutdown -> Initialize.
  master: ["backup", "initialize"],
};

/** What made a transition happen (machine-readable; the log line adds the details). */
export type VrrpCause =
  | "startup" // §6.4.1 Startup event (start(), link up, group fault cleared)
  | "owner" // §6.4.1 priority 255 goes straight to Master
  | "master-down" // §6.4.2 Master_Down_Timer fired
  | "higher-priority" // §6.4.3 advert with a higher priority
  | "higher-address" // §6.4.3 equal priority, higher primary address
  | "shutdown" // §6.4.2/§6.4.3 Shutdown event: stop()
  | "link-down" // link tracking: the link-interface went down
  | "group"; // a sync group moved this member with the others

/** The record of one transition. */
export interface VrrpTransition {
  readonly instance: string;
  readonly from: VrrpState;
  readonly to: VrrpState;
  readonly cause: VrrpCause;
  readonly reason: string;
  /** Wall-clock ms since the epoch. */
  readonly at: number;
}

/** Why an instance refused a received message. */
export type VrrpDropReason =
  | VrrpCodecDrop
  | "inactive" // received in Initialize (§6.4.1: nothing but Startup is processed)
  | "own" // our own advert looped back (source = our primary address)
  | "owner" // we own the addresses (priority 255): §7.1 discard
  | "addresses"; // the address list differs from ours and the sender is not an owner (§7.1)

/** Every drop reason, in the order `show vrrp` lists them. */
export const VRRP_DROP_REASONS: readonly VrrpDropReason[] = [
  ...VRRP_CODEC_DROPS,
  "inactive",
  "own",
  "owner",
  "addresses",
];

/** Counters of one instance (JSON-able). */
export interface VrrpCounters {
  advertsSent: number;
  /** Adverts that passed every check (including priority 0 ones). */
  advertsReceived: number;
  priorityZeroSent: number;
  priorityZeroReceived: number;
  /** Lower-priority adverts a preempting backup ignored (§6.4.2). */
  preemptDiscards: number;
  sendErrors: number;
  /** GARP / NA bursts. */
  announcements: number;
  becameMaster: number;
  transitions: number;
  drops: Record<VrrpDropReason, number>;
}

/** Fresh counters, every drop reason at zero. */
export function newCounters(): VrrpCounters {
  const drops = {} as Record<VrrpDropReason, number>;
  for (const r of VRRP_DROP_REASONS) drops[r] = 0;
  return {
    advertsSent: 0,
    advertsReceived: 0,
    priorityZeroSent: 0,
    priorityZeroReceived: 0,
    preemptDiscards: 0,
    sendErrors: 0,
    announcements: 0,
    becameMaster: 0,
    transitions: 0,
    drops,
  };
}
