/**
 * The pure half of the kernel appliers: what to add and what to remove so
 * that a link's addresses, a VRF's static routes and its sysctls match the
 * configuration, given what the kernel has and what Tandem added before
 * (`owned.ts`). Only what Tandem added is ever removed.
 *
 * @module
 */
import { formatIp, formatPrefix, parseInterfaceAddress, parseIp, parsePrefix } from "../core/ip.ts";
import type { StaticRoutesConfig } from "../config/root_schema.ts";
import type { OwnedRoute } from "./owned.ts";

/** `10.0.0.1/24` in canonical form (RFC 5952 for IPv6). */
export function normalizeAddress(text: string): string {
  return formatPrefix(parseInterfaceAddress(text));
}

/** The addresses an interface's configuration asks for, canonical, IPv4 first. */
export function desiredAddresses(
  cfg: {
    readonly ipv4: { readonly address: readonly string[] };
    readonly ipv6: { readonly address: readonly string[] };
  },
): string[] {
  return [...cfg.ipv4.address, ...cfg.ipv6.address].map(normalizeAddress);
}

/** What to add and what to remove. */
export interface Plan<T> {
  readonly add: readonly T[];
  readonly remove: readonly T[];
}

/**
 * The rule every kernel applier follows: add what is desired and not
 * present; remove what Tandem owns, is no longer desired and is present.
 */
export function plan<T>(
  desired: readonly T[],
  present: readonly T[],
  owned: readonly T[],
  id: (t: T) => string,
): Plan<T> {
  const want = new Set(desired.map(id));
  const have = new Set(present.map(id));
  return {
    add: desired.filter((x) => !have.has(id(x))),
    remove: owned.filter((x) => !want.has(id(x)) && have.has(id(x))),
  };
}

/**
 * Adds what is configured and missing; removes what Tandem added, is no
 * longer configured, and is still there. Everything else on the link
 * (IPv6 link-local addresses, VRRP virtual addresses, addresses an
 * operator added by hand) is left alone.
 */
export function planAddresses(
  desired: readonly string[],
  present: readonly string[],
  owned: readonly string[],
): Plan<string> {
  return plan(desired, present, owned, (a) => a);
}

/** A static route as the kernel holds it, canonical. */
export type RouteKey = OwnedRoute;

const routeId = (r: RouteKey) => `${r.dst} via ${r.gateway}`;

/** The routes of a VRF's `routing static`, canonical; each takes its first next hop. */
export function desiredRoutes(s: StaticRoutesConfig): RouteKey[] {
  const out: RouteKey[] = [];
  for (const r of [...s["ipv4-route"], ...s["ipv6-route"]]) {
    const nh = r["next-hop"][0];
    if (!nh) continue;
    out.push({ dst: formatPrefix(parsePrefix(r.prefix)), gateway: formatIp(parseIp(nh.address)) });
  }
  return out;
}

/**
 * Removes the routes Tandem added that are no longer configured (first:
 * a route whose next hop changed is removed, then added), and adds the
 * configured ones the kernel lacks. `present` is the VRF's routes of
 * protocol static in the main table.
 */
export function planRoutes(
  desired: readonly RouteKey[],
  present: readonly RouteKey[],
  owned: readonly RouteKey[],
): Plan<RouteKey> {
  return plan(desired, present, owned, routeId);
}

/** The union of two route lists, without duplicates. */
export function mergeRoutes(a: readonly RouteKey[], b: readonly RouteKey[]): RouteKey[] {
  const seen = new Set<string>();
  return [...a, ...b].filter((r) => !seen.has(routeId(r)) && seen.add(routeId(r)));
}

/**
 * The sysctls of every VRF Tandem runs: a gateway forwards (IPv4, IPv6),
 * and reverse-path filtering is loose, because decrypted packets come in
 * through the ESP dataplane's TUN devices while their source is routed
 * elsewhere (the effective value is the larger of `all` and the link's, so
 * `all` = 2 makes every link loose).
 */
export const ROUTER_SYSCTLS: readonly (readonly [key: string, value: string])[] = [
  ["net.ipv4.ip_forward", "1"],
  ["net.ipv6.conf.all.forwarding", "1"],
  ["net.ipv6.conf.default.forwarding", "1"],
  ["net.ipv4.conf.all.rp_filter", "2"],
  ["net.ipv4.conf.default.rp_filter", "2"],
];

/**
 * A name for a link in transit between namespaces (renamed first so that
 * it collides with nothing on arrival): `tdt<ifindex>`, with a suffix
 * while `taken` says the name is in use.
 */
export function transitName(index: number, taken: (name: string) => boolean): string {
  const base = `tdt${index.toString(36)}`;
  let name = base;
  for (let n = 0; taken(name); n++) name = `${base}x${n.toString(36)}`;
  return name;
}
