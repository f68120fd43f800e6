/**
 * IPv4 and IPv6 interface addresses over rtnetlink
 * (`<linux/if_addr.h>`): list, add, replace, delete.
 *
 * ```
 *  ifaddrmsg (8 bytes)
 * +---------------+---------------+---------------+---------------+
 * | ifa_family u8 | prefixlen u8  |  ifa_flags u8 |  ifa_scope u8 |
 * +---------------+---------------+---------------+---------------+
 * |                        ifa_index (u32)                        |
 * +---------------------------------------------------------------+
 * ```
 *
 * @module
 */
import {
  formatPrefix,
  type InterfaceAddress,
  type IpAddress,
  ipFromBytes,
  lastAddress,
  networkOf,
  parseInterfaceAddress,
} from "../../core/ip.ts";
import { AF_INET, AF_INET6, AF_UNSPEC } from "../linux.ts";
import type { LinkOps, LinkRef } from "./link.ts";
import type { NetlinkSocket } from "./socket.ts";
import {
  attrStr,
  attrU32,
  decodeAttrs,
  type Decoded,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  type NlWriter,
} from "./wire.ts";

export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;

const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
const IFA_FLAGS = 8;
const IFADDRMSG_LEN = 8;

export const IFA_F_SECONDARY = 0x01;
export const IFA_F_NODAD = 0x02;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const IFA_F_NOPREFIXROUTE = 0x200;

/** One address on one link. */
export interface Address {
  /** ifindex of the link. */
  readonly index: number;
  /** The local address and prefix length (`10.0.0.1/24`). */
  readonly address: InterfaceAddress;
  /** The remote end of a point-to-point address, when it differs. */
  readonly peer?: IpAddress;
  readonly label?: string;
  /** IFA_F_* flags (tentative, dadfailed, permanent, …). */
  readonly flags: number;
  /** 0 global, 253 link, 254 host. */
  readonly scope: number;
}

/** Options of {@linkcode AddrOps.add}. */
export interface AddAddressOptions {
  /** Skip duplicate address detection (IPv6): `ip addr add … nodad`. */
  noDad?: boolean;
  /** Do not install the prefix route: `noprefixroute`. */
  noPrefixRoute?: boolean;
  /** IPv4 label (`eth1:vip`). */
  label?: string;
  /** Set the IPv4 broadcast to the last address of the prefix: `brd +`. */
  broadcast?: boolean;
  /** Scope: 0 global (default), 253 link, 254 host. */
  scope?: number;
}

/** Decodes the body of an RTM_NEWADDR/RTM_DELADDR message. */
export function decodeAddress(body: Uint8Array): Decoded<Address> {
  if (body.length < IFADDRMSG_LEN) {
    return { ok: false, offset: 0, reason: `ifaddrmsg needs ${IFADDRMSG_LEN} bytes` };
  }
  const dv = new DataView(body.buffer, body.byteOffset, body.length);
  const ar = decodeAttrs(body, IFADDRMSG_LEN);
  if (!ar.ok) return ar;
  const a = ar.value;
  const local = a.get(IFA_LOCAL) ?? a.get(IFA_ADDRESS);
  if (!local || (local.length !== 4 && local.length !== 16)) {
    return {
      ok: false,
      offset: IFADDRMSG_LEN,
      reason: "no IFA_LOCAL/IFA_ADDRESS of 4 or 16 bytes",
    };
  }
  const out: { -readonly [K in keyof Address]: Address[K] } = {
    index: dv.getUint32(4, true),
    address: { address: ipFromBytes(local), length: body[1]! },
    flags: attrU32(a, IFA_FLAGS) ?? body[2]!,
    scope: body[3]!,
  };
  const peer = a.get(IFA_ADDRESS);
  if (a.has(IFA_LOCAL) && peer && (peer.length === 4 || peer.length === 16)) {
    if (peer.some((x, i) => x !== local[i])) out.peer = ipFromBytes(peer);
  }
  const label = attrStr(a, IFA_LABEL);
  if (label) out.label = label;
  return { ok: true, value: out };
}

function toAddr(a: InterfaceAddress | string): InterfaceAddress {
  return typeof a === "string" ? parseInterfaceAddress(a) : a;
}

function ifaddrmsg(w: NlWriter, a: InterfaceAddress, index: number, flags: number, scope: number) {
  w.u8(a.address.family === 4 ? AF_INET : AF_INET6).u8(a.length).u8(flags & 0xff).u8(scope)
    .u32(index);
}

function newAddrBody(w: NlWriter, a: InterfaceAddress, index: number, opts: AddAddressOptions) {
  let flags = 0;
  if (opts.noDad) flags |= IFA_F_NODAD;
  if (opts.noPrefixRoute) flags |= IFA_F_NOPREFIXROUTE;
  ifaddrmsg(w, a, index, flags, opts.scope ?? 0);
  w.attr(IFA_LOCAL, a.address.bytes).attr(IFA_ADDRESS, a.address.bytes);
  if (flags > 0xff) w.attrU32(IFA_FLAGS, flags);
  if (opts.label !== undefined) w.attrStr(IFA_LABEL, opts.label);
  if (opts.broadcast && a.address.family === 4 && a.length < 31) {
    w.attr(IFA_BROADCAST, lastAddress(networkOf(a)).bytes);
  }
}

/** Address operations on one netlink socket (one namespace). */
export class AddrOps {
  constructor(readonly nl: NetlinkSocket, readonly links: LinkOps) {}

  /** Every address, optionally of one family or link: `ip addr show [dev <ref>]`. */
  async list(filter: { family?: 4 | 6; link?: LinkRef } = {}): Promise<Address[]> {
    const index = filter.link === undefined
      ? undefined
      : await this.links.index(filter.link, `list addresses of link "${filter.link}"`);
    const fam = filter.family === 4 ? AF_INET : filter.family === 6 ? AF_INET6 : AF_UNSPEC;
    const msgs = await this.nl.dump("list addresses", RTM_GETADDR, (w) => {
      w.u8(fam).u8(0).u8(0).u8(0).u32(0);
    });
    const out: Address[] = [];
    for (const m of msgs) {
      if (m.type !== RTM_NEWADDR) continue;
      const d = decodeAddress(m.body);
      if (d.ok && (index === undefined || d.value.index === index)) out.push(d.value);
    }
    return out;
  }

  async #change(
    verb: "add" | "replace",
    ref: LinkRef,
    addr: InterfaceAddress | string,
    opts: AddAddressOptions,
  ): Promise<void> {
    const a = toAddr(addr);
    const op = `${verb} address ${formatPrefix(a)} on link ${
      typeof ref === "number" ? `#${ref}` : `"${ref}"`
    }`;
    const index = await this.links.index(ref, op);
    const nlFlags = NLM_F_CREATE | (verb === "add" ? NLM_F_EXCL : NLM_F_REPLACE);
    await this.nl.ack(op, RTM_NEWADDR, nlFlags, (w) => newAddrBody(w, a, index, opts));
  }

  /**
   * `ip addr replace <addr/len> dev #<index>`, made before this returns and
   * without waiting for an answer (see `NetlinkSocket.sendOnly`); false
   * when the request could not be sent. Confirm with {@linkcode replace}.
   */
  replaceNow(index: number, addr: InterfaceAddress, opts: AddAddressOptions = {}): boolean {
    return this.nl.sendOnly(
      RTM_NEWADDR,
      NLM_F_CREATE | NLM_F_REPLACE,
      (w) => newAddrBody(w, addr, index, opts),
    );
  }

  /** `ip addr add <addr/len> dev <ref>`; EEXIST when the link already has it. */
  add(ref: LinkRef, addr: InterfaceAddress | string, opts: AddAddressOptions = {}): Promise<void> {
    return this.#change("add", ref, addr, opts);
  }

  /** `ip addr replace <addr/len> dev <ref>`: add, or update flags/prefix of an existing one. */
  replace(
    ref: LinkRef,
    addr: InterfaceAddress | string,
    opts: AddAddressOptions = {},
  ): Promise<void> {
    return this.#change("replace", ref, addr, opts);
  }

  /** `ip addr del <addr/len> dev <ref>`; EADDRNOTAVAIL when it is not there. */
  async del(ref: LinkRef, addr: InterfaceAddress | string): Promise<void> {
    const a = toAddr(addr);
    const op = `delete address ${formatPrefix(a)} from link ${
      typeof ref === "number" ? `#${ref}` : `"${ref}"`
    }`;
    const index = await this.links.index(ref, op);
    await this.nl.ack(op, RTM_DELADDR, 0, (w) => {
      ifaddrmsg(w, a, index, 0, 0);
      w.attr(IFA_LOCAL, a.address.bytes);
      if (a.address.family === 6) w.attr(IFA_ADDRESS, a.address.bytes);
    });
  }
}
