/**
 * The configuration payload in IKE_AUTH (RFC 7296 §2.19, §3.15): an
 * initiator with `vip` asks for a virtual IP (and DNS, NBNS, DHCP,
 * subnets, netmask); a responder with a `vip-pool` assigns one from the
 * {@linkcode VipPool} port, or answers INTERNAL_ADDRESS_FAILURE.
 *
 * @module
 */
import { formatIp, type IpAddress, ipFromBytes } from "../../core/ip.ts";
import { CfgType, CpAttribute, ExchangeType, NotifyType } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import type { ReceivedAttributes } from "../ike_sa.ts";
import { findPayload } from "../message/find.ts";
import type { CpAttributeValue, Payload } from "../message/types.ts";
import type { VipAttributes } from "../ports.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { notify } from "../wire.ts";

const EMPTY = new Uint8Array(0);

/** The attributes an initiator asks for, per address family. */
function requestAttributes(family: 4 | 6): CpAttributeValue[] {
  const types = family === 4
    ? [
      CpAttribute.INTERNAL_IP4_ADDRESS,
      CpAttribute.INTERNAL_IP4_DNS,
      CpAttribute.INTERNAL_IP4_NBNS,
      CpAttribute.INTERNAL_IP4_DHCP,
    ]
    : [
      CpAttribute.INTERNAL_IP6_ADDRESS,
      CpAttribute.INTERNAL_IP6_DNS,
      CpAttribute.INTERNAL_IP6_DHCP,
    ];
  return types.map((type) => ({ type, value: EMPTY }));
}

/** CFG_REPLY attributes for an assigned address and the pool's extras (§3.15.1 formats). */
export function replyAttributes(vip: IpAddress, attrs: VipAttributes): CpAttributeValue[] {
  const v4 = vip.family === 4;
  const out: CpAttributeValue[] = [];
  const addr = (type: number, ip: IpAddress) => out.push({ type, value: ip.bytes.slice() });
  if (v4) addr(CpAttribute.INTERNAL_IP4_ADDRESS, vip);
  else {
    out.push({ type: CpAttribute.INTERNAL_IP6_ADDRESS, value: Uint8Array.of(...vip.bytes, 128) });
  }
  if (v4 && attrs.netmask) addr(CpAttribute.INTERNAL_IP4_NETMASK, attrs.netmask);
  const fam = (l: readonly IpAddress[]) => l.filter((a) => a.family === vip.family);
  for (const a of fam(attrs.dns)) {
    addr(v4 ? CpAttribute.INTERNAL_IP4_DNS : CpAttribute.INTERNAL_IP6_DNS, a);
  }
  if (v4) { for (const a of fam(attrs.nbns)) addr(CpAttribute.INTERNAL_IP4_NBNS, a); }
  for (const a of fam(attrs.dhcp)) {
    addr(v4 ? CpAttribute.INTERNAL_IP4_DHCP : CpAttribute.INTERNAL_IP6_DHCP, a);
  }
  for (const s of attrs.subnets.filter((s) => s.address.family === vip.family)) {
    if (v4) {
      const mask = new Uint8Array(4);
      for (let i = 0; i < 4; i++) {
        mask[i] = (0xff << (8 - Math.max(0, Math.min(8, s.length - 8 * i)))) & 0xff;
      }
      out.push({
        type: CpAttribute.INTERNAL_IP4_SUBNET,
        value: Uint8Array.of(...s.address.bytes, ...mask),
      });
    } else {
      out.push({
        type: CpAttribute.INTERNAL_IP6_SUBNET,
        value: Uint8Array.of(...s.address.bytes, s.length),
      });
    }
  }
  return out;
}

/** Reads the attributes of a CFG_REPLY, skipping malformed values. */
export function parseReply(attrs: readonly CpAttributeValue[]): ReceivedAttributes {
  const r: ReceivedAttributes = { addresses: [], dns: [], nbns: [], dhcp: [] };
  const ip = (
    v: Uint8Array,
    n: number,
  ) => (v.length === n ? ipFromBytes(v.subarray(0, n === 17 ? 16 : n)) : undefined);
  for (const a of attrs) {
    const push = (list: IpAddress[], x: IpAddress | undefined) => x && list.push(x);
    switch (a.type) {
      case CpAttribute.INTERNAL_IP4_ADDRESS:
        push(r.addresses, ip(a.value, 4));
        break;
      case CpAttribute.INTERNAL_IP6_ADDRESS:
        push(r.addresses, ip(a.value, 17));
        break;
      case CpAttribute.INTERNAL_IP4_DNS:
        push(r.dns, ip(a.value, 4));
        break;
      case CpAttribute.INTERNAL_IP6_DNS:
        push(r.dns, ip(a.value, 16));
        break;
      case CpAttribute.INTERNAL_IP4_NBNS:
        push(r.nbns, ip(a.value, 4));
        break;
      case CpAttribute.INTERNAL_IP4_DHCP:
        push(r.dhcp, ip(a.value, 4));
        break;
      case CpAttribute.INTERNAL_IP6_DHCP:
        push(r.dhcp, ip(a.value, 16));
        break;
    }
  }
  return r;
}

export class IkeConfig implements IkeTask {
  readonly name = "ike-config" as const;
  #assigned: IpAddress[] = [];
  #failure = false;

  constructor(private readonly ctx: SaContext, readonly initiator: boolean) {}

  exchange(): number {
    return ExchangeType.IKE_AUTH;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    if (msg.exchange === ExchangeType.IKE_SA_INIT) return "more";
    const { sa } = this.ctx;
    if (this.initiator) {
      if (!sa.vpn?.requestVip) return "done";
      const family = sa.vpn.localAddress.family;
      msg.payloads.push({
        kind: "cp",
        critical: false,
        cfgType: CfgType.REQUEST,
        attributes: requestAttributes(family),
      });
      return "more";
    }
    if (this.#failure) msg.payloads.push(notify(NotifyType.INTERNAL_ADDRESS_FAILURE));
    const pool = sa.vpn?.vipPool ? this.ctx.ports.pools(sa.vpn.vipPool) : undefined;
    if (pool && this.#assigned.length > 0) {
      msg.payloads.push({
        kind: "cp",
        critical: false,
        cfgType: CfgType.REPLY,
        attributes: this.#assigned.flatMap((a) => replyAttributes(a, pool.attributes)),
      });
    }
    return "done";
  }

  process(msg: InMessage<Payload>): TaskStatus {
    if (msg.exchange === ExchangeType.IKE_SA_INIT) return "more";
    const { sa, ports } = this.ctx;
    const cp = findPayload(msg, "cp");
    if (this.initiator) {
      if (cp?.cfgType === CfgType.REPLY) {
        const got = parseReply(cp.attributes);
        sa.localVips = got.addresses;
        sa.cpReceived = got;
        for (const a of got.addresses) {
          ports.log.ike.control(`installing virtual IP ${formatIp(a)}`);
        }
      } else if (sa.state === "established") {
        ports.log.ike.warn("peer assigned no virtual IP");
      }
      return "done";
    }
    if (!cp || cp.cfgType !== CfgType.REQUEST || sa.state !== "established") return "more";
    const poolName = sa.vpn?.vipPool;
    const pool = poolName ? ports.pools(poolName) : undefined;
    if (!pool || !poolName) return "more";
    const families = new Map<4 | 6, IpAddress | undefined>();
    for (const a of cp.attributes) {
      if (a.type === CpAttribute.INTERNAL_IP4_ADDRESS) {
        families.set(4, a.value.length === 4 ? ipFromBytes(a.value) : undefined);
      } else if (a.type === CpAttribute.INTERNAL_IP6_ADDRESS) {
        families.set(6, a.value.length === 17 ? ipFromBytes(a.value.subarray(0, 16)) : undefined);
      }
    }
    for (const [family, requested] of families) {
      const ip = pool.allocate(sa.remoteId!, family, requested);
      if (!ip) {
        ports.log.ike.warn(`pool ${poolName} has no address for ${family === 4 ? "IPv4" : "IPv6"}`);
        this.#failure = true;
        continue;
      }
      ports.log.ike.control(`assigning virtual IP ${formatIp(ip)} from pool ${poolName}`);
      this.#assigned.push(ip);
      this.ctx.leased(poolName, ip);
    }
    return "more";
  }
}
