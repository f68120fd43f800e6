/**
 * `show ha group`: the state of every HA group, its controller, its
 * listeners and its recent changes, as JSON-able data and as text.
 *
 * @module
 */
import type { HaGroup, HaState } from "./group.ts";

/** One group as `show ha group` reports it. */
export interface HaGroupShow {
  readonly name: string;
  readonly state: HaState;
  /** Sequence number of the last change (0: none). */
  readonly seq: number;
  /** ISO time of the last change (or of creation). */
  readonly since: string;
  readonly reason: string;
  /** `vrrp group group1`, `vrrp instance vrrp51`, `static` or `none`. */
  readonly controller: string;
  readonly listeners: readonly string[];
  readonly transitions: readonly {
    readonly seq: number;
    readonly at: string;
    readonly from: HaState;
    readonly to: HaState;
    readonly reason: string;
  }[];
}

/** The data of `show ha group` for `groups`. */
export function showHaGroups(groups: readonly HaGroup[]): HaGroupShow[] {
  return groups.map((g) => {
    const cur = g.current();
    const c = g.controller;
    return {
      name: g.name,
      state: cur.state,
      seq: cur.seq,
      since: new Date(cur.since).toISOString(),
      reason: cur.reason,
      controller: c ? `${c.kind} ${c.name}` : g.staticState ? "static" : "none",
      listeners: g.listenerNames,
      transitions: g.history.map((h) => ({
        seq: h.seq,
        at: new Date(h.at).toISOString(),
        from: h.previous,
        to: h.state,
        reason: h.reason,
      })),
    };
  });
}

/** The text of `show ha group`. */
export function renderHaGroups(data: readonly HaGroupShow[]): string {
  if (data.length === 0) return "no ha group\n";
  const out: string[] = [];
  for (const g of data) {
    out.push(`ha group ${g.name}: ${g.state} (since ${g.since}, change #${g.seq})`);
    out.push(`  controller: ${g.controller}`);
    out.push(`  listeners: ${g.listeners.length ? g.listeners.join(", ") : "none"}`);
    out.push(`  reason: ${g.reason}`);
    if (g.transitions.length) {
      out.push("  transitions:");
      for (const t of g.transitions) {
        out.push(`    #${t.seq} ${t.at} ${t.from} -> ${t.to}: ${t.reason}`);
      }
    }
  }
  return out.join("\n") + "\n";
}
