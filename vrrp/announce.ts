/**
 * The frames a new master sends to move its virtual addresses (RFC 5798
 * §6.4.1, §6.4.2): gratuitous ARP for IPv4 (RFC 826 request form, as
 * keepalived sends it) and unsolicited Neighbor Advertisements for IPv6
 * (RFC 4861 §4.4, §7.2.6). Whole Ethernet frames, for an AF_PACKET socket
 * bound to the virtual link, because their source MAC is the virtual MAC.
 *
 * Gratuitous ARP (42 bytes):
 *
 * ```text
 * Ethernet  dst ff:ff:ff:ff:ff:ff  src <mac>  type 0x0806
 * ARP       htype 1  ptype 0x0800  hlen 6  plen 4  op 1 (request)
 *           sha <mac>  spa <vip>  tha ff:ff:ff:ff:ff:ff  tpa <vip>
 * ```
 *
 * Unsolicited NA (86 bytes):
 *
 * ```text
 * Ethernet  dst 33:33:00:00:00:01  src <mac>  type 0x86dd
 * IPv6      version 6, class 0, flow 0, payload 32, next header 58, hop limit 255
 *           src <vip>  dst ff02::1
 * ICMPv6    type 136 code 0 checksum | R S O flags (R if router, O) | target <vip>
 *           option 2 (Target Link-Layer Address), length 1: <mac>
 * ```
 *
 * Both match keepalived 2.2.7's byte for byte (the lab's IPv4 captures and
 * the IPv6 capture recorded for Tandem).
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";

/** `00:00:5e:00:01:4e` to 6 bytes. */
export function macBytes(text: string): Uint8Array {
  const parts = text.split(":");
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) {
    throw new RangeError(`Cannot parse MAC address "${text}"`);
  }
  return new Uint8Array(parts.map((p) => parseInt(p, 16)));
}

const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** The gratuitous ARP announcing `vip` at `mac`. */
export function garpFrame(mac: Uint8Array, vip: IpAddress): Uint8Array {
  if (vip.family !== 4 || mac.length !== 6) {
    throw new RangeError(
      "Cannot build a gratuitous ARP: it needs an IPv4 address and a 6-byte MAC",
    );
  }
  const f = new Uint8Array(42);
  f.set(BROADCAST, 0);
  f.set(mac, 6);
  f.set([0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01], 12);
  f.set(mac, 22);
  f.set(vip.bytes, 28);
  f.set(BROADCAST, 32);
  f.set(vip.bytes, 38);
  return f;
}

const ALL_NODES = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01];

/** The unsolicited Neighbor Advertisement announcing `vip` at `mac`. */
export function unsolicitedNaFrame(mac: Uint8Array, vip: IpAddress, router: boolean): Uint8Array {
  if (vip.family !== 6 || mac.length !== 6) {
    throw new RangeError(
      "Cannot build a neighbor advertisement: it needs an IPv6 address and a 6-byte MAC",
    );
  }
  const f = new Uint8Array(86);
  f.set([0x33, 0x33, 0, 0, 0, 0x01], 0);
  f.set(mac, 6);
  f.set([0x86, 0xdd], 12);
  // IPv6 header at 14.
  f.set([0x60, 0, 0, 0, 0, 32, 58, 255], 14);
  f.set(vip.bytes, 22);
  f.set(ALL_NODES, 38);
  // ICMPv6 at 54: type, code, checksum, flags, reserved, target, option.
  f[54] = 136;
  f[58] = (router ? 0x80 : 0) | 0x20;
  f.set(vip.bytes, 62);
  f.set([2, 1], 78);
  f.set(mac, 80);
  const c = icmp6Checksum(f.subarray(54), vip.bytes, f.subarray(38, 54));
  f[56] = c >> 8;
  f[57] = c & 0xff;
  return f;
}

function icmp6Checksum(msg: Uint8Array, src: Uint8Array, dst: Uint8Array): number {
  let sum = msg.length + 58;
  for (const b of [src, dst, msg]) {
    for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
