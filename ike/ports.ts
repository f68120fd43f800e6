/**
 * Everything the IKE engine does to the outside world goes through these
 * injected interfaces, so that two engines can run whole exchanges in one
 * process under a fake clock, and the daemon can adapt its own subsystems
 * (UDP sockets per VRF, the ESP dataplane, HA-synced pools) to them.
 *
 * Not here but also injected: `Clock` (core/clock.ts), `Rng` (core/rng.ts),
 * `Logger`s for `ike`, `chd`, `enc` (core/log.ts), {@linkcode PskLookup}.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { IpAddress } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import type { Rng } from "../core/rng.ts";
import type { EncryptionName, IntegrityName } from "../crypto/types.ts";
import type { ChildMode } from "./config.ts";
import type { Identity } from "./identity.ts";
import type { PskLookup } from "./psk.ts";
import type { TrafficSelector } from "./ts.ts";

/** An address and UDP port. */
export interface Endpoint {
  readonly address: IpAddress;
  readonly port: number;
}

/**
 * Datagram output. The engine picks the ports (500, or 4500 after NAT
 * detection) and adds the 4-byte non-ESP marker itself on 4500 (RFC 3948
 * §2.2), so `data` is exactly the UDP payload. Input is the other way
 * round: the I/O layer calls `IkeInstance.receive()`.
 */
export interface Transport {
  send(local: Endpoint, remote: Endpoint, data: Uint8Array): void;
}

/** One direction of a CHILD SA: the SPI the receiver chose, algorithms and keys. */
export interface DataplaneKeys {
  readonly spi: number;
  readonly enc: EncryptionName;
  /** Key and salt as KEYMAT gives them (RFC 7296 §2.17). */
  readonly encKey: Uint8Array;
  readonly integ?: IntegrityName;
  readonly integKey?: Uint8Array;
}

/** Byte and packet limits the dataplane watches (RFC 4301 §4.4.2.1 soft/hard lifetimes). */
export interface DataplaneLimits {
  readonly softBytes?: number;
  readonly hardBytes?: number;
  readonly softPackets?: number;
  readonly hardPackets?: number;
}

/** Everything the dataplane needs to carry one CHILD SA pair. */
export interface DataplaneSa {
  /** Engine-wide unique id of this CHILD SA pair (stable across HA nodes). */
  readonly id: string;
  /**
   * The security policy this SA serves (VPN and CHILD config). Outbound
   * traffic of a policy uses the SA that most recently took it over and is
   * still installed; older ones keep decrypting inbound until removed
   * (rekeying, RFC 7296 §2.8).
   */
  readonly policy: string;
  /**
   * Whether this SA takes over outbound traffic at once. False for the
   * responder of a CHILD SA rekey (strongSwan's behaviour): the initiator
   * may not have installed its inbound SA yet, so the switch waits for
   * {@linkcode Dataplane.activateOutbound} when the old SA is deleted.
   */
  readonly outboundNow: boolean;
  readonly vrf: string;
  readonly mode: ChildMode;
  /** Outer addresses; with `encap` the ports of the UDP encapsulation (RFC 3948). */
  readonly local: Endpoint;
  readonly remote: Endpoint;
  readonly encap: boolean;
  readonly inbound: DataplaneKeys;
  readonly outbound: DataplaneKeys;
  readonly esn: boolean;
  readonly replayWindow: number;
  readonly localTs: readonly TrafficSelector[];
  readonly remoteTs: readonly TrafficSelector[];
  readonly svtiIdIn?: number;
  readonly svtiIdOut?: number;
  readonly limits?: DataplaneLimits;
}

/** Traffic seen by one SA pair. Times are the engine `Clock`'s `now()`. */
export interface DataplaneCounters {
  readonly bytesIn: number;
  readonly packetsIn: number;
  readonly bytesOut: number;
  readonly packetsOut: number;
  readonly lastInbound?: number;
  readonly lastOutbound?: number;
  /** Next outbound sequence number to use. */
  readonly seqOut: bigint;
  /** Highest inbound sequence number accepted. */
  readonly seqIn: bigint;
}

export type DataplaneResult = { ok: true } | { ok: false; reason: string };

/**
 * The ESP dataplane as the engine sees it. Soft/hard expiry of byte and
 * packet limits comes back through `IkeInstance.childExpired()`.
 */
export interface Dataplane {
  install(sa: DataplaneSa): DataplaneResult;
  /** Makes an installed SA the outbound one of its policy. */
  activateOutbound(id: string): void;
  /** Moves an SA pair to new outer endpoints or encapsulation (NAT port float). */
  update(id: string, change: { local: Endpoint; remote: Endpoint; encap: boolean }): void;
  remove(id: string): void;
  counters(id: string): DataplaneCounters | undefined;
}

/** CP attributes a pool hands out besides the address (RFC 7296 §3.15.1). */
export interface VipAttributes {
  readonly dns: readonly IpAddress[];
  readonly nbns: readonly IpAddress[];
  readonly dhcp: readonly IpAddress[];
  readonly subnets: readonly { readonly address: IpAddress; readonly length: number }[];
  /** INTERNAL_IP4_NETMASK, when configured. */
  readonly netmask?: IpAddress;
}

/**
 * A virtual IP pool (`vip-pool`). HA supplies a synced implementation; the
 * engine only allocates on IKE_AUTH and releases when the IKE SA dies.
 */
export interface VipPool {
  readonly name: string;
  /** An address for `peer` (the requested one if free, the peer's previous lease first). */
  allocate(peer: Identity, family: 4 | 6, requested?: IpAddress): IpAddress | undefined;
  release(peer: Identity, address: IpAddress): void;
  /** Addresses currently leased to `peer`. */
  lookup(peer: Identity): IpAddress[];
  readonly attributes: VipAttributes;
}

/** The loggers the engine writes to. */
export interface IkeLoggers {
  readonly ike: Logger;
  readonly chd: Logger;
  readonly enc: Logger;
}

/** All ports of one engine instance. */
export interface IkePorts {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: IkeLoggers;
  readonly transport: Transport;
  readonly dataplane: Dataplane;
  readonly psk: PskLookup;
  /** The pool named by a VPN's `vip-pool`. */
  readonly pools: (name: string) => VipPool | undefined;
}
