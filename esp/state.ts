/**
 * The state one VRF's dataplane shares between its outbound and inbound
 * pipelines: SAD, SPD, counters, pooled buffers, the IV source, the event
 * queue, the ICMP rate limiter and the acquire memory. The pipelines
 * (`outbound.ts`, `inbound.ts`) are functions over it; `dataplane.ts` is
 * the public face.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { EventBus } from "../core/events.ts";
import type { IpAddress } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import type { Rng } from "../core/rng.ts";
import type { InboundAction, OutboundAction } from "./actions.ts";
import { ACQUIRE_INTERVAL_MS, BUFFER_SIZE, DEFAULT_ICMP_RATE } from "./constants.ts";
import { type DataplaneStats, DropCounters, type DropReason, newStats } from "./counters.ts";
import { Opened } from "./decap.ts";
import type { EspEvents, ExpireReason } from "./events.ts";
import { Flow } from "./flow.ts";
import { IvSource } from "./iv.ts";
import type { SecurityAssociation } from "./sa.ts";
import { Sad } from "./sad.ts";
import { SeqSync, type SeqSyncConfig } from "./seq_sync.ts";
import type { Policy } from "./spd.ts";
import { Spd } from "./spd.ts";

export interface DataplaneOptions {
  /** The VRF's name, carried in every event. */
  readonly vrf: string;
  readonly clock: Clock;
  /** CBC IVs and the per-SA IV masks come from here. */
  readonly rng: Rng;
  /** The `esp` logger; the packet path writes to it only at `raw`. */
  readonly log: Logger;
  /** Where events go (default: a bus of the dataplane's own). */
  readonly events?: EventBus<EspEvents>;
  /** Source of ICMP errors about IPv4 / IPv6 packets (default: the SA's local address when the family matches). */
  readonly icmpSource4?: IpAddress;
  readonly icmpSource6?: IpAddress;
  /** ICMP errors per second at most (default 100). */
  readonly icmpRate?: number;
  readonly seqSync?: SeqSyncConfig;
  readonly spdCacheSize?: number;
}

type Queued = { [K in keyof EspEvents]: [K, EspEvents[K]] }[keyof EspEvents];

export class DataplaneState {
  readonly vrf: string;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: Logger;
  readonly events: EventBus<EspEvents>;
  readonly sad = new Sad();
  readonly spd: Spd;
  readonly drops = new DropCounters();
  readonly stats: DataplaneStats = newStats();
  readonly seqSync: SeqSync;
  readonly iv: IvSource;
  /** Scratch views of the packet being processed. */
  readonly flow = new Flow();
  readonly opened = new Opened();
  /** Outbound ESP packets are built here, plaintext staged in `scratch`. */
  readonly outBuf = new Uint8Array(BUFFER_SIZE);
  readonly scratch = new Uint8Array(BUFFER_SIZE);
  /** Inbound transport-mode packets are rebuilt here. */
  readonly inBuf = new Uint8Array(BUFFER_SIZE);
  /** Inbound plaintext, when the cipher can decrypt into a buffer. */
  readonly plainBuf = new Uint8Array(BUFFER_SIZE);
  readonly icmpBuf = new Uint8Array(2048);
  icmpSource4: Uint8Array | null;
  icmpSource6: Uint8Array | null;
  readonly icmpRate: number;
  #icmpTokens: number;
  #icmpLast: number;
  /** reqid -> when IKE was last asked for an SA. */
  #acquired = new Map<number, number>();
  #queue: Queued[] = [];

  constructor(o: DataplaneOptions) {
    this.vrf = o.vrf;
    this.clock = o.clock;
    this.rng = o.rng;
    this.log = o.log;
    this.events = o.events ?? new EventBus<EspEvents>();
    this.spd = new Spd(o.spdCacheSize !== undefined ? { cacheSize: o.spdCacheSize } : {});
    this.seqSync = new SeqSync(o.seqSync);
    this.iv = new IvSource(o.rng);
    this.icmpSource4 = o.icmpSource4?.bytes ?? null;
    this.icmpSource6 = o.icmpSource6?.bytes ?? null;
    this.icmpRate = o.icmpRate ?? DEFAULT_ICMP_RATE;
    this.#icmpTokens = this.icmpRate;
    this.#icmpLast = o.clock.now();
  }

  /** Counts a drop (and traces it at `raw`). */
  drop(reason: DropReason, sa: SecurityAssociation | null): void {
    this.drops.bump(reason);
    if (this.log.enabled("raw")) {
      this.log.raw(`${this.vrf}: drop ${reason}${sa ? ` (SA ${sa.name})` : ""}`);
    }
  }

  /** Counts a drop and turns the pipeline's action into it. */
  reject<T extends OutboundAction | InboundAction>(
    r: T,
    reason: DropReason,
    sa: SecurityAssociation | null,
  ): T {
    this.drop(reason, sa);
    r.kind = "drop";
    r.reason = reason;
    r.sa = sa;
    return r;
  }

  /** Takes `sa` out of the tables and zeroes its keys. */
  removeSa(sa: SecurityAssociation): boolean {
    if (!this.sad.remove(sa)) return false;
    sa.destroy();
    if (sa.direction === "out" && sa.reqid !== undefined) this.#acquired.delete(sa.reqid);
    return true;
  }

  /** Hard limit: the SA goes now, and listeners learn it at the next flush. */
  expire(sa: SecurityAssociation, reason: ExpireReason): void {
    if (!this.removeSa(sa)) return;
    this.log.control(`${this.vrf}: SA ${sa.name} hard-expired (${reason}), removed`);
    this.#queue.push(["sa-hard-expired", { vrf: this.vrf, sa, reason }]);
  }

  /** Soft limit: ask for a rekey, once. */
  softExpire(sa: SecurityAssociation, reason: ExpireReason): void {
    if (sa.softExpired) return;
    sa.softExpired = true;
    this.log.control(`${this.vrf}: SA ${sa.name} soft-expired (${reason}), rekey requested`);
    this.#queue.push(["sa-soft-expired", { vrf: this.vrf, sa, reason }]);
  }

  /** A protect policy without SA: ask IKE (at most once per interval and reqid). */
  acquire(policy: Policy, reqid: number, f: Flow): void {
    const now = this.clock.now();
    const last = this.#acquired.get(reqid);
    if (last !== undefined && now - last < ACQUIRE_INTERVAL_MS) return;
    this.#acquired.set(reqid, now);
    this.stats.acquires++;
    const addr = (w: Uint32Array): IpAddress => {
      const bytes = new Uint8Array(f.family === 4 ? 4 : 16);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (w[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
      return { family: f.family, bytes };
    };
    this.#queue.push(["acquire", {
      vrf: this.vrf,
      policy,
      reqid,
      src: addr(f.src),
      dst: addr(f.dst),
      protocol: f.protocol,
      srcPort: f.srcPort,
      dstPort: f.dstPort,
    }]);
  }

  /** Forgets that IKE was asked for `reqid` (an SA for it arrived). */
  acquired(reqid: number): void {
    this.#acquired.delete(reqid);
  }

  /** Takes one ICMP token if the rate allows. */
  icmpAllowed(): boolean {
    const now = this.clock.now();
    this.#icmpTokens = Math.min(
      this.icmpRate,
      this.#icmpTokens + (now - this.#icmpLast) * this.icmpRate / 1000,
    );
    this.#icmpLast = now;
    if (this.#icmpTokens < 1) return false;
    this.#icmpTokens -= 1;
    return true;
  }

  /** Delivers queued events: expiries and acquires in order, then sequence progress. */
  flush(): void {
    this.seqSync.drain((sa, value) => {
      this.#queue.push(["seq-progress", { vrf: this.vrf, sa, value }]);
    });
    if (this.#queue.length === 0) return;
    const q = this.#queue;
    this.#queue = [];
    for (const [type, ev] of q) this.events.emit(type, ev as never);
  }
}
