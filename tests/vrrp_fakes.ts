/**
 * Test doubles for VRRP: a port that records what an instance asks for, and
 * adverts of a simulated peer. Test support only.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import {
  formatIp,
  formatPrefix,
  type InterfaceAddress,
  type IpAddress,
  parseInterfaceAddress,
  parseIp,
} from "../core/ip.ts";
import { encodeVrrp, vrrpGroup } from "../vrrp/packet.ts";
import type { VrrpPort } from "../vrrp/port.ts";
import type { VrrpInstanceConfig } from "../vrrp/config.ts";

/** One advert the port was asked to send. */
export interface SentAdvert {
  readonly at: number;
  readonly priority: number;
  readonly src: IpAddress;
  readonly message: Uint8Array;
}

/** A port that records every call, with the fake clock's time. */
export class RecordingPort implements VrrpPort {
  /** `advert 100`, `add 10.100.0.2/24 accept`, `remove 10.100.0.2/24`, `announce 5`, in order. */
  readonly events: string[] = [];
  readonly adverts: SentAdvert[] = [];
  readonly announcements: { at: number; count: number }[] = [];
  /** Addresses currently added. */
  readonly active = new Set<string>();
  /** When false, sendAdvert fails (e.g. link down). */
  sendOk = true;
  /** Called after each successful send (a fake wire hooks in here). */
  onSend: ((message: Uint8Array, src: IpAddress) => void) | undefined;

  constructor(readonly clock: Clock) {}

  sendAdvert(message: Uint8Array, src: IpAddress): boolean {
    this.events.push(`advert ${message[2]}`);
    if (!this.sendOk) return false;
    this.adverts.push({
      at: this.clock.now(),
      priority: message[2]!,
      src,
      message: message.slice(),
    });
    this.onSend?.(message.slice(), src);
    return true;
  }

  addVirtualAddresses(addrs: readonly InterfaceAddress[], accept: boolean): void {
    for (const a of addrs) this.active.add(formatPrefix(a));
    this.events.push(`add ${addrs.map(formatPrefix).join(",")}${accept ? " accept" : ""}`);
  }

  removeVirtualAddresses(addrs: readonly InterfaceAddress[]): void {
    for (const a of addrs) this.active.delete(formatPrefix(a));
    this.events.push(`remove ${addrs.map(formatPrefix).join(",")}`);
  }

  announce(addrs: readonly InterfaceAddress[], count: number): void {
    this.announcements.push({ at: this.clock.now(), count: count * addrs.length });
    this.events.push(`announce ${count}`);
  }

  /** Adverts sent at or after `from` (ms). */
  advertsSince(from: number): SentAdvert[] {
    return this.adverts.filter((a) => a.at >= from);
  }
}

/** A peer's advert as it would arrive: message plus IP facts. */
export interface PeerAdvert {
  readonly message: Uint8Array;
  readonly src: IpAddress;
  readonly dst: IpAddress;
  readonly ttl: number;
}

/** Builds the advert a peer at `src` would send. */
export function peerAdvert(opts: {
  src: string;
  priority: number;
  vrid?: number;
  intervalCs?: number;
  addresses?: readonly string[];
}): PeerAdvert {
  const src = parseIp(opts.src);
  const dst = vrrpGroup(src.family);
  const addresses = (opts.addresses ?? ["10.100.0.2"]).map(parseIp);
  const message = encodeVrrp(
    {
      family: src.family,
      vrid: opts.vrid ?? 1,
      priority: opts.priority,
      intervalCs: opts.intervalCs ?? 100,
      addresses,
    },
    src,
    dst,
  );
  return { message, src, dst, ttl: 255 };
}

/** Text of an address for assertions. */
export const ip = formatIp;

/**
 * The reference manual's `vrrp vrrp51` (link-interface eth1, VIP
 * 10.100.0.2/24) or `vrrp vrrp52` (eth2, 10.200.0.2/24): vrid 1, priority
 * 100, advertisement-interval 1000, on node `host` (ha1 = 1, ha2 = 2), whose
 * eth1 / eth2 addresses are 10.22.0.host / 10.23.0.host.
 */
export function referenceVrrp(
  which: 51 | 52,
  host = 1,
  over: Partial<VrrpInstanceConfig> = {},
): VrrpInstanceConfig {
  const first = which === 51;
  return {
    name: `vrrp${which}`,
    linkInterface: first ? "eth1" : "eth2",
    vrid: 1,
    priority: 100,
    advertisementIntervalMs: 1000,
    virtualAddresses: [parseInterfaceAddress(first ? "10.100.0.2/24" : "10.200.0.2/24")],
    primaryAddress: parseIp(`10.${first ? 22 : 23}.0.${host}`),
    ...over,
  };
}
