/**
 * The ESP dataplane of one VRF (RFC 4301 §5, RFC 4303, RFC 3948), with no
 * I/O of its own: the VRF's I/O loop feeds it packets and performs the
 * actions it returns; IKE installs SAs and policies and listens to its
 * events; HA reads and sets its sequence numbers.
 *
 * ```
 * TUN (policy TUN, or SVTI id) --outbound()--> send ESP via udp/raw | icmp back to TUN | drop
 * UDP 4500 / raw 50 ----------inbound()--> plaintext to TUN (policy TUN or SVTI id) | ike | keepalive | drop
 * after each batch: flushEvents() -> "sa-soft-expired", "sa-hard-expired", "acquire", "seq-progress"
 * ```
 *
 * The stages of each direction are in `outbound.ts` and `inbound.ts`. The
 * returned action objects are reused by the next call (see `actions.ts`).
 *
 * Per packet, the only allocations are a few `subarray` views of the
 * packet, plus, with transforms that cannot write into a buffer (pure and
 * node:crypto providers), the ciphertext or plaintext array they return
 * and the ICV array of a separate integrity transform; flows, actions,
 * buffers, IVs and AADs are reused (openssl provider: no transform
 * allocation at all). Events allocate when they
 * happen (soft/hard expiry, acquire, sequence progress).
 *
 * Atomicity: everything runs on one thread and the packet path is
 * synchronous, so a control call (install, HA set) never interleaves with a
 * packet. A dataplane moved into a Worker would need its control calls sent
 * as messages between batches.
 *
 * @module
 */
import type { Timer } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import { formatIp, type IpAddress } from "../core/ip.ts";
import { InboundAction, OutboundAction, type Via } from "./actions.ts";
import type { DataplaneStats, DropReason } from "./counters.ts";
import type { EspEvents } from "./events.ts";
import type { ReplayState } from "./replay.ts";
import { type SaParams, SecurityAssociation } from "./sa.ts";
import { maxInnerLength } from "./mtu.ts";
import type { SeqSyncConfig } from "./seq_sync.ts";
import type { Policy, PolicySpec } from "./spd.ts";
import { processInbound } from "./inbound.ts";
import { processOutbound } from "./outbound.ts";
import { type DataplaneOptions, DataplaneState } from "./state.ts";

export type { DataplaneOptions } from "./state.ts";

/** `show ipsec counters` for one VRF. */
export interface DataplaneCounters {
  readonly vrf: string;
  readonly drops: Partial<Record<DropReason, number>>;
  readonly stats: Readonly<DataplaneStats>;
  readonly sas: number;
  readonly policies: number;
  readonly spdCacheHits: number;
  readonly spdCacheMisses: number;
}

export class Dataplane {
  readonly #st: DataplaneState;
  readonly #out = new OutboundAction();
  readonly #in = new InboundAction();
  #timer: Timer | null = null;

  constructor(opts: DataplaneOptions) {
    this.#st = new DataplaneState(opts);
  }

  get vrf(): string {
    return this.#st.vrf;
  }

  /** Where soft/hard expiry, acquire and sequence-progress events go. */
  get events(): EventBus<EspEvents> {
    return this.#st.events;
  }

  // ---- packets -------------------------------------------------------------

  /**
   * A packet read from the policy TUN (`ifaceId` null) or from the SVTI TUN
   * `ifaceId`. The ESP packet is built into `out` from index 0 when given
   * (e.g. the slot of a send batch: no copy), else into a buffer of the
   * dataplane's; a packet that would not fit `out` is dropped `too-big`.
   * `length` is the packet's length when `packet` is a larger buffer.
   */
  outbound(
    packet: Uint8Array,
    ifaceId?: number | null,
    out?: Uint8Array,
    length: number = packet.length,
  ): OutboundAction {
    return processOutbound(this.#st, packet, length, ifaceId ?? null, this.#out, out);
  }

  /**
   * A datagram received `via` UDP port 4500 (its payload) or a raw
   * protocol-50 socket (the ESP packet: an IPv4 raw socket also delivers the
   * IP header, which the loop strips, taking `dst` from it). `dst` is our
   * address when known (null otherwise: SPI alone selects the SA). `src` and the ports are not used to select the
   * SA (RFC 4301 §4.1; strongSwan does the same): a NAT may change them, and
   * only IKE may move an SA to a new address (RFC 7296 §2.23). `length` is
   * the datagram's length when `datagram` is a larger buffer.
   */
  inbound(
    datagram: Uint8Array,
    _src: Uint8Array | null,
    dst: Uint8Array | null,
    _srcPort: number,
    _dstPort: number,
    via: Via,
    length: number = datagram.length,
  ): InboundAction {
    return processInbound(this.#st, datagram, length, dst, via, this.#in);
  }

  /** Delivers queued events; the I/O loop calls it after each batch. */
  flushEvents(): void {
    this.#st.flush();
  }

  // ---- SAs and policies (IKE, config) --------------------------------------

  /** Installs an SA; throws `SaError`/`SadError` when it cannot be. */
  installSa(p: SaParams): SecurityAssociation {
    const st = this.#st;
    const sa = new SecurityAssociation(p, st.rng.fill(new Uint8Array(8)));
    try {
      st.sad.add(sa);
    } catch (e) {
      sa.destroy();
      throw e;
    }
    st.seqSync.arm(sa);
    if (sa.direction === "out" && sa.reqid !== undefined) st.acquired(sa.reqid);
    st.log.control(`${st.vrf}: installed SA ${sa.describe()}`);
    st.log.private(() =>
      `${st.vrf}: SA ${sa.name} keys enc ${hexOf(p.encryptionKey)}${
        p.integrityKey ? ` integ ${hexOf(p.integrityKey)}` : ""
      }`
    );
    return sa;
  }

  /** Removes an SA and zeroes its keys; false when it was not installed. */
  removeSa(sa: SecurityAssociation): boolean {
    const ok = this.#st.removeSa(sa);
    if (ok) this.#st.log.control(`${this.#st.vrf}: removed SA ${sa.name}`);
    return ok;
  }

  /** The installed SA with this direction and SPI. */
  findSa(direction: "in" | "out", spi: number): SecurityAssociation | undefined {
    return this.#st.sad.find(direction, spi);
  }

  /** Every installed SA. */
  sas(): SecurityAssociation[] {
    return [...this.#st.sad];
  }

  /** Adds a policy; throws `SelectorError`/`RangeError` for an invalid one. */
  addPolicy(spec: PolicySpec): Policy {
    return this.#st.spd.add(spec);
  }

  removePolicy(policy: Policy | number): boolean {
    return this.#st.spd.remove(policy);
  }

  /** Policies in match order. */
  policies(): readonly Policy[] {
    return this.#st.spd.list();
  }

  /** A new path MTU toward an SA's peer (e.g. from an ICMP error on the outer path). */
  setPathMtu(sa: SecurityAssociation, mtu: number): void {
    const inner = maxInnerLength(sa, mtu);
    if (!Number.isInteger(mtu) || inner < 1) {
      throw new RangeError(`Cannot set the path MTU of SA ${sa.name} to ${mtu}: too small`);
    }
    sa.pathMtu = mtu;
    sa.maxInner = inner;
  }

  /**
   * Moves an SA's peer endpoint (IKE saw the peer's NAT mapping change,
   * RFC 7296 §2.23, or MOBIKE). The port applies to UDP-encapsulated SAs.
   */
  updateRemote(sa: SecurityAssociation, remote: IpAddress, remotePort?: number): void {
    if (remote.family !== sa.local.family) {
      throw new RangeError(
        `Cannot move SA ${sa.name} to ${formatIp(remote)}: address family differs`,
      );
    }
    if (remotePort !== undefined) {
      if (sa.encap.kind !== "udp") {
        throw new RangeError(`Cannot set a UDP port on SA ${sa.name}: it is not UDP-encapsulated`);
      }
      if (!Number.isInteger(remotePort) || remotePort < 1 || remotePort > 65535) {
        throw new RangeError(
          `Cannot move SA ${sa.name} to port ${remotePort}: out of range 1..65535`,
        );
      }
      sa.encap = { kind: "udp", localPort: sa.encap.localPort, remotePort };
    }
    sa.remote = remote;
    this.#st.log.control(`${this.#st.vrf}: SA ${sa.name} now ${sa.describe()}`);
  }

  // ---- HA hooks ------------------------------------------------------------

  /** The synchronised counter: last sequence number sent (out) or highest accepted (in). */
  seqState(sa: SecurityAssociation): number {
    return sa.syncValue;
  }

  /** Sets the last sequence number sent (the next packet uses `seq + 1`). */
  setOutboundSeq(sa: SecurityAssociation, seq: number): void {
    if (sa.direction !== "out") {
      throw new RangeError(`Cannot set the outbound sequence number of inbound SA ${sa.name}`);
    }
    if (!Number.isInteger(seq) || seq < 0 || seq > sa.seqMax) {
      throw new RangeError(
        `Cannot set the sequence number of SA ${sa.name} to ${seq}: out of range 0..${sa.seqMax}`,
      );
    }
    sa.seqOut = seq;
    this.#st.seqSync.arm(sa);
  }

  /** Moves an inbound SA's replay window up to `top`, everything at or below it counted as received. */
  advanceReplay(sa: SecurityAssociation, top: number): void {
    if (sa.replay === undefined) {
      throw new RangeError(`Cannot advance the replay window of outbound SA ${sa.name}`);
    }
    sa.replay.advanceTo(top);
    this.#st.seqSync.arm(sa);
  }

  /** An exact copy of an inbound SA's replay window. */
  replaySnapshot(sa: SecurityAssociation): ReplayState {
    if (sa.replay === undefined) throw new RangeError(`SA ${sa.name} has no replay window`);
    return sa.replay.snapshot();
  }

  /** Restores a {@linkcode replaySnapshot}. */
  restoreReplay(sa: SecurityAssociation, state: ReplayState): void {
    if (sa.replay === undefined) throw new RangeError(`SA ${sa.name} has no replay window`);
    sa.replay.restore(state);
    this.#st.seqSync.arm(sa);
  }

  /** `sync-period-packets` / `sync-period-time`; re-arms every SA and the timer. */
  setSeqSync(config: SeqSyncConfig): void {
    this.#st.seqSync.config = config;
    for (const sa of this.#st.sad) this.#st.seqSync.arm(sa);
    if (this.#timer !== null) {
      this.stop();
      this.start();
    }
  }

  /** Starts the `sync-period-time` sweep (which also flushes events). */
  start(): void {
    if (this.#timer !== null) return;
    const period = this.#st.seqSync.config.timeMs;
    if (period === 0) return;
    const tick = () => {
      this.#st.seqSync.sweep(this.#st.sad);
      this.#st.flush();
      this.#timer = this.#st.clock.setTimer(period, tick);
    };
    this.#timer = this.#st.clock.setTimer(period, tick);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  // ---- show ----------------------------------------------------------------

  counters(): DataplaneCounters {
    const st = this.#st;
    return {
      vrf: st.vrf,
      drops: st.drops.nonZero(),
      stats: { ...st.stats },
      sas: st.sad.size,
      policies: st.spd.size,
      spdCacheHits: st.spd.cacheHits,
      spdCacheMisses: st.spd.cacheMisses,
    };
  }

  /** The raw drop counters (index = `DROP_REASONS` order), for cheap polling. */
  get dropCounters(): Float64Array {
    return this.#st.drops.values;
  }
}

function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
