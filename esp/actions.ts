/**
 * What the dataplane tells its I/O loop to do with a packet. Each dataplane
 * owns one {@linkcode OutboundAction} and one {@linkcode InboundAction} and
 * overwrites them on every call: the loop must consume the result (send,
 * write, copy) before it hands the dataplane the next packet. `buf` is a
 * buffer owned by the dataplane (or the input datagram itself) and the bytes
 * are `buf[offset .. offset + length)`.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import type { DropReason } from "./counters.ts";
import type { SecurityAssociation } from "./sa.ts";

const EMPTY = new Uint8Array(0);

/** How ESP leaves and arrives: UDP port 4500 (RFC 3948) or IP protocol 50. */
export type Via = "udp" | "raw";

export type OutboundKind =
  /** Send `buf` (the UDP payload, or the payload of an IP protocol 50 packet) to `remote`. */
  | "send"
  /** Write `buf` (an ICMP error, a whole IP packet) back into the TUN the packet came from. */
  | "icmp"
  /** Nothing to do; `reason` says why (already counted). */
  | "drop";

export class OutboundAction {
  kind: OutboundKind = "drop";
  reason: DropReason | null = null;
  buf: Uint8Array = EMPTY;
  offset = 0;
  length = 0;
  /** send: the SA used, its encapsulation and its endpoints. */
  sa: SecurityAssociation | null = null;
  via: Via = "udp";
  local: IpAddress | null = null;
  remote: IpAddress | null = null;
  localPort = 0;
  remotePort = 0;
  /** icmp: the TUN to write to (the SVTI id the packet came from; null = the VRF's policy TUN). */
  ifaceId: number | null = null;
}

export type InboundKind =
  /** Write `buf` (the decrypted IP packet) into the TUN `ifaceId` (null = the VRF's policy TUN). */
  | "tun"
  /** Hand `buf` (the IKE message, non-ESP marker removed) to IKE. */
  | "ike"
  /** A NAT-keepalive: consumed. */
  | "keepalive"
  /** Nothing to do; `reason` says why (already counted). */
  | "drop";

export class InboundAction {
  kind: InboundKind = "drop";
  reason: DropReason | null = null;
  buf: Uint8Array = EMPTY;
  offset = 0;
  length = 0;
  sa: SecurityAssociation | null = null;
  ifaceId: number | null = null;
}
