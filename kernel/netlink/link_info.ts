/**
 * What rtnetlink says about a link (`<linux/if_link.h>`): the
 * {@linkcode Link} record, its counters, and the decoder of RTM_NEWLINK /
 * RTM_DELLINK bodies, plus MAC address text helpers.
 *
 * ```
 *  ifinfomsg (16 bytes)
 * +---------------+---------------+-------------------------------+
 * | ifi_family u8 |    pad u8     |         ifi_type u16          |
 * +---------------+---------------+-------------------------------+
 * |                        ifi_index (i32)                        |
 * +---------------------------------------------------------------+
 * |                        ifi_flags (u32)                        |
 * +---------------------------------------------------------------+
 * |                        ifi_change (u32)                       |
 * +---------------------------------------------------------------+
 * ```
 *
 * @module
 */
import { IFF_LOWER_UP, IFF_UP } from "../linux.ts";
import {
  type Attrs,
  attrStr,
  attrU32,
  attrU8,
  decodeAttrs,
  type Decoded,
  nestedAttrs,
} from "./wire.ts";

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_PID = 19;
export const IFLA_STATS64 = 23;
export const IFLA_NET_NS_FD = 28;
export const IFLA_LINK_NETNSID = 37;
export const IFLA_PARENT_DEV_NAME = 56;
export const IFLA_PARENT_DEV_BUS_NAME = 57;
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_MACVLAN_MODE = 1;
export const VETH_INFO_PEER = 1;
export const IFINFOMSG_LEN = 16;

/** macvlan modes (`ip link add … type macvlan mode <m>`). */
export type MacvlanMode = "private" | "vepa" | "bridge" | "passthru";
export const MACVLAN_MODES: Readonly<Record<MacvlanMode, number>> = {
  private: 1,
  vepa: 2,
  bridge: 4,
  passthru: 8,
};

/** RFC 2863 operational states, as `ip link` prints them. */
export type OperState =
  | "UNKNOWN"
  | "NOTPRESENT"
  | "DOWN"
  | "LOWERLAYERDOWN"
  | "TESTING"
  | "DORMANT"
  | "UP";
const OPER_STATES: readonly OperState[] = [
  "UNKNOWN",
  "NOTPRESENT",
  "DOWN",
  "LOWERLAYERDOWN",
  "TESTING",
  "DORMANT",
  "UP",
];

/** Interface counters (`ip -s link`, `struct rtnl_link_stats64`). */
export interface LinkStats {
  readonly rxPackets: number;
  readonly txPackets: number;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly rxErrors: number;
  readonly txErrors: number;
  readonly rxDropped: number;
  readonly txDropped: number;
  readonly multicast: number;
}

/** One link as the kernel reports it. */
export interface Link {
  readonly index: number;
  readonly name: string;
  /** IFF_* flags. */
  readonly flags: number;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** Carrier present (IFF_LOWER_UP). */
  readonly lowerUp: boolean;
  readonly operState: OperState;
  readonly mtu: number;
  /** ARPHRD_* hardware type (1 = Ethernet, 65534 = none, e.g. TUN). */
  readonly hwType: number;
  /** `aa:bb:cc:dd:ee:ff`, when the link has a hardware address. */
  readonly mac?: string;
  /** `veth`, `dummy`, `tun`, … (absent for physical NICs and lo). */
  readonly kind?: string;
  /** For a macvlan, its mode (IFLA_MACVLAN_MODE in IFLA_INFO_DATA). */
  readonly macvlanMode?: MacvlanMode;
  readonly master?: number;
  /** IFLA_LINK: the peer's ifindex for veth. */
  readonly parentIndex?: number;
  /** The peer's namespace id when it lives elsewhere (IFLA_LINK_NETNSID). */
  readonly linkNetnsId?: number;
  /** The device behind the link, e.g. `0000:00:03.0` (IFLA_PARENT_DEV_NAME). */
  readonly parentDevice?: string;
  /** The bus of that device, e.g. `pci`, `virtio`. */
  readonly parentBus?: string;
  readonly stats?: LinkStats;
}

/** `aa:bb:…` text of a hardware address. */
export function formatMac(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** Parses `aa:bb:cc:dd:ee:ff` into 6 bytes. */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new Error(`Cannot parse MAC address "${text}": expected six hex pairs`);
  }
  return new Uint8Array(parts.map((p) => parseInt(p, 16)));
}

function decodeStats(v: Uint8Array | undefined): LinkStats | undefined {
  if (!v || v.length < 72) return undefined;
  const dv = new DataView(v.buffer, v.byteOffset, v.length);
  const u = (i: number) => Number(dv.getBigUint64(i * 8, true));
  return {
    rxPackets: u(0),
    txPackets: u(1),
    rxBytes: u(2),
    txBytes: u(3),
    rxErrors: u(4),
    txErrors: u(5),
    rxDropped: u(6),
    txDropped: u(7),
    multicast: u(8),
  };
}

/** Decodes the body of an RTM_NEWLINK/RTM_DELLINK message. */
export function decodeLink(body: Uint8Array): Decoded<Link> {
  if (body.length < IFINFOMSG_LEN) {
    return { ok: false, offset: 0, reason: `ifinfomsg needs ${IFINFOMSG_LEN} bytes` };
  }
  const dv = new DataView(body.buffer, body.byteOffset, body.length);
  const ar = decodeAttrs(body, IFINFOMSG_LEN);
  if (!ar.ok) return ar;
  const a: Attrs = ar.value;
  const flags = dv.getUint32(8, true);
  const info = nestedAttrs(a.get(IFLA_LINKINFO));
  const mac = a.get(IFLA_ADDRESS);
  const link: { -readonly [K in keyof Link]: Link[K] } = {
    index: dv.getInt32(4, true),
    name: attrStr(a, IFLA_IFNAME) ?? "",
    flags,
    up: (flags & IFF_UP) !== 0,
    lowerUp: (flags & IFF_LOWER_UP) !== 0,
    operState: OPER_STATES[attrU8(a, IFLA_OPERSTATE) ?? 0] ?? "UNKNOWN",
    mtu: attrU32(a, IFLA_MTU) ?? 0,
    hwType: dv.getUint16(2, true),
  };
  if (mac && mac.length > 0) link.mac = formatMac(mac);
  const kind = attrStr(info, IFLA_INFO_KIND);
  if (kind) link.kind = kind;
  if (kind === "macvlan") {
    const m = attrU32(nestedAttrs(info.get(IFLA_INFO_DATA)), IFLA_MACVLAN_MODE);
    const mode = (Object.keys(MACVLAN_MODES) as MacvlanMode[]).find((k) => MACVLAN_MODES[k] === m);
    if (mode) link.macvlanMode = mode;
  }
  const master = attrU32(a, IFLA_MASTER);
  if (master !== undefined) link.master = master;
  const parent = attrU32(a, IFLA_LINK);
  if (parent !== undefined) link.parentIndex = parent;
  const nsid = attrU32(a, IFLA_LINK_NETNSID);
  if (nsid !== undefined) link.linkNetnsId = nsid | 0;
  const pdev = attrStr(a, IFLA_PARENT_DEV_NAME);
  if (pdev) link.parentDevice = pdev;
  const pbus = attrStr(a, IFLA_PARENT_DEV_BUS_NAME);
  if (pbus) link.parentBus = pbus;
  const stats = decodeStats(a.get(IFLA_STATS64));
  if (stats) link.stats = stats;
  return { ok: true, value: link };
}
