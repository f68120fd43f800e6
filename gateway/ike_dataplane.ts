/**
 * The IKE engine's `Dataplane` port (`ike/ports.ts`) on the ESP dataplane
 * of one VRF: a negotiated CHILD SA pair becomes an inbound and an
 * outbound {@linkcode SecurityAssociation}, protect policies for its
 * traffic selectors (policy-based) or an SVTI binding (route-based), and
 * routes for the remote selectors into the policy TUN (tunnel mode).
 *
 * - Outbound traffic of a policy (`vpn/child`, one reqid) uses the SA that
 *   took it over last. A responder of a rekey installs its outbound SA
 *   only when IKE calls `activateOutbound` (`outboundNow` false); its keys
 *   wait here until then and are zeroed once handed to the transforms.
 * - Policies and routes are shared by every SA pair of the same policy and
 *   selectors (rekeying overlaps old and new): reference-counted.
 * - Transport mode gets policies but no routes: its selectors are the
 *   gateways' own addresses, which carry the ESP itself; what enters the
 *   TUN in transport mode is the operator's choice (policy routing).
 * - `counters()` reports when inbound/outbound traffic was last seen as the
 *   time a call first saw the packet counter move (DPD asks once per
 *   `dpd-delay`, so the precision is that of its own period).
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import { type CryptoProvider, encryptionByName, integrityByName } from "../crypto/registry.ts";
import type { Dataplane as EspDataplane } from "../esp/dataplane.ts";
import type { SaParams, SecurityAssociation } from "../esp/sa.ts";
import type { Policy } from "../esp/spd.ts";
import { formatSelector, makeSelector, type SelectorSpec } from "../esp/selector.ts";
import type {
  Dataplane,
  DataplaneCounters,
  DataplaneKeys,
  DataplaneResult,
  DataplaneSa,
  Endpoint,
} from "../ike/ports.ts";
import type { TrafficSelector } from "../ike/ts.ts";
import type { TunnelRoutes } from "./tunnel_routes.ts";

export interface IkeDataplaneOptions {
  readonly dataplane: EspDataplane;
  readonly clock: Clock;
  /** The `chd` logger. */
  readonly log: Logger;
  /** Routes into the policy TUN; absent = none (no policy TUN). */
  readonly routes?: TunnelRoutes;
  /** Crypto provider of the SA transforms; default `openssl` (falls back by itself). */
  readonly crypto?: CryptoProvider;
  /** Path MTU toward peers (the SAs' largest inner packet follows from it). */
  readonly linkMtu?: number;
  /** Called after SAs come or go (e.g. to adjust TUN MTUs). */
  readonly onChange?: () => void;
}

/** One installed CHILD SA pair. */
interface Pair {
  readonly id: string;
  readonly policy: string;
  readonly reqid: number;
  readonly spiIn: number;
  readonly in: SecurityAssociation;
  out: SecurityAssociation | undefined;
  pendingOut: SaParams | undefined;
  readonly policyKeys: string[];
  readonly routed: { remote: TrafficSelector; peer: Endpoint["address"] }[];
  lastPacketsIn: number;
  lastInbound: number | undefined;
  lastPacketsOut: number;
  lastOutbound: number | undefined;
}

/** Selector specs of every (source, destination) selector pair with one family and a common protocol. */
export function selectorPairs(
  src: readonly TrafficSelector[],
  dst: readonly TrafficSelector[],
): SelectorSpec[] {
  const out: SelectorSpec[] = [];
  for (const s of src) {
    for (const d of dst) {
      if (s.start.family !== d.start.family) continue;
      if (s.protocol !== 0 && d.protocol !== 0 && s.protocol !== d.protocol) continue;
      out.push({
        src: { start: s.start, end: s.end },
        dst: { start: d.start, end: d.end },
        protocol: s.protocol || d.protocol,
        srcPorts: [s.startPort, s.endPort],
        dstPorts: [d.startPort, d.endPort],
      });
    }
  }
  return out;
}

/** See the module doc. */
export class IkeDataplane implements Dataplane {
  readonly #dp: EspDataplane;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #routes: TunnelRoutes | undefined;
  readonly #crypto: CryptoProvider;
  readonly #linkMtu: number;
  readonly #onChange: () => void;
  readonly #pairs = new Map<string, Pair>();
  readonly #bySa = new Map<SecurityAssociation, Pair>();
  readonly #reqids = new Map<string, number>();
  readonly #policyOf = new Map<number, string>();
  readonly #policies = new Map<string, { policy: Policy; refs: number }>();
  readonly #traps = new Map<
    string,
    { keys: string[]; remoteTs: readonly TrafficSelector[]; peer: Endpoint["address"] }
  >();
  #nextReqid = 1;

  constructor(o: IkeDataplaneOptions) {
    this.#dp = o.dataplane;
    this.#clock = o.clock;
    this.#log = o.log;
    this.#routes = o.routes;
    this.#crypto = o.crypto ?? "openssl";
    this.#linkMtu = o.linkMtu ?? 1500;
    this.#onChange = o.onChange ?? (() => {});
  }

  /** The reqid of policy `vpn/child` (allocated on first use). */
  reqidOf(policy: string): number {
    let r = this.#reqids.get(policy);
    if (r === undefined) {
      r = this.#nextReqid++;
      this.#reqids.set(policy, r);
      this.#policyOf.set(r, policy);
    }
    return r;
  }

  /** The policy name (`vpn/child`) of a reqid. */
  policyOf(reqid: number): string | undefined {
    return this.#policyOf.get(reqid);
  }

  /** The inbound SPI of the pair an SA belongs to (for expiry events). */
  spiInOf(sa: SecurityAssociation): number | undefined {
    return this.#bySa.get(sa)?.spiIn;
  }

  #params(
    s: DataplaneSa,
    keys: DataplaneKeys,
    direction: "in" | "out",
  ): SaParams {
    const provider = { provider: this.#crypto };
    const encryption = encryptionByName(keys.enc, provider);
    if (!encryption) throw new Error(`no encryption transform ${keys.enc}`);
    const integrity = keys.integ ? integrityByName(keys.integ, provider) : undefined;
    if (keys.integ && !integrity) throw new Error(`no integrity transform ${keys.integ}`);
    const svti = direction === "in" ? s.svtiIdIn : s.svtiIdOut;
    const [src, dst] = direction === "in" ? [s.remoteTs, s.localTs] : [s.localTs, s.remoteTs];
    const l = s.limits;
    return {
      spi: keys.spi,
      direction,
      mode: s.mode,
      encap: s.encap
        ? { kind: "udp", localPort: s.local.port, remotePort: s.remote.port }
        : { kind: "raw" },
      local: s.local.address,
      remote: s.remote.address,
      encryption,
      encryptionKey: keys.encKey,
      ...(integrity ? { integrity, integrityKey: keys.integKey! } : {}),
      esn: s.esn,
      ...(direction === "in" ? { replayWindow: s.replayWindow } : {}),
      selectors: selectorPairs(src, dst),
      ...(svti !== undefined
        ? { ifaceId: svti }
        : direction === "out"
        ? { reqid: this.reqidOf(s.policy) }
        : {}),
      ...(l
        ? {
          lifetime: {
            ...(l.softBytes !== undefined ? { softBytes: l.softBytes } : {}),
            ...(l.hardBytes !== undefined ? { hardBytes: l.hardBytes } : {}),
            ...(l.softPackets !== undefined ? { softPackets: l.softPackets } : {}),
            ...(l.hardPackets !== undefined ? { hardPackets: l.hardPackets } : {}),
          },
        }
        : {}),
      pathMtu: this.#linkMtu,
      name: `${s.policy}/${direction}`,
    };
  }

  install(s: DataplaneSa): DataplaneResult {
    const dp = this.#dp;
    let inSa: SecurityAssociation | undefined;
    let outSa: SecurityAssociation | undefined;
    let pendingOut: SaParams | undefined;
    try {
      inSa = dp.installSa(this.#params(s, s.inbound, "in"));
      const outParams = this.#params(s, s.outbound, "out");
      if (s.outboundNow) outSa = dp.installSa(outParams);
      else pendingOut = outParams;
    } catch (e) {
      if (inSa) dp.removeSa(inSa);
      wipe(s.inbound);
      wipe(s.outbound);
      return { ok: false, reason: (e as Error).message };
    }
    wipe(s.inbound);
    if (!pendingOut) wipe(s.outbound);
    const reqid = this.reqidOf(s.policy);
    const pair: Pair = {
      id: s.id,
      policy: s.policy,
      reqid,
      spiIn: s.inbound.spi,
      in: inSa,
      out: outSa,
      pendingOut,
      policyKeys: [],
      routed: [],
      lastPacketsIn: 0,
      lastInbound: undefined,
      lastPacketsOut: 0,
      lastOutbound: undefined,
    };
    this.#pairs.set(s.id, pair);
    this.#bySa.set(inSa, pair);
    if (outSa) this.#bySa.set(outSa, pair);
    const routeBased = s.svtiIdOut !== undefined || s.svtiIdIn !== undefined;
    if (!routeBased) {
      for (const spec of selectorPairs(s.localTs, s.remoteTs)) {
        pair.policyKeys.push(this.#addPolicy(reqid, s.policy, spec));
      }
      if (s.mode === "tunnel" && this.#routes) {
        for (const remote of s.remoteTs) {
          this.#routes.acquire(remote, s.localTs, s.remote.address);
          pair.routed.push({ remote, peer: s.remote.address });
        }
      }
    }
    this.#onChange();
    return { ok: true };
  }

  #addPolicy(reqid: number, name: string, spec: SelectorSpec): string {
    const key = `${reqid}|${formatSelector(makeSelector(spec))}`;
    const e = this.#policies.get(key);
    if (e) e.refs++;
    else {
      const policy = this.#dp.addPolicy({
        name,
        selector: spec,
        action: { kind: "protect", reqid },
      });
      this.#policies.set(key, { policy, refs: 1 });
    }
    return key;
  }

  #releasePolicy(key: string): void {
    const e = this.#policies.get(key);
    if (!e || --e.refs > 0) return;
    this.#policies.delete(key);
    this.#dp.removePolicy(e.policy);
  }

  activateOutbound(id: string): void {
    const p = this.#pairs.get(id);
    if (!p || !p.pendingOut) return;
    const params = p.pendingOut;
    p.pendingOut = undefined;
    try {
      p.out = this.#dp.installSa(params);
      this.#bySa.set(p.out, p);
    } catch (e) {
      this.#log.warn(`Cannot activate the outbound SA of ${p.policy}: ${(e as Error).message}`);
    }
    params.encryptionKey.fill(0);
    params.integrityKey?.fill(0);
    this.#onChange();
  }

  update(id: string, change: { local: Endpoint; remote: Endpoint; encap: boolean }): void {
    const p = this.#pairs.get(id);
    if (!p) return;
    for (const sa of [p.in, p.out]) {
      if (!sa || sa.state !== "live") continue;
      if ((sa.encap.kind === "udp") !== change.encap) {
        this.#log.warn(`SA ${sa.name}: a change of UDP encapsulation is not supported`);
        continue;
      }
      this.#dp.updateRemote(
        sa,
        change.remote.address,
        change.encap ? change.remote.port : undefined,
      );
    }
    if (p.pendingOut) {
      p.pendingOut = {
        ...p.pendingOut,
        remote: change.remote.address,
        ...(change.encap
          ? {
            encap: { kind: "udp", localPort: change.local.port, remotePort: change.remote.port },
          }
          : {}),
      };
    }
  }

  remove(id: string): void {
    const p = this.#pairs.get(id);
    if (!p) return;
    this.#pairs.delete(id);
    for (const sa of [p.in, p.out]) {
      if (!sa) continue;
      this.#bySa.delete(sa);
      this.#dp.removeSa(sa);
    }
    if (p.pendingOut) {
      p.pendingOut.encryptionKey.fill(0);
      p.pendingOut.integrityKey?.fill(0);
    }
    for (const k of p.policyKeys) this.#releasePolicy(k);
    for (const r of p.routed) this.#routes?.release(r.remote, r.peer);
    this.#onChange();
  }

  counters(id: string): DataplaneCounters | undefined {
    const p = this.#pairs.get(id);
    if (!p) return undefined;
    const now = this.#clock.now();
    const i = p.in.counters, o = p.out?.counters;
    if (i.packets > p.lastPacketsIn) {
      p.lastPacketsIn = i.packets;
      p.lastInbound = now;
    }
    if (o && o.packets > p.lastPacketsOut) {
      p.lastPacketsOut = o.packets;
      p.lastOutbound = now;
    }
    return {
      bytesIn: i.bytes,
      packetsIn: i.packets,
      bytesOut: o?.bytes ?? 0,
      packetsOut: o?.packets ?? 0,
      ...(p.lastInbound !== undefined ? { lastInbound: p.lastInbound } : {}),
      ...(p.lastOutbound !== undefined ? { lastOutbound: p.lastOutbound } : {}),
      seqOut: BigInt((p.out?.seqOut ?? 0) + 1),
      seqIn: BigInt(p.in.replay?.top ?? 0),
    };
  }

  /**
   * Trap policies of policy `vpn/child` (strongSwan's `start_action=trap`):
   * protect policies and routes for its configured selectors before any
   * SA exists, so the first packet raises an `acquire` (the gateway then
   * initiates). Replaces the policy's earlier traps; empty selectors
   * remove them.
   */
  trap(
    policy: string,
    localTs: readonly TrafficSelector[],
    remoteTs: readonly TrafficSelector[],
    peer: Endpoint["address"],
  ): void {
    this.untrap(policy);
    if (localTs.length === 0 || remoteTs.length === 0) return;
    const reqid = this.reqidOf(policy);
    const keys = selectorPairs(localTs, remoteTs).map((spec) =>
      this.#addPolicy(reqid, policy, spec)
    );
    for (const r of remoteTs) this.#routes?.acquire(r, localTs, peer);
    this.#traps.set(policy, { keys, remoteTs, peer });
    this.#onChange();
  }

  /** Removes the trap policies of `policy` (SAs and their policies stay). */
  untrap(policy: string): void {
    const t = this.#traps.get(policy);
    if (!t) return;
    this.#traps.delete(policy);
    for (const k of t.keys) this.#releasePolicy(k);
    for (const r of t.remoteTs) this.#routes?.release(r, t.peer);
  }

  /** Policies with traps installed. */
  get trapped(): string[] {
    return [...this.#traps.keys()];
  }

  /** Removes every pair and trap (shutdown): keys zeroed, policies and routes released. */
  removeAll(): void {
    for (const id of [...this.#pairs.keys()]) this.remove(id);
    for (const policy of [...this.#traps.keys()]) this.untrap(policy);
  }
}

function wipe(k: DataplaneKeys): void {
  k.encKey.fill(0);
  k.integKey?.fill(0);
}
