/**
 * A network plan as data: nodes (Tandem gateways, plain routers such as a
 * strongSwan gateway, hosts), the links between them with their addresses,
 * loopbacks and static routes. From one plan come both the lab topology
 * ({@linkcode networkTopology}: namespaces, veths, and the addresses and
 * routes of the nodes the lab configures itself) and each Tandem node's
 * startup configuration ({@linkcode tandemStartup}: the same addresses and
 * routes as `vrf main` interfaces and static routes, in the `show config`
 * listing format), so a Tandem node's kernel is configured by its own
 * daemon, never by the lab.
 *
 * ```ts
 * const net: Network = {
 *   nodes: [{ name: "gw", role: "tandem", routes: [{ to: "10.9.0.0/16", via: "10.1.0.254" }] },
 *     { name: "h", role: "host", routes: [{ to: "default", via: "10.1.0.1" }] }],
 *   links: [{ a: ["gw", "eth1", "10.1.0.1/24"], b: ["h", "eth0", "10.1.0.10/24"] }],
 * };
 * ```
 *
 * @module
 */
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { renderConfig } from "../config/text_format.ts";
import type { TopologySpec } from "./topology.ts";

/**
 * What a node is: `tandem` runs a Tandem daemon (the lab leaves its links
 * bare), `router` forwards (a strongSwan gateway), `host` is an end system.
 */
export type NodeRole = "tandem" | "router" | "host";

/** A static route of a node. */
export interface NetworkRoute {
  /** `default` or a prefix. */
  readonly to: string;
  readonly via: string;
}

/** A node of the plan. */
export interface NetworkNode {
  /** Namespace suffix; also the Tandem node's host name. */
  readonly name: string;
  readonly role: NodeRole;
  /** Tandem loopback interfaces (service addresses such as the IKE address). */
  readonly loopbacks?: readonly { readonly name: string; readonly addresses: readonly string[] }[];
  readonly routes?: readonly NetworkRoute[];
}

/** One end of a link: node, interface name, addresses (`addr/len`). */
export type NetworkEnd = readonly [node: string, ifname: string, ...addresses: string[]];

/** A point-to-point link (a veth pair). */
export interface NetworkLink {
  readonly a: NetworkEnd;
  readonly b: NetworkEnd;
}

/** A whole plan. */
export interface Network {
  readonly nodes: readonly NetworkNode[];
  readonly links: readonly NetworkLink[];
}

function node(net: Network, name: string): NetworkNode {
  const n = net.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`Cannot find node "${name}" in the network plan`);
  return n;
}

/** Every problem of a plan (unknown nodes, loopbacks or routes where they do not belong). */
export function validateNetwork(net: Network): string[] {
  const errors: string[] = [];
  const names = new Set(net.nodes.map((n) => n.name));
  for (const l of net.links) {
    for (const [n] of [l.a, l.b]) {
      if (!names.has(n)) errors.push(`Cannot link node "${n}": not in the plan`);
    }
  }
  for (const n of net.nodes) {
    if (n.loopbacks?.length && n.role !== "tandem") {
      errors.push(`Cannot give node "${n.name}" loopbacks: only Tandem nodes have them`);
    }
  }
  return errors;
}

/** The lab topology of a plan: Tandem nodes get bare links; the others their addresses and routes. */
export function networkTopology(net: Network): TopologySpec {
  const errors = validateNetwork(net);
  if (errors.length) throw new Error(`Bad network plan:\n  ${errors.join("\n  ")}`);
  const bare = (e: NetworkEnd): NetworkEnd => node(net, e[0]).role === "tandem" ? [e[0], e[1]] : e;
  return {
    namespaces: net.nodes.map((n) =>
      n.role === "host"
        ? { name: n.name, ipv6: false }
        : n.role === "router"
        ? { name: n.name, forwarding: true, ipv6: false, rpFilter: false }
        // The daemon sets forwarding and rp_filter itself (its VRF sysctls).
        : { name: n.name, ipv6: false }
    ),
    links: net.links.map((l) => ({ a: [...bare(l.a)], b: [...bare(l.b)] })),
    routes: net.nodes.filter((n) => n.role !== "tandem").flatMap((n) =>
      (n.routes ?? []).map((r) => ({ ns: n.name, to: r.to, via: r.via }))
    ),
  };
}

/** The CLI lines that give a Tandem node its interfaces, loopbacks and routes (`vrf main`). */
export function tandemBaseCommands(net: Network, name: string): string[] {
  const n = node(net, name);
  const lines = [`system hostname ${n.name}`];
  for (const l of net.links) {
    for (const [who, ifname, ...addrs] of [l.a, l.b]) {
      if (who !== name) continue;
      const base = `vrf main interface physical ${ifname}`;
      lines.push(`${base} port ${ifname}`);
      for (const a of addrs) {
        lines.push(`${base} ${a.includes(":") ? "ipv6" : "ipv4"} address ${a}`);
      }
    }
  }
  for (const lo of n.loopbacks ?? []) {
    for (const a of lo.addresses) {
      lines.push(
        `vrf main interface loopback ${lo.name} ${a.includes(":") ? "ipv6" : "ipv4"} address ${a}`,
      );
    }
  }
  for (const r of n.routes ?? []) {
    const v6 = r.via.includes(":");
    const to = r.to === "default" ? (v6 ? "::/0" : "0.0.0.0/0") : r.to;
    lines.push(`vrf main routing static ${v6 ? "ipv6" : "ipv4"}-route ${to} next-hop ${r.via}`);
  }
  return lines;
}

/** CLI command lines as a `show config` listing (the reference's format, secrets shown). */
export function configListing(commands: readonly string[]): string {
  const tree = parseConfigText(ROOT, commands.join("\n") + "\n");
  return renderConfig(ROOT, tree, [], { defaults: false, secrets: true }).join("\n") + "\n";
}

/** A Tandem node's startup file: its base commands (plus `extra`) as a listing. */
export function tandemStartup(net: Network, name: string, extra: readonly string[] = []): string {
  return configListing([...tandemBaseCommands(net, name), ...extra]);
}
