/**
 * Two Tandem dataplanes with static keys in network namespaces, no IKE:
 * each gateway namespace gets a real {@linkcode VrfIo} (policy TUN, UDP
 * 4500 and raw protocol-50 sockets, the I/O loop) run by the test process,
 * the same SA keys on both sides, protect policies and routes, so real
 * packets (ping, iperf3) cross a real tunnel.
 *
 * ```
 * direct:  la 10.101.0.10 -- a (lan .1 | wan 10.225.0.1) ===== b (wan 10.200.0.1 | lan .1) -- lb 10.102.0.10
 * relay:   la -- a (wan 10.225.0.1) == m (10.225.0.2 | 10.200.0.2, EspRelay) == b (wan 10.200.0.1) -- lb
 * ```
 *
 * With the relay, each side's SAs point at the relay's address facing it,
 * and the relay (`esp_relay.ts`) carries every ESP packet across, so a
 * test can replay, reorder and corrupt real packets. Tunnel mode routes the
 * remote LAN into `ipsec0` with a source inside the local LAN; transport
 * mode steers ICMP and TCP to the peer's address into `ipsec0` with
 * `ip rule … ipproto` (ESP itself, UDP 4500 or protocol 50, stays outside).
 *
 * @module
 */
import { systemClock } from "../core/clock.ts";
import { parseIp } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { systemRng } from "../core/rng.ts";
import { encryptionByName, integrityByName } from "../crypto/registry.ts";
import { Dataplane } from "../esp/dataplane.ts";
import type { SaParams, SecurityAssociation } from "../esp/sa.ts";
import { VrfIo } from "../gateway/vrf_io.ts";
import { Netns } from "../kernel/netns.ts";
import { buildTopology, type TopologySpec } from "../lab/topology.ts";
import type { NetnsLab } from "../lab/netns_lab.ts";
import { EspRelay } from "./esp_relay.ts";
import { testKey } from "./esp_fixtures.ts";

export interface StaticOptions {
  readonly mode: "tunnel" | "transport";
  readonly via: "udp" | "raw";
  readonly esn: boolean;
  /** Encryption and integrity names (openssl provider); integrity omitted for an AEAD. */
  readonly enc: string;
  readonly integ?: string;
  /** Put the ESP relay between the gateways (tunnel mode only). */
  readonly relay?: boolean;
  /** Inbound replay window of both sides; default 64. */
  readonly replayWindow?: number;
}

/** One gateway: its namespace, dataplane, I/O and SAs. */
export interface StaticSide {
  readonly name: "a" | "b";
  readonly ns: string;
  readonly wan: string;
  /** The address the other side's traffic is aimed at (LAN host, or the WAN in transport mode). */
  readonly target: string;
  /** Where test traffic starts (LAN host namespace, or the gateway itself in transport mode). */
  readonly trafficNs: string;
  readonly dp: Dataplane;
  readonly io: VrfIo;
  readonly out: SecurityAssociation;
  readonly in: SecurityAssociation;
  readonly logs: LogHub;
}

export interface StaticPair {
  readonly lab: NetnsLab;
  readonly a: StaticSide;
  readonly b: StaticSide;
  readonly relay: EspRelay | undefined;
}

const WAN_A = "10.225.0.1";
const WAN_B = "10.200.0.1";
const RELAY_A = "10.225.0.2";
const RELAY_B = "10.200.0.2";
const LAN_A = "10.101.0.0/24";
const LAN_B = "10.102.0.0/24";

function topology(relay: boolean): TopologySpec {
  const gw = { forwarding: true, ipv6: false, rpFilter: false };
  const links: TopologySpec["links"] = [
    { a: ["a", "lan", "10.101.0.1/24"], b: ["la", "eth0", "10.101.0.10/24"] },
    { a: ["b", "lan", "10.102.0.1/24"], b: ["lb", "eth0", "10.102.0.10/24"] },
  ];
  const routes: TopologySpec["routes"] = [
    { ns: "la", to: "default", via: "10.101.0.1" },
    { ns: "lb", to: "default", via: "10.102.0.1" },
  ];
  if (relay) {
    links.push(
      { a: ["a", "wan", `${WAN_A}/32`], b: ["m", "mwa", `${RELAY_A}/32`] },
      { a: ["b", "wan", `${WAN_B}/32`], b: ["m", "mwb", `${RELAY_B}/32`] },
    );
    routes.push(
      { ns: "a", to: `${RELAY_A}/32`, dev: "wan" },
      { ns: "m", to: `${WAN_A}/32`, dev: "mwa" },
      { ns: "b", to: `${RELAY_B}/32`, dev: "wan" },
      { ns: "m", to: `${WAN_B}/32`, dev: "mwb" },
    );
  } else {
    links.push({ a: ["a", "wan", `${WAN_A}/32`], b: ["b", "wan", `${WAN_B}/32`] });
    routes.push(
      { ns: "a", to: `${WAN_B}/32`, dev: "wan" },
      { ns: "b", to: `${WAN_A}/32`, dev: "wan" },
    );
  }
  return {
    namespaces: [
      { name: "a", ...gw },
      { name: "b", ...gw },
      { name: "la", ipv6: false },
      { name: "lb", ipv6: false },
      ...(relay ? [{ name: "m", ipv6: false, forwarding: false }] : []),
    ],
    links,
    routes,
  };
}

/** A dataplane and the running I/O of a gateway in namespace `ns` (closed with `lab`). */
async function openGateway(
  lab: NetnsLab,
  name: string,
  ns: string,
  wan: string,
  policyTun: string | null,
): Promise<{ logs: LogHub; dp: Dataplane; io: VrfIo }> {
  const logs = new LogHub({ level: "control", ringSize: 200 });
  const dp = new Dataplane({
    vrf: name,
    clock: systemClock,
    rng: systemRng,
    log: logs.logger("esp"),
  });
  const io = VrfIo.open({
    vrf: name,
    ns: Netns.named(ns),
    dataplane: dp,
    log: logs.logger("esp"),
    knl: logs.logger("knl"),
    addresses: [parseIp(wan)],
    policyTun,
  });
  lab.onDispose(() => io.close());
  await io.start();
  return { logs, dp, io };
}

/** SA keys and parameters of the SA with `spi` (the same on both ends). */
function saParams(o: StaticOptions, spi: number): Omit<SaParams, "direction" | "local" | "remote"> {
  const encryption = encryptionByName(o.enc, { provider: "openssl" });
  if (!encryption) throw new Error(`Unknown encryption ${o.enc}`);
  const integrity = o.integ ? integrityByName(o.integ, { provider: "openssl" }) : undefined;
  return {
    spi,
    mode: o.mode,
    encap: o.via === "udp" ? { kind: "udp", localPort: 4500, remotePort: 4500 } : { kind: "raw" },
    encryption,
    encryptionKey: testKey(encryption.keyLength, spi & 0xff),
    ...(integrity
      ? { integrity, integrityKey: testKey(integrity.keyLength, (spi & 0xff) + 50) }
      : {}),
    esn: o.esn,
  };
}

/** Builds the namespaces, both gateways and (optionally) the relay; everything is torn down with `lab`. */
export async function staticPair(lab: NetnsLab, o: StaticOptions): Promise<StaticPair> {
  const relayed = o.relay ?? false;
  if (relayed && o.mode !== "tunnel") throw new Error("The ESP relay needs tunnel mode");
  const topo = await buildTopology(lab, topology(relayed));
  const transport = o.mode === "transport";
  const side = async (
    name: "a" | "b",
    wan: string,
    peer: string,
    lan: string,
    peerLan: string,
    peerWan: string,
    spiOut: number,
    spiIn: number,
  ): Promise<StaticSide> => {
    const ns = topo.ns(name);
    const { logs, dp, io } = await openGateway(lab, name, ns, wan, "ipsec0");
    const mine = transport ? `${wan}/32` : lan;
    const theirs = transport ? `${peerWan}/32` : peerLan;
    const local = parseIp(wan), remote = parseIp(peer);
    const out = dp.installSa({
      ...saParams(o, spiOut),
      direction: "out",
      local,
      remote,
      reqid: 1,
      selectors: [{ src: mine, dst: theirs }],
    });
    const inSa = dp.installSa({
      ...saParams(o, spiIn),
      direction: "in",
      local,
      remote,
      replayWindow: o.replayWindow ?? 64,
      selectors: [{ src: theirs, dst: mine }],
    });
    dp.addPolicy({ selector: { src: mine, dst: theirs }, action: { kind: "protect", reqid: 1 } });
    await io.updateMtus(dp.sas());
    if (transport) {
      for (const proto of ["icmp", "tcp"]) {
        await lab.exec(ns, ["ip", "rule", "add", "to", peerWan, "ipproto", proto, "lookup", "100"]);
      }
      await lab.route(ns, { to: "default", dev: "ipsec0", src: wan, table: 100 });
    } else {
      await lab.route(ns, { to: peerLan, dev: "ipsec0", src: lan.replace(/0\/24$/, "1") });
    }
    const host = name === "a" ? "10.101.0.10" : "10.102.0.10";
    return {
      name,
      ns,
      wan,
      target: transport ? wan : host,
      trafficNs: transport ? ns : topo.ns(name === "a" ? "la" : "lb"),
      dp,
      io,
      out,
      in: inSa,
      logs,
    };
  };
  const a = await side(
    "a",
    WAN_A,
    relayed ? RELAY_A : WAN_B,
    LAN_A,
    LAN_B,
    WAN_B,
    0xa001,
    0xb001,
  );
  const b = await side(
    "b",
    WAN_B,
    relayed ? RELAY_B : WAN_A,
    LAN_B,
    LAN_A,
    WAN_A,
    0xb001,
    0xa001,
  );
  let relay: EspRelay | undefined;
  if (relayed) {
    relay = EspRelay.open({
      ns: Netns.named(topo.ns("m")),
      via: o.via,
      a: { local: parseIp(RELAY_A), peer: parseIp(WAN_A) },
      b: { local: parseIp(RELAY_B), peer: parseIp(WAN_B) },
    });
    lab.onDispose(() => relay!.close());
    relay.start();
  }
  return { lab, a, b, relay };
}

/** Both ends of a cross-VRF SVTI pair: the SVTI side of each gateway. */
export interface SvtiPair {
  readonly a: StaticSide & { readonly svtiNs: string };
  readonly b: StaticSide & { readonly svtiNs: string };
}

/**
 * The reference's protected HA channel (a cross-VRF SVTI): ESP between the
 * WAN addresses in namespaces `a`/`b` (the link VRF), the SVTI TUNs with
 * id 888 in namespaces `av`/`bv` (the VRF the interface lives in), holding
 * 10.160.0.1/24 and 10.160.0.2/24; SAs bound to the SVTI id with selectors
 * 0.0.0.0/0 on both sides.
 */
export async function svtiPair(lab: NetnsLab, o: StaticOptions): Promise<SvtiPair> {
  const topo = await buildTopology(lab, {
    namespaces: [
      { name: "a", ipv6: false, rpFilter: false },
      { name: "b", ipv6: false, rpFilter: false },
      { name: "av", ipv6: false, rpFilter: false },
      { name: "bv", ipv6: false, rpFilter: false },
    ],
    links: [{ a: ["a", "wan", `${WAN_A}/32`], b: ["b", "wan", `${WAN_B}/32`] }],
    routes: [
      { ns: "a", to: `${WAN_B}/32`, dev: "wan" },
      { ns: "b", to: `${WAN_A}/32`, dev: "wan" },
    ],
  });
  const ID = 888;
  const side = async (
    name: "a" | "b",
    wan: string,
    peer: string,
    inner: string,
    spiOut: number,
    spiIn: number,
  ) => {
    const ns = topo.ns(name);
    const svtiNs = topo.ns(`${name}v`);
    const { logs, dp, io } = await openGateway(lab, name, ns, wan, null);
    await io.addSvti(ID, "svti-hasync", Netns.named(svtiNs));
    const any = { src: "0.0.0.0/0", dst: "0.0.0.0/0" };
    const local = parseIp(wan), remote = parseIp(peer);
    const out = dp.installSa({
      ...saParams(o, spiOut),
      direction: "out",
      local,
      remote,
      ifaceId: ID,
      selectors: [any],
    });
    const inSa = dp.installSa({
      ...saParams(o, spiIn),
      direction: "in",
      local,
      remote,
      ifaceId: ID,
      selectors: [any],
    });
    await io.updateMtus(dp.sas());
    await lab.addr(svtiNs, "svti-hasync", inner);
    return {
      name,
      ns,
      svtiNs,
      wan,
      target: inner.replace(/\/24$/, ""),
      trafficNs: svtiNs,
      dp,
      io,
      out,
      in: inSa,
      logs,
    };
  };
  const a = await side("a", WAN_A, WAN_B, "10.160.0.1/24", 0xa888, 0xb888);
  const b = await side("b", WAN_B, WAN_A, "10.160.0.2/24", 0xb888, 0xa888);
  return { a, b };
}
