/**
 * Topologies as data: a {@linkcode TopologySpec} names namespaces by short
 * suffixes and describes links, shared segments, extra addresses and routes;
 * {@linkcode buildTopology} validates it and builds it in a
 * {@linkcode NetnsLab}, returning the full namespace names.
 *
 * ```ts
 * const spec: TopologySpec = {
 *   namespaces: [{ name: "a", forwarding: true }, { name: "h" }],
 *   links: [{ a: ["a", "lan", "10.1.0.1/24"], b: ["h", "eth0", "10.1.0.10/24"] }],
 *   routes: [{ ns: "h", to: "default", via: "10.1.0.1" }],
 * };
 * ```
 *
 * @module
 */
import type { NetnsLab, NetnsOptions, RouteSpec } from "./netns_lab.ts";

/** One end of a link in a spec: namespace suffix, interface, addresses. */
export type SpecEndpoint = readonly [ns: string, dev: string, ...addrs: string[]];

/** A namespace and its settings. */
export interface NamespaceSpec extends NetnsOptions {
  /** Suffix of the namespace name (the lab adds its unique tag). */
  name: string;
}

/** A veth pair between two namespaces. */
export interface LinkSpec {
  a: SpecEndpoint;
  b: SpecEndpoint;
  mtu?: number;
}

/** A shared segment (a bridge in its own namespace) with any number of members. */
export interface SegmentSpec {
  /** Suffix of the segment's own namespace; must not clash with a namespace. */
  name: string;
  members: SpecEndpoint[];
}

/** An extra address, e.g. a /32 on `lo`. */
export interface AddressSpec {
  ns: string;
  dev: string;
  addr: string;
}

/** A route inside namespace `ns`. */
export interface RouteInSpec extends RouteSpec {
  ns: string;
}

/** A whole topology. Order of building: namespaces, segments, links, addresses, routes. */
export interface TopologySpec {
  namespaces: NamespaceSpec[];
  links?: LinkSpec[];
  segments?: SegmentSpec[];
  addresses?: AddressSpec[];
  routes?: RouteInSpec[];
}

/** A built topology: suffix -> full namespace name. */
export interface Topology {
  readonly spec: TopologySpec;
  /** Full names of the namespaces (and segment namespaces) by suffix. */
  readonly names: Readonly<Record<string, string>>;
  /** Full name of namespace `suffix`; throws for an unknown suffix. */
  ns(suffix: string): string;
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const CIDR = /^[0-9a-fA-F:.]+\/[0-9]{1,3}$/;

/** Every problem of a spec, in the project's error voice; empty when it is sound. */
export function validateTopology(spec: TopologySpec): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  const devs = new Set<string>();
  const addName = (n: string, what: string) => {
    if (!/^[a-z0-9]{1,12}$/.test(n)) {
      errors.push(`Cannot use ${what} name "${n}": 1-12 lowercase letters or digits`);
    }
    if (names.has(n)) errors.push(`Cannot use ${what} name "${n}": already used`);
    names.add(n);
  };
  for (const n of spec.namespaces) addName(n.name, "namespace");
  for (const s of spec.segments ?? []) addName(s.name, "segment");
  const nsOnly = new Set(spec.namespaces.map((n) => n.name));
  const endpoint = (e: SpecEndpoint, where: string) => {
    const [ns, dev, ...addrs] = e;
    if (!nsOnly.has(ns)) errors.push(`Cannot use namespace "${ns}" in ${where}: not declared`);
    if (!IFNAME.test(dev)) errors.push(`Cannot use interface "${dev}" in ${where}: bad name`);
    if (devs.has(`${ns}/${dev}`)) {
      errors.push(`Cannot create interface "${dev}" in "${ns}" twice (${where})`);
    }
    devs.add(`${ns}/${dev}`);
    for (const a of addrs) {
      if (!CIDR.test(a)) errors.push(`Cannot use address "${a}" in ${where}: expected addr/len`);
    }
  };
  for (const [i, l] of (spec.links ?? []).entries()) {
    endpoint(l.a, `link ${i}`);
    endpoint(l.b, `link ${i}`);
  }
  for (const s of spec.segments ?? []) {
    for (const m of s.members) endpoint(m, `segment "${s.name}"`);
  }
  for (const a of spec.addresses ?? []) {
    if (!nsOnly.has(a.ns)) errors.push(`Cannot add address to "${a.ns}": not declared`);
    if (!CIDR.test(a.addr)) errors.push(`Cannot use address "${a.addr}": expected addr/len`);
  }
  for (const r of spec.routes ?? []) {
    if (!nsOnly.has(r.ns)) errors.push(`Cannot add route in "${r.ns}": not declared`);
    if (r.to !== "default" && !CIDR.test(r.to)) {
      errors.push(`Cannot route to "${r.to}": expected "default" or addr/len`);
    }
    if (!r.via && !r.dev) errors.push(`Cannot add route to "${r.to}" in "${r.ns}": no via or dev`);
  }
  return errors;
}

/** Validates `spec` and builds it in `lab`. */
export async function buildTopology(lab: NetnsLab, spec: TopologySpec): Promise<Topology> {
  const errors = validateTopology(spec);
  if (errors.length) throw new Error(`Bad topology:\n  ${errors.join("\n  ")}`);
  const names: Record<string, string> = {};
  const ns = (suffix: string): string => {
    const n = names[suffix];
    if (n === undefined) throw new Error(`Cannot find namespace "${suffix}" in this topology`);
    return n;
  };
  const full = ([n, dev, ...addrs]: SpecEndpoint): SpecEndpoint => [ns(n), dev, ...addrs];
  for (const { name, ...opts } of spec.namespaces) names[name] = await lab.netns(name, opts);
  for (const s of spec.segments ?? []) {
    names[s.name] = await lab.segment(s.name, s.members.map(full));
  }
  for (const l of spec.links ?? []) {
    await lab.veth(full(l.a), full(l.b), l.mtu ? { mtu: l.mtu } : {});
  }
  for (const a of spec.addresses ?? []) await lab.addr(ns(a.ns), a.dev, a.addr);
  for (const { ns: where, ...r } of spec.routes ?? []) await lab.route(ns(where), r);
  return { spec, names, ns };
}
