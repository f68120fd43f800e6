/**
 * IPv4 and IPv6 routes over rtnetlink (`<linux/rtnetlink.h>`): list,
 * add, replace, delete and look up, in any table, via a gateway and/or a
 * device, with a preferred source.
 *
 * ```
 *  rtmsg (12 bytes)
 * +---------------+---------------+---------------+---------------+
 * | rtm_family u8 | rtm_dst_len   | rtm_src_len   |   rtm_tos     |
 * +---------------+---------------+---------------+---------------+
 * | rtm_table u8  | rtm_protocol  |  rtm_scope    |  rtm_type     |
 * +---------------+---------------+---------------+---------------+
 * |                        rtm_flags (u32)                        |
 * +---------------------------------------------------------------+
 * ```
 *
 * @module
 */
import {
  formatIp,
  formatPrefix,
  type IpAddress,
  ipFromBytes,
  type IpPrefix,
  parsePrefix,
} from "../../core/ip.ts";
import { AF_INET, AF_INET6, AF_UNSPEC } from "../linux.ts";
import type { LinkOps, LinkRef } from "./link.ts";
import type { NetlinkSocket } from "./socket.ts";
import {
  attrU32,
  decodeAttrs,
  type Decoded,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  type NlWriter,
} from "./wire.ts";

export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;

const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const RTMSG_LEN = 12;

export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
const RT_SCOPE_NOWHERE = 255;

/** Route types (`RTN_*`), as `ip route` names them. */
export type RouteType =
  | "unicast"
  | "local"
  | "broadcast"
  | "anycast"
  | "multicast"
  | "blackhole"
  | "unreachable"
  | "prohibit"
  | "throw";
const TYPES: readonly (RouteType | undefined)[] = [
  undefined,
  "unicast",
  "local",
  "broadcast",
  "anycast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
  "throw",
];

/** A route to install or delete. `dst` 0.0.0.0/0 or ::/0 is the default route. */
export interface RouteSpec {
  readonly dst: IpPrefix | string;
  /** Routing table, default 254 (main). */
  readonly table?: number;
  readonly gateway?: IpAddress;
  /** Output link (required for IPv6 link-local gateways and device routes). */
  readonly dev?: LinkRef;
  /** Preferred source address (`src`). */
  readonly src?: IpAddress;
  /** `metric`. */
  readonly metric?: number;
  /** RTPROT_*; default RTPROT_STATIC (4), so the daemon can tell its own routes apart. */
  readonly protocol?: number;
  /** Default: unicast (for a delete: any). */
  readonly type?: RouteType;
  /** Default as iproute2: link for a device route without gateway, else universe. */
  readonly scope?: number;
}

/** A route as the kernel reports it. */
export interface Route {
  readonly dst: IpPrefix;
  readonly table: number;
  readonly type: RouteType;
  readonly protocol: number;
  readonly scope: number;
  readonly gateway?: IpAddress;
  /** ifindex of the output link. */
  readonly oif?: number;
  readonly src?: IpAddress;
  readonly metric?: number;
}

/** Decodes the body of an RTM_NEWROUTE/RTM_DELROUTE message. */
export function decodeRoute(body: Uint8Array): Decoded<Route> {
  if (body.length < RTMSG_LEN) {
    return { ok: false, offset: 0, reason: `rtmsg needs ${RTMSG_LEN} bytes` };
  }
  const family = body[0] === AF_INET ? 4 : body[0] === AF_INET6 ? 6 : 0;
  if (family === 0) return { ok: false, offset: 0, reason: `address family ${body[0]}` };
  const ar = decodeAttrs(body, RTMSG_LEN);
  if (!ar.ok) return ar;
  const a = ar.value;
  const addr = (t: number): IpAddress | undefined => {
    const v = a.get(t);
    return v && v.length === (family === 4 ? 4 : 16) ? ipFromBytes(v) : undefined;
  };
  const dst = addr(RTA_DST) ?? ipFromBytes(new Uint8Array(family === 4 ? 4 : 16));
  const r: { -readonly [K in keyof Route]: Route[K] } = {
    dst: { address: dst, length: body[1]! },
    table: attrU32(a, RTA_TABLE) ?? body[4]!,
    type: TYPES[body[7]!] ?? "unicast",
    protocol: body[5]!,
    scope: body[6]!,
  };
  const gw = addr(RTA_GATEWAY);
  if (gw) r.gateway = gw;
  const oif = attrU32(a, RTA_OIF);
  if (oif !== undefined) r.oif = oif;
  const src = addr(RTA_PREFSRC);
  if (src) r.src = src;
  const metric = attrU32(a, RTA_PRIORITY);
  if (metric !== undefined) r.metric = metric;
  return { ok: true, value: r };
}

function toPrefix(p: IpPrefix | string): IpPrefix {
  return typeof p === "string" ? parsePrefix(p, true) : p;
}

/** `10.0.0.0/24 via 10.1.0.1 dev eth1 table 100` (for messages). */
export function describeRoute(r: RouteSpec): string {
  const dst = toPrefix(r.dst);
  let s = dst.length === 0 ? `default (${formatPrefix(dst)})` : formatPrefix(dst);
  if (r.gateway) s += ` via ${formatIp(r.gateway)}`;
  if (r.dev !== undefined) s += ` dev ${r.dev}`;
  if (r.table !== undefined && r.table !== RT_TABLE_MAIN) s += ` table ${r.table}`;
  return s;
}

/** Route operations on one netlink socket (one namespace). */
export class RouteOps {
  constructor(readonly nl: NetlinkSocket, readonly links: LinkOps) {}

  /**
   * Routes of one table (default main) or of all tables (`"all"`):
   * `ip [-6] route show table <t>`. The local and broadcast routes the
   * kernel keeps in table 255 appear only with `table: 255` or `"all"`.
   */
  async list(filter: { family?: 4 | 6; table?: number | "all" } = {}): Promise<Route[]> {
    const fam = filter.family === 4 ? AF_INET : filter.family === 6 ? AF_INET6 : AF_UNSPEC;
    const msgs = await this.nl.dump("list routes", RTM_GETROUTE, (w) => {
      w.u8(fam).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    });
    const table = filter.table ?? RT_TABLE_MAIN;
    const out: Route[] = [];
    for (const m of msgs) {
      if (m.type !== RTM_NEWROUTE) continue;
      const d = decodeRoute(m.body);
      if (d.ok && (table === "all" || d.value.table === table)) out.push(d.value);
    }
    return out;
  }

  async #build(verb: string, r: RouteSpec, flags: number, del: boolean): Promise<void> {
    const dst = toPrefix(r.dst);
    const op = `${verb} route ${describeRoute(r)}`;
    const fam = dst.address.family;
    for (const [what, ip] of [["gateway", r.gateway], ["source", r.src]] as const) {
      if (ip && ip.family !== fam) {
        throw new Error(`Cannot ${op}: ${what} ${formatIp(ip)} is not IPv${fam}`);
      }
    }
    const oif = r.dev === undefined ? undefined : await this.links.index(r.dev, op);
    const table = r.table ?? RT_TABLE_MAIN;
    const type = r.type ?? "unicast";
    let scope = r.scope;
    if (scope === undefined) {
      if (del) scope = RT_SCOPE_NOWHERE;
      else if (type === "local") scope = RT_SCOPE_HOST;
      else if (fam === 4 && type === "unicast" && !r.gateway && oif !== undefined) {
        scope = RT_SCOPE_LINK;
      } else scope = RT_SCOPE_UNIVERSE;
    }
    const protocol = del ? (r.protocol ?? 0) : (r.protocol ?? RTPROT_STATIC);
    await this.nl.ack(op, del ? RTM_DELROUTE : RTM_NEWROUTE, flags, (w: NlWriter) => {
      w.u8(fam === 4 ? AF_INET : AF_INET6).u8(dst.length).u8(0).u8(0)
        .u8(table < 256 ? table : 0).u8(protocol).u8(scope)
        .u8(del && r.type === undefined ? 0 : TYPES.indexOf(type)).u32(0);
      if (dst.length > 0) w.attr(RTA_DST, dst.address.bytes);
      w.attrU32(RTA_TABLE, table);
      if (r.gateway) w.attr(RTA_GATEWAY, r.gateway.bytes);
      if (oif !== undefined) w.attrU32(RTA_OIF, oif);
      if (r.src) w.attr(RTA_PREFSRC, r.src.bytes);
      if (r.metric !== undefined) w.attrU32(RTA_PRIORITY, r.metric);
    });
  }

  /** `ip route add …`; EEXIST when an equal route exists. */
  add(r: RouteSpec): Promise<void> {
    return this.#build("add", r, NLM_F_CREATE | NLM_F_EXCL, false);
  }

  /** `ip route replace …`: add, or overwrite the route to the same destination. */
  replace(r: RouteSpec): Promise<void> {
    return this.#build("replace", r, NLM_F_CREATE | NLM_F_REPLACE, false);
  }

  /**
   * `ip route del …`; ESRCH when no such route. Unset fields (type,
   * protocol, scope, gateway, dev) match anything, as with iproute2.
   */
  del(r: RouteSpec): Promise<void> {
    return this.#build("delete", r, 0, true);
  }

  /** The route the kernel would use for `dst`: `ip route get <dst>`. */
  async lookup(dst: IpAddress): Promise<Route> {
    const op = `look up the route to ${formatIp(dst)}`;
    const msgs = await this.nl.request(op, RTM_GETROUTE, 0, (w) => {
      w.u8(dst.family === 4 ? AF_INET : AF_INET6).u8(dst.family === 4 ? 32 : 128).u8(0).u8(0)
        .u8(0).u8(0).u8(0).u8(0).u32(0);
      w.attr(RTA_DST, dst.bytes);
    });
    const m = msgs.find((x) => x.type === RTM_NEWROUTE);
    const d = m ? decodeRoute(m.body) : undefined;
    if (!d || !d.ok) throw new Error(`Cannot ${op}: no usable answer`);
    return d.value;
  }
}
