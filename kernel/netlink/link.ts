/**
 * Links over rtnetlink (`<linux/if_link.h>`, `<linux/rtnetlink.h>`):
 * list, look up, create veth, dummy/ifb/bridge links, set up/down, rename, MTU,
 * MAC, move to another namespace, delete. Each operation names its `ip`
 * equivalent. TUN devices are made by ioctl, see `kernel/tun.ts`.
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
import { ENODEV, EOPNOTSUPP, isErrno, KernelError } from "../errno.ts";
import { IFF_LOWER_UP, IFF_UP } from "../linux.ts";
import type { Netns } from "../netns.ts";
import { closeQuietly } from "../libc.ts";
import type { NetlinkSocket } from "./socket.ts";
import {
  type Attrs,
  attrStr,
  attrU32,
  attrU8,
  decodeAttrs,
  type Decoded,
  nestedAttrs,
  NLM_F_CREATE,
  NLM_F_EXCL,
  type NlWriter,
} from "./wire.ts";

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_MASTER = 10;
const IFLA_OPERSTATE = 16;
const IFLA_LINKINFO = 18;
const IFLA_NET_NS_PID = 19;
const IFLA_STATS64 = 23;
const IFLA_NET_NS_FD = 28;
const IFLA_LINK_NETNSID = 37;
const IFLA_PARENT_DEV_NAME = 56;
const IFLA_PARENT_DEV_BUS_NAME = 57;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFINFOMSG_LEN = 16;

/** Link kinds {@linkcode LinkOps.add} creates without further parameters. */
export type SimpleKind = "dummy" | "ifb" | "bridge";

/** A link named by its name or its ifindex. */
export type LinkRef = string | number;

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

function ifinfomsg(w: NlWriter, index: number, flags = 0, change = 0): NlWriter {
  return w.u8(0).u8(0).u16(0).i32(index).u32(flags).u32(change);
}

function describe(ref: LinkRef): string {
  return typeof ref === "number" ? `link #${ref}` : `link "${ref}"`;
}

/** Link operations on one netlink socket (one namespace). */
export class LinkOps {
  constructor(readonly nl: NetlinkSocket) {}

  /** Every link: `ip link show`. */
  async list(): Promise<Link[]> {
    const msgs = await this.nl.dump("list links", RTM_GETLINK, (w) => ifinfomsg(w, 0));
    const out: Link[] = [];
    for (const m of msgs) {
      if (m.type !== RTM_NEWLINK) continue;
      const d = decodeLink(m.body);
      if (d.ok) out.push(d.value);
    }
    return out;
  }

  /** One link: `ip link show dev <ref>`. ENODEV when there is none. */
  async get(ref: LinkRef): Promise<Link> {
    const msgs = await this.nl.request(`find ${describe(ref)}`, RTM_GETLINK, 0, (w) => {
      ifinfomsg(w, typeof ref === "number" ? ref : 0);
      if (typeof ref === "string") w.attrStr(IFLA_IFNAME, ref);
    });
    const m = msgs.find((x) => x.type === RTM_NEWLINK);
    if (!m) throw new KernelError(`find ${describe(ref)}`, ENODEV);
    const d = decodeLink(m.body);
    if (!d.ok) throw new Error(`Cannot decode ${describe(ref)}: ${d.reason} at offset ${d.offset}`);
    return d.value;
  }

  /** Like {@linkcode get}, but undefined when the link does not exist. */
  async find(ref: LinkRef): Promise<Link | undefined> {
    try {
      return await this.get(ref);
    } catch (e) {
      if (isErrno(e, ENODEV)) return undefined;
      throw e;
    }
  }

  /** The ifindex of `ref`; a missing link fails as `Cannot <operation>: ENODEV …`. */
  async index(ref: LinkRef, operation: string): Promise<number> {
    if (typeof ref === "number") return ref;
    const link = await this.find(ref);
    if (!link) throw new KernelError(operation, ENODEV);
    return link.index;
  }

  /**
   * Creates a veth pair whose peer is born directly in `peerNs` (default:
   * this namespace): `ip link add <name> type veth peer name <peer> netns <ns>`.
   */
  async addVeth(
    name: string,
    peer: string,
    opts: { peerNs?: Netns; mtu?: number } = {},
  ): Promise<void> {
    const op = `create veth "${name}" (peer "${peer}")`;
    const nsFd = opts.peerNs ? opts.peerNs.openFd() : -1;
    try {
      await this.nl.ack(op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
        ifinfomsg(w, 0).attrStr(IFLA_IFNAME, name);
        if (opts.mtu !== undefined) w.attrU32(IFLA_MTU, opts.mtu);
        const li = w.nestStart(IFLA_LINKINFO);
        w.attrStr(IFLA_INFO_KIND, "veth");
        const data = w.nestStart(IFLA_INFO_DATA);
        const p = w.nestStart(VETH_INFO_PEER);
        ifinfomsg(w, 0).attrStr(IFLA_IFNAME, peer);
        if (opts.mtu !== undefined) w.attrU32(IFLA_MTU, opts.mtu);
        if (nsFd >= 0) w.attrU32(IFLA_NET_NS_FD, nsFd);
        w.nestEnd(p).nestEnd(data).nestEnd(li);
      });
    } finally {
      closeQuietly(nsFd);
    }
  }

  /**
   * Creates a link of a kind that needs no parameters:
   * `ip link add <name> type dummy|ifb|bridge`.
   */
  async add(name: string, kind: SimpleKind, opts: { mtu?: number } = {}): Promise<void> {
    await this.nl.ack(`create ${kind} "${name}"`, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
      ifinfomsg(w, 0).attrStr(IFLA_IFNAME, name);
      if (opts.mtu !== undefined) w.attrU32(IFLA_MTU, opts.mtu);
      const li = w.nestStart(IFLA_LINKINFO);
      w.attrStr(IFLA_INFO_KIND, kind);
      w.nestEnd(li);
    });
  }

  /**
   * Creates a loopback-like link for `interface loopback …` addresses: a
   * dummy where the kernel has it, else an ifb (up, carrier, NOARP, drops
   * what it is asked to send). Our lab kernels lack CONFIG_DUMMY. Returns
   * the kind made.
   */
  async addLoopback(name: string): Promise<"dummy" | "ifb"> {
    try {
      await this.add(name, "dummy");
      return "dummy";
    } catch (e) {
      if (!isErrno(e, EOPNOTSUPP)) throw e;
    }
    await this.add(name, "ifb");
    return "ifb";
  }

  async #set(ref: LinkRef, op: string, body: (w: NlWriter, index: number) => void) {
    const index = await this.index(ref, op);
    await this.nl.ack(op, RTM_NEWLINK, 0, (w) => body(w, index));
  }

  /** `ip link set dev <ref> up`. */
  setUp(ref: LinkRef): Promise<void> {
    return this.#set(ref, `set ${describe(ref)} up`, (w, i) => ifinfomsg(w, i, IFF_UP, IFF_UP));
  }

  /** `ip link set dev <ref> down`. */
  setDown(ref: LinkRef): Promise<void> {
    return this.#set(ref, `set ${describe(ref)} down`, (w, i) => ifinfomsg(w, i, 0, IFF_UP));
  }

  /** `ip link set dev <ref> name <name>` (the link must be down). */
  rename(ref: LinkRef, name: string): Promise<void> {
    return this.#set(ref, `rename ${describe(ref)} to "${name}"`, (w, i) => {
      ifinfomsg(w, i).attrStr(IFLA_IFNAME, name);
    });
  }

  /** `ip link set dev <ref> mtu <mtu>`. */
  setMtu(ref: LinkRef, mtu: number): Promise<void> {
    return this.#set(ref, `set MTU ${mtu} on ${describe(ref)}`, (w, i) => {
      ifinfomsg(w, i).attrU32(IFLA_MTU, mtu);
    });
  }

  /** `ip link set dev <ref> address <mac>`. */
  setMac(ref: LinkRef, mac: string): Promise<void> {
    const bytes = parseMac(mac);
    return this.#set(ref, `set MAC ${mac} on ${describe(ref)}`, (w, i) => {
      ifinfomsg(w, i).attr(IFLA_ADDRESS, bytes);
    });
  }

  /**
   * Moves a link into another namespace, given as a {@linkcode Netns} or a
   * process id: `ip link set dev <ref> netns <name|pid>`. Addresses on it
   * are lost; it arrives down.
   */
  async moveTo(ref: LinkRef, target: Netns | { pid: number }): Promise<void> {
    const where = "pid" in target ? `process ${target.pid}` : `namespace ${target.label}`;
    const op = `move ${describe(ref)} to ${where}`;
    const index = await this.index(ref, op);
    const fd = "pid" in target ? -1 : target.openFd();
    try {
      await this.nl.ack(op, RTM_NEWLINK, 0, (w) => {
        ifinfomsg(w, index);
        if ("pid" in target) w.attrU32(IFLA_NET_NS_PID, target.pid);
        else w.attrU32(IFLA_NET_NS_FD, fd);
      });
    } finally {
      closeQuietly(fd);
    }
  }

  /** `ip link del dev <ref>` (a veth takes its peer along). */
  async delete(ref: LinkRef): Promise<void> {
    const op = `delete ${describe(ref)}`;
    const index = await this.index(ref, op);
    await this.nl.ack(op, RTM_DELLINK, 0, (w) => ifinfomsg(w, index));
  }
}
