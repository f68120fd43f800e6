/**
 * Link operations over rtnetlink: list, look up, create veth,
 * dummy/ifb/bridge and macvlan links, set up/down, rename, MTU, MAC, IPv6
 * address generation mode, move to another namespace, delete. Each
 * operation names its `ip` equivalent. TUN devices are made by ioctl, see
 * `kernel/tun.ts`; the link record and its decoder are in `link_info.ts`.
 *
 * @module
 */
import { ENODEV, EOPNOTSUPP, isErrno, KernelError } from "../errno.ts";
import { AF_INET6, IFF_UP } from "../linux.ts";
import { closeQuietly } from "../libc.ts";
import type { Netns } from "../netns.ts";
import {
  decodeLink,
  IFLA_ADDRESS,
  IFLA_IFNAME,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_MACVLAN_MODE,
  IFLA_MTU,
  IFLA_NET_NS_FD,
  IFLA_NET_NS_PID,
  type Link,
  MACVLAN_MODES,
  type MacvlanMode,
  parseMac,
  RTM_DELLINK,
  RTM_GETLINK,
  RTM_NEWLINK,
  VETH_INFO_PEER,
} from "./link_info.ts";
import type { NetlinkSocket } from "./socket.ts";
import { NLM_F_CREATE, NLM_F_EXCL, type NlWriter } from "./wire.ts";

export type { MacvlanMode } from "./link_info.ts";

/** IPv6 link-local address generation (`ip link set … addrgenmode <m>`). */
export type AddrGenMode = "eui64" | "none" | "stable_secret" | "random";
const ADDR_GEN_MODES: Record<AddrGenMode, number> = {
  eui64: 0,
  none: 1,
  stable_secret: 2,
  random: 3,
};
const IFLA_AF_SPEC = 26;
const IFLA_INET6_ADDR_GEN_MODE = 8;

/** Link kinds {@linkcode LinkOps.add} creates without further parameters. */
export type SimpleKind = "dummy" | "ifb" | "bridge";

/** A link named by its name or its ifindex. */
export type LinkRef = string | number;

function ifinfomsg(w: NlWriter, index: number, flags = 0, change = 0): NlWriter {
  return w.u8(0).u8(0).u16(0).i32(index).u32(flags).u32(change);
}

function addrGenModeAttr(w: NlWriter, mode: AddrGenMode): void {
  const spec = w.nestStart(IFLA_AF_SPEC);
  const inet6 = w.nestStart(AF_INET6);
  w.attrU8(IFLA_INET6_ADDR_GEN_MODE, ADDR_GEN_MODES[mode]);
  w.nestEnd(inet6).nestEnd(spec);
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

  /**
   * Creates a macvlan on top of `lower`:
   * `ip link add <name> link <lower> [address <mac>] type macvlan mode <mode>
   * [addrgenmode <m>]` (VRRP's virtual-MAC link).
   */
  async addMacvlan(
    name: string,
    lower: LinkRef,
    opts: { mode?: MacvlanMode; mac?: string; addrGenMode?: AddrGenMode; mtu?: number } = {},
  ): Promise<void> {
    const op = `create macvlan "${name}" on ${describe(lower)}`;
    const lowerIndex = await this.index(lower, op);
    const mac = opts.mac === undefined ? undefined : parseMac(opts.mac);
    await this.nl.ack(op, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => {
      ifinfomsg(w, 0).attrStr(IFLA_IFNAME, name).attrU32(IFLA_LINK, lowerIndex);
      if (mac) w.attr(IFLA_ADDRESS, mac);
      if (opts.mtu !== undefined) w.attrU32(IFLA_MTU, opts.mtu);
      const li = w.nestStart(IFLA_LINKINFO);
      w.attrStr(IFLA_INFO_KIND, "macvlan");
      const data = w.nestStart(IFLA_INFO_DATA);
      w.attrU32(IFLA_MACVLAN_MODE, MACVLAN_MODES[opts.mode ?? "private"]);
      w.nestEnd(data).nestEnd(li);
    });
    // The kernel takes IFLA_AF_SPEC only once the link exists (EAFNOSUPPORT at creation);
    // the link is still down, so no link-local address was made yet.
    if (opts.addrGenMode !== undefined) await this.setAddrGenMode(name, opts.addrGenMode);
  }

  async #set(ref: LinkRef, op: string, body: (w: NlWriter, index: number) => void) {
    const index = await this.index(ref, op);
    await this.nl.ack(op, RTM_NEWLINK, 0, (w) => body(w, index));
  }

  /** `ip link set dev <ref> up`. */
  setUp(ref: LinkRef): Promise<void> {
    return this.#set(ref, `set ${describe(ref)} up`, (w, i) => ifinfomsg(w, i, IFF_UP, IFF_UP));
  }

  /**
   * `ip link set dev #<index> up`, made before this returns and without
   * waiting for an answer (see `NetlinkSocket.sendOnly`); false when the
   * request could not be sent. Confirm with {@linkcode setUp}.
   */
  setUpNow(index: number): boolean {
    return this.nl.sendOnly(RTM_NEWLINK, 0, (w) => ifinfomsg(w, index, IFF_UP, IFF_UP));
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

  /** `ip link set dev <ref> addrgenmode <mode>` (`none`: no automatic IPv6 link-local). */
  setAddrGenMode(ref: LinkRef, mode: AddrGenMode): Promise<void> {
    return this.#set(ref, `set addrgenmode ${mode} on ${describe(ref)}`, (w, i) => {
      ifinfomsg(w, i);
      addrGenModeAttr(w, mode);
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
