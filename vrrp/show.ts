/**
 * `show vrrp`: per instance its state, priority, the effective master and
 * its address, the advertisement timers, counters (adverts sent and
 * received, drops by reason), the last transition and why; per sync group
 * its state and members. JSON-able data, and its text rendering.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { formatIp, formatPrefix } from "../core/ip.ts";
import type { VrrpGroup, VrrpGroupState } from "./group.ts";
import { fmtMs, type VrrpInstance } from "./instance.ts";
import { virtualMac } from "./port.ts";
import type { VrrpReceiver, VrrpReceiverCounters } from "./receiver.ts";
import { VRRP_DROP_REASONS, type VrrpCounters, type VrrpState } from "./state.ts";

export interface VrrpTransitionShow {
  readonly from: string;
  readonly to: string;
  readonly cause?: string;
  readonly reason: string;
  /** ISO wall-clock time. */
  readonly at: string;
}

export interface VrrpInstanceShow {
  readonly name: string;
  readonly link: string;
  readonly vrid: number;
  readonly family: "ipv4" | "ipv6";
  readonly state: VrrpState;
  /** What holds it in Initialize: `stopped`, `link-down`, `group`. */
  readonly blockedBy: readonly string[];
  readonly group: string | null;
  readonly priority: number;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly accept: boolean;
  readonly virtualAddresses: readonly string[];
  readonly primaryAddress: string;
  readonly virtualMac: string;
  readonly advertisementIntervalMs: number;
  readonly intervalCs: number;
  readonly masterAdvertisementIntervalMs: number;
  readonly skewTimeMs: number;
  readonly masterDownIntervalMs: number;
  /** Backup: time left on the Master_Down_Timer, and what happens then. */
  readonly masterDownInMs: number | null;
  readonly nextMasterReason: string | null;
  readonly master: {
    readonly address: string;
    readonly priority: number;
    readonly advertisementIntervalMs: number;
    readonly self: boolean;
  } | null;
  readonly counters: VrrpCounters;
  readonly lastTransition: VrrpTransitionShow | null;
}

export interface VrrpGroupShow {
  readonly name: string;
  readonly state: VrrpGroupState;
  readonly members: readonly string[];
  readonly haGroup: string | null;
  readonly transitions: number;
  readonly lastTransition: VrrpTransitionShow | null;
}

export interface VrrpReceiverShow extends VrrpReceiverCounters {
  readonly link: string;
  readonly family: "ipv4" | "ipv6";
}

/** Everything `show vrrp` reports. */
export interface VrrpShow {
  readonly instances: readonly VrrpInstanceShow[];
  readonly groups: readonly VrrpGroupShow[];
  readonly receivers: readonly VrrpReceiverShow[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const fam = (f: 4 | 6) => f === 4 ? "ipv4" as const : "ipv6" as const;

/** The data of `show vrrp`. */
export function showVrrp(opts: {
  clock: Clock;
  instances: readonly VrrpInstance[];
  groups?: readonly VrrpGroup[];
  receivers?: readonly VrrpReceiver[];
  /** HA group notified by each vrrp group, by vrrp group name. */
  haGroups?: ReadonlyMap<string, string>;
}): VrrpShow {
  const groupOf = new Map<VrrpInstance, string>();
  for (const g of opts.groups ?? []) for (const m of g.members) groupOf.set(m, g.name);
  const now = opts.clock.now();
  const instances = opts.instances.map((i): VrrpInstanceShow => {
    const c = i.config;
    const m = i.master;
    const t = i.lastTransition;
    const due = i.state === "backup" ? i.masterDownDue : undefined;
    return {
      name: i.name,
      link: c.linkInterface,
      vrid: c.vrid,
      family: fam(c.family),
      state: i.state,
      blockedBy: i.blockedBy,
      group: groupOf.get(i) ?? null,
      priority: i.priority,
      preempt: c.preempt,
      preemptDelayMs: c.preemptDelayMs,
      accept: c.accept,
      virtualAddresses: c.virtualAddresses.map(formatPrefix),
      primaryAddress: formatIp(i.primaryAddress),
      virtualMac: virtualMac(c.vrid, c.family),
      advertisementIntervalMs: c.advertisementIntervalMs,
      intervalCs: c.intervalCs,
      masterAdvertisementIntervalMs: i.masterAdverIntervalMs,
      skewTimeMs: i.skewTimeMs,
      masterDownIntervalMs: i.masterDownIntervalMs,
      masterDownInMs: due === undefined ? null : Math.max(0, due - now),
      nextMasterReason: due === undefined ? null : i.nextMasterReason,
      master: m
        ? {
          address: formatIp(m.address),
          priority: m.priority,
          advertisementIntervalMs: m.intervalMs,
          self: m.self,
        }
        : null,
      counters: structuredClone(i.counters),
      lastTransition: t
        ? { from: t.from, to: t.to, cause: t.cause, reason: t.reason, at: iso(t.at) }
        : null,
    };
  });
  const groups = (opts.groups ?? []).map((g): VrrpGroupShow => {
    const t = g.lastTransition;
    return {
      name: g.name,
      state: g.state,
      members: g.members.map((m) => m.name),
      haGroup: opts.haGroups?.get(g.name) ?? null,
      transitions: g.transitions,
      lastTransition: t ? { from: t.from, to: t.to, reason: t.reason, at: iso(t.at) } : null,
    };
  });
  const receivers = (opts.receivers ?? []).map((r): VrrpReceiverShow => ({
    link: r.link,
    family: fam(r.family),
    ...r.counters,
  }));
  return { instances, groups, receivers };
}

const onOff = (b: boolean) => b ? "on" : "off";

function transitionText(t: VrrpTransitionShow): string {
  const why = t.cause ? `${t.cause}: ${t.reason}` : t.reason;
  return `${t.at} ${t.from} -> ${t.to} (${why})`;
}

/** The text of `show vrrp`. */
export function renderVrrp(data: VrrpShow): string {
  const out: string[] = [];
  for (const i of data.instances) {
    const blocked = i.blockedBy.length ? ` (${i.blockedBy.join(", ")})` : "";
    out.push(`vrrp ${i.name}: ${i.state}${blocked}`);
    out.push(
      `  link ${i.link}, vrid ${i.vrid}, ${i.family}, virtual MAC ${i.virtualMac}` +
        (i.group ? `, vrrp group ${i.group}` : ""),
    );
    out.push(`  virtual addresses ${i.virtualAddresses.join(", ")}; primary ${i.primaryAddress}`);
    out.push(
      `  priority ${i.priority}, preempt ${onOff(i.preempt)}` +
        (i.preempt && i.preemptDelayMs ? ` (delay ${fmtMs(i.preemptDelayMs)} ms)` : "") +
        `, accept ${onOff(i.accept)}`,
    );
    out.push(
      `  advertisement interval ${i.advertisementIntervalMs} ms (${i.intervalCs} cs); ` +
        `master interval ${fmtMs(i.masterAdvertisementIntervalMs)} ms, skew ${
          fmtMs(i.skewTimeMs)
        } ms, master down interval ${fmtMs(i.masterDownIntervalMs)} ms`,
    );
    if (i.master) {
      const who = i.master.self ? " (this node)" : "";
      out.push(
        `  master ${i.master.address}${who}, priority ${i.master.priority}, interval ${
          fmtMs(i.master.advertisementIntervalMs)
        } ms`,
      );
    } else {
      out.push("  master unknown");
    }
    if (i.masterDownInMs !== null) {
      out.push(`  master down in ${fmtMs(i.masterDownInMs)} ms: ${i.nextMasterReason}`);
    }
    const c = i.counters;
    out.push(
      `  adverts sent ${c.advertsSent} (priority 0: ${c.priorityZeroSent}, errors ${c.sendErrors}), ` +
        `received ${c.advertsReceived} (priority 0: ${c.priorityZeroReceived}, ` +
        `preempt discards ${c.preemptDiscards}); GARP/NA bursts ${c.announcements}`,
    );
    const drops = VRRP_DROP_REASONS.filter((r) => c.drops[r] > 0).map((r) => `${r} ${c.drops[r]}`);
    out.push(`  drops: ${drops.length ? drops.join(", ") : "none"}`);
    out.push(
      `  transitions ${c.transitions}, master ${c.becameMaster} times` +
        (i.lastTransition ? `; last ${transitionText(i.lastTransition)}` : ""),
    );
  }
  for (const g of data.groups) {
    out.push(
      `vrrp group ${g.name}: ${g.state}; instances ${g.members.join(", ") || "none"}` +
        (g.haGroup ? `; notifies ha group ${g.haGroup}` : ""),
    );
    if (g.lastTransition) {
      out.push(`  transitions ${g.transitions}; last ${transitionText(g.lastTransition)}`);
    }
  }
  for (const r of data.receivers) {
    out.push(
      `receiver ${r.link} ${r.family}: ${r.received} messages, ${r.unknownVrid} for unknown VRIDs, ${r.truncated} truncated`,
    );
  }
  return out.length ? out.join("\n") + "\n" : "no vrrp instance\n";
}
