/**
 * The lab's two-gateway IPsec topology as data, and strongSwan on one or
 * both sides of it:
 *
 * ```
 *  la (host A)          a (gateway A)                 b (gateway B)          lb (host B)
 *  eth0 10.101.0.10 --- lan 10.101.0.1   wan 10.225.0.1 === wan 10.200.0.1   lan 10.102.0.1 --- eth0 10.102.0.10
 *  default via .1                     (/32 each, on-link routes to the peer)                   default via .1
 * ```
 *
 * {@linkcode pairUp} runs charon on both gateways (strongSwan to strongSwan,
 * the reference behaviour); {@linkcode peerUp} runs charon only on B and
 * leaves namespace `a` ready for Tandem, with the parameters Tandem needs
 * in {@linkcode SwanPairLab.params}. Gateways forward, have rp_filter off
 * (decrypted packets re-enter through charon's TUN device) and IPv6 off
 * (else the TUN device's router solicitations go to charon and skew its
 * counters) unless the addresses are IPv6. Addresses, IDs, PSK, TS and
 * profile are parameters; {@linkcode SWAN_PAIR_V6} is an all-IPv6 pair.
 *
 * @module
 */
import { formatPrefix, parsePrefix } from "../core/ip.ts";
import type { NetnsLab } from "./netns_lab.ts";
import { StrongSwanPeer } from "./strongswan.ts";
import type { CharonOptions } from "./strongswan_conf.ts";
import type { SwanChild, SwanConnection, SwanctlConfig } from "./swanctl_conf.ts";
import { buildTopology, type Topology, type TopologySpec } from "./topology.ts";

/** IKE and ESP proposals of a test profile. */
export interface SwanProfile {
  ike: string;
  esp: string;
}

/**
 * The profiles interop tests use. No ESN anywhere: libipsec refuses ESN SAs
 * (the reference's `aes128-sha1-esn` fails with NO_PROPOSAL_CHOSEN).
 */
export const SWAN_PROFILES = {
  "ref-noesn": { ike: "aes128-sha1-modp1024", esp: "aes128-sha1" },
  gcm: { ike: "aes256gcm16-prfsha256-x25519", esp: "aes256gcm16" },
  cbc384: { ike: "aes256-sha384-ecp384", esp: "aes256-sha384" },
} as const satisfies Record<string, SwanProfile>;

export type SwanProfileName = keyof typeof SWAN_PROFILES;

/** Knobs of the pair; every one has a default. */
export interface SwanPairParams {
  profile?: SwanProfileName | SwanProfile;
  /** WAN addresses (each a /32 or /128 with an on-link route to the other). */
  aWan?: string;
  bWan?: string;
  /** Gateway LAN addresses with prefix length. */
  aLan?: string;
  bLan?: string;
  /** LAN host addresses (same prefix as the gateway's LAN). */
  aHost?: string;
  bHost?: string;
  /** IKE identities (default: the WAN addresses, i.e. ID_IPV4_ADDR). */
  aId?: string;
  bId?: string;
  psk?: string;
  /** Traffic selectors (default: the LAN networks). */
  aTs?: string;
  bTs?: string;
  /** Connection and CHILD names in swanctl.conf. */
  conn?: string;
  child?: string;
  /** Overrides for the connection and the child, on both sides. */
  connection?: Partial<Omit<SwanConnection, "name" | "children">>;
  childOptions?: Partial<Omit<SwanChild, "name">>;
  /** strongswan.conf options of the charon instances. */
  charon?: CharonOptions;
}

/** One side, resolved. */
export interface SwanSide {
  /** Namespace suffixes in the topology. */
  gw: string;
  host: string;
  wan: string;
  lan: string;
  hostAddr: string;
  id: string;
  ts: string;
}

/** All parameters with defaults applied. */
export interface SwanPairResolved {
  a: SwanSide;
  b: SwanSide;
  profile: SwanProfile;
  psk: string;
  conn: string;
  child: string;
  connection: Partial<Omit<SwanConnection, "name" | "children">>;
  childOptions: Partial<Omit<SwanChild, "name">>;
  charon: CharonOptions;
}

/** The lab PSK used when a test does not choose one (lab only, never a real secret). */
export const LAB_PSK = "tandem-lab-psk-0123456789abcdef";

/** Applies the defaults. */
export function resolvePair(p: SwanPairParams = {}): SwanPairResolved {
  const profile = typeof p.profile === "object"
    ? p.profile
    : SWAN_PROFILES[p.profile ?? "ref-noesn"];
  const side = (
    gw: string,
    host: string,
    wan: string,
    lan: string,
    hostAddr: string,
    id?: string,
    ts?: string,
  ): SwanSide => ({
    gw,
    host,
    wan,
    lan,
    hostAddr,
    id: id ?? wan,
    ts: ts ?? formatPrefix(parsePrefix(lan)),
  });
  return {
    a: side(
      "a",
      "la",
      p.aWan ?? "10.225.0.1",
      p.aLan ?? "10.101.0.1/24",
      p.aHost ?? "10.101.0.10",
      p.aId,
      p.aTs,
    ),
    b: side(
      "b",
      "lb",
      p.bWan ?? "10.200.0.1",
      p.bLan ?? "10.102.0.1/24",
      p.bHost ?? "10.102.0.10",
      p.bId,
      p.bTs,
    ),
    profile,
    psk: p.psk ?? LAB_PSK,
    conn: p.conn ?? "lab",
    child: p.child ?? "net",
    connection: p.connection ?? {},
    childOptions: p.childOptions ?? {},
    charon: p.charon ?? {},
  };
}

/**
 * IPv6 settings of a namespace of a pair with any IPv6 address: on, with
 * no DAD (addresses usable at once) and no router solicitations.
 */
const IPV6_QUIET: Record<string, number> = {
  "net.ipv6.conf.all.accept_dad": 0,
  "net.ipv6.conf.default.accept_dad": 0,
  "net.ipv6.conf.all.router_solicitations": 0,
  "net.ipv6.conf.default.router_solicitations": 0,
};

/**
 * Applied by {@linkcode pairUp} and {@linkcode peerUp} (not part of the
 * spec) to the gateways of an IPv6 pair once their links exist, for the
 * TUN devices made later (Tandem's, charon's): no link-local address and
 * no router role, so they join no group they would report (MLD) into the
 * tunnel. The links keep their link-local addresses: a forwarding gateway
 * sends neighbor solicitations only from one.
 */
const IPV6_SILENT_TUN: Record<string, number> = {
  "net.ipv6.conf.default.addr_gen_mode": 1,
  "net.ipv6.conf.default.forwarding": 0,
};

/** Whether any address of the pair is IPv6. */
export function pairIsV6(r: SwanPairResolved): boolean {
  return [r.a, r.b].some((s) => [s.wan, s.lan, s.hostAddr].some((a) => a.includes(":")));
}

/**
 * The four-namespace topology of the pair. IPv4 only unless an address is
 * IPv6; then IPv6 is on (see {@linkcode IPV6_QUIET}) and the gateways
 * forward it too ({@linkcode pairIsV6}).
 */
export function swanPairTopology(r: SwanPairResolved): TopologySpec {
  const v6 = pairIsV6(r);
  const gw = v6
    ? {
      forwarding: true,
      rpFilter: false,
      sysctls: { ...IPV6_QUIET, "net.ipv6.conf.all.forwarding": 1 },
    }
    : { forwarding: true, ipv6: false, rpFilter: false };
  const host = v6 ? { sysctls: IPV6_QUIET } : { ipv6: false };
  const len = (s: SwanSide) => s.lan.slice(s.lan.indexOf("/"));
  const wan = (s: SwanSide) => `${s.wan}/${s.wan.includes(":") ? 128 : 32}`;
  return {
    namespaces: [
      { name: r.a.gw, ...gw },
      { name: r.b.gw, ...gw },
      { name: r.a.host, ...host },
      { name: r.b.host, ...host },
    ],
    links: [
      { a: [r.a.gw, "wan", wan(r.a)], b: [r.b.gw, "wan", wan(r.b)] },
      { a: [r.a.gw, "lan", r.a.lan], b: [r.a.host, "eth0", `${r.a.hostAddr}${len(r.a)}`] },
      { a: [r.b.gw, "lan", r.b.lan], b: [r.b.host, "eth0", `${r.b.hostAddr}${len(r.b)}`] },
    ],
    routes: [
      { ns: r.a.gw, to: wan(r.b), dev: "wan" },
      { ns: r.b.gw, to: wan(r.a), dev: "wan" },
      { ns: r.a.host, to: "default", via: r.a.lan.slice(0, r.a.lan.indexOf("/")) },
      { ns: r.b.host, to: "default", via: r.b.lan.slice(0, r.b.lan.indexOf("/")) },
    ],
  };
}

/** swanctl.conf of one side (the other side's view mirrors it). */
export function swanSideConfig(r: SwanPairResolved, side: "a" | "b"): SwanctlConfig {
  const [me, peer] = side === "a" ? [r.a, r.b] : [r.b, r.a];
  return {
    connections: [{
      name: r.conn,
      localAddrs: [me.wan],
      remoteAddrs: [peer.wan],
      proposals: [r.profile.ike],
      local: { id: me.id },
      remote: { id: peer.id },
      ...r.connection,
      children: [{
        name: r.child,
        localTs: [me.ts],
        remoteTs: [peer.ts],
        espProposals: [r.profile.esp],
        ...r.childOptions,
      }],
    }],
    secrets: [{ ids: [me.id, peer.id], secret: r.psk }],
  };
}

/** Addresses of an all-IPv6 pair (WAN from 2001:db8::/32, LANs fd01::/64 and fd02::/64). */
export const SWAN_PAIR_V6 = {
  aWan: "2001:db8:225::1",
  bWan: "2001:db8:200::1",
  aLan: "fd01::1/64",
  bLan: "fd02::1/64",
  aHost: "fd01::10",
  bHost: "fd02::10",
} as const satisfies SwanPairParams;

/** A built pair: namespaces by role, the charons that run, the parameters. */
export interface SwanPairLab {
  topology: Topology;
  params: SwanPairResolved;
  /** Full namespace names. */
  gwA: string;
  gwB: string;
  hostA: string;
  hostB: string;
  /** charon on A (only with {@linkcode pairUp}). */
  a?: StrongSwanPeer;
  b: StrongSwanPeer;
}

async function build(lab: NetnsLab, params: SwanPairParams, withA: boolean): Promise<SwanPairLab> {
  const r = resolvePair(params);
  const topology = await buildTopology(lab, swanPairTopology(r));
  if (pairIsV6(r)) {
    for (const s of [r.a, r.b]) await lab.sysctl(topology.ns(s.gw), IPV6_SILENT_TUN);
  }
  const start = async (s: SwanSide, which: "a" | "b") => {
    const peer = await StrongSwanPeer.start(lab, {
      ...r.charon,
      name: `gw${which}`,
      ns: topology.ns(s.gw),
    });
    await peer.load(swanSideConfig(r, which));
    return peer;
  };
  const [a, b] = await Promise.all([withA ? start(r.a, "a") : undefined, start(r.b, "b")]);
  return {
    topology,
    params: r,
    gwA: topology.ns(r.a.gw),
    gwB: topology.ns(r.b.gw),
    hostA: topology.ns(r.a.host),
    hostB: topology.ns(r.b.host),
    ...(a ? { a } : {}),
    b,
  };
}

/** Builds the topology and starts charon on both gateways, config loaded, nothing initiated. */
export async function pairUp(
  lab: NetnsLab,
  params: SwanPairParams = {},
): Promise<SwanPairLab & { a: StrongSwanPeer }> {
  const pair = await build(lab, params, true);
  return { ...pair, a: pair.a! };
}

/**
 * Builds the topology and starts charon only on gateway B; namespace
 * `gwA` is ready for Tandem (addresses, routes, forwarding), which must
 * use `params.a` (WAN, ID, TS), `params.psk` and `params.profile`.
 */
export function peerUp(lab: NetnsLab, params: SwanPairParams = {}): Promise<SwanPairLab> {
  return build(lab, params, false);
}
