/**
 * What the ESP dataplane tells the rest of the system (IKE rekeys and
 * acquires, HA synchronises sequence numbers). The packet path never emits
 * directly: it queues, and {@linkcode Dataplane.flushEvents} (called by the
 * I/O loop after each batch and by the dataplane's own timer) delivers, so
 * listeners never run in the middle of a packet.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import type { SecurityAssociation } from "./sa.ts";
import type { Policy } from "./spd.ts";

/** Which limit fired: inner bytes, packets, or the sequence-number counter. */
export type ExpireReason = "bytes" | "packets" | "seq";

export interface SaExpireEvent {
  readonly vrf: string;
  readonly sa: SecurityAssociation;
  readonly reason: ExpireReason;
}

export interface SeqProgressEvent {
  readonly vrf: string;
  readonly sa: SecurityAssociation;
  /** Outbound: the last sequence number sent. Inbound: the highest one accepted. */
  readonly value: number;
}

export interface AcquireEvent {
  readonly vrf: string;
  readonly policy: Policy;
  readonly reqid: number;
  /** The packet that found no SA (RFC 4301 §5.1 "trigger IKE"). */
  readonly src: IpAddress;
  readonly dst: IpAddress;
  readonly protocol: number;
  readonly srcPort: number;
  readonly dstPort: number;
}

export interface EspEvents {
  /** A soft lifetime was reached: IKE should rekey the CHILD SA (sent once per SA). */
  "sa-soft-expired": SaExpireEvent;
  /** A hard lifetime was reached: the SA is already removed from the dataplane. */
  "sa-hard-expired": SaExpireEvent;
  /** An SA's counter moved by `sync-period-packets`, or changed within `sync-period-time`. */
  "seq-progress": SeqProgressEvent;
  /** A protect policy has no SA: IKE should negotiate one (rate-limited per reqid). */
  "acquire": AcquireEvent;
}
