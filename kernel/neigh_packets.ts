/**
 * Ethernet frames that tell neighbours where an address now lives, sent
 * by a new VRRP master (RFC 5798 §6.4.2, §8.1.2, §8.2.2):
 *
 * - a gratuitous ARP (RFC 826 request whose sender and target protocol
 *   addresses are both the announced address; RFC 5227 §3), laid out as
 *   keepalived 2.2.7 sends it (target hardware address broadcast);
 * - an unsolicited IPv6 Neighbor Advertisement (RFC 4861 §4.4, §7.2.6) to
 *   all-nodes ff02::1, hop limit 255, Override set, Router set for a
 *   router, with the target link-layer address option.
 *
 * ```
 *  ARP over Ethernet (28 bytes after the 14-byte Ethernet header)
 *  0 htype=1   2 ptype=0x0800   4 hlen=6 plen=4   6 oper=1 (request)
 *  8 sha[6]   14 spa[4]   18 tha[6]   24 tpa[4]
 *
 *  Neighbor Advertisement (ICMPv6 type 136), after a 40-byte IPv6 header
 *  0 type=136 code=0 checksum   4 R|S|O flags + reserved (32 bits)
 *  8 target address[16]   24 option: type 2, len 1 (8 octets), MAC[6]
 * ```
 *
 * Builders write into caller-provided buffers and return the frame length.
 *
 * @module
 */
import { type IpAddress, parseIp } from "../core/ip.ts";
import { ETH_P_ARP, ETH_P_IPV6, IPPROTO_ICMPV6 } from "./linux.ts";

const ETH_HLEN = 14;
export const GARP_FRAME_LEN = ETH_HLEN + 28;
export const NA_FRAME_LEN = ETH_HLEN + 40 + 32;
const BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** ff02::1 (all nodes) and its Ethernet multicast address 33:33:00:00:00:01 (RFC 2464 §7). */
const ALL_NODES = parseIp("ff02::1");
const ALL_NODES_MAC = new Uint8Array([0x33, 0x33, 0, 0, 0, 1]);

function ethernet(out: Uint8Array, dst: Uint8Array, src: Uint8Array, type: number): void {
  out.set(dst, 0);
  out.set(src, 6);
  out[12] = type >> 8;
  out[13] = type & 0xff;
}

function checkMac(mac: Uint8Array): void {
  if (mac.length !== 6) throw new Error(`Cannot announce from a ${mac.length}-byte MAC address`);
}

/** Writes a gratuitous ARP for IPv4 `ip` at `mac` (broadcast); returns 42. */
export function encodeGratuitousArp(out: Uint8Array, mac: Uint8Array, ip: IpAddress): number {
  checkMac(mac);
  if (ip.family !== 4) throw new Error("Cannot send a gratuitous ARP for an IPv6 address");
  ethernet(out, BROADCAST, mac, ETH_P_ARP);
  const a = ETH_HLEN;
  out.set([0, 1, 0x08, 0x00, 6, 4, 0, 1], a);
  out.set(mac, a + 8);
  out.set(ip.bytes, a + 14);
  out.set(BROADCAST, a + 18);
  out.set(ip.bytes, a + 24);
  return GARP_FRAME_LEN;
}

/** RFC 1071 one's-complement sum of `b`, folded into 16 bits. */
function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let s = acc;
  for (let i = start; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((end - start) & 1) s += b[end - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * Writes an unsolicited Neighbor Advertisement for `target` at `mac`,
 * from `source` (default: `target` itself), to ff02::1; returns 86.
 */
export function encodeUnsolicitedNa(
  out: Uint8Array,
  mac: Uint8Array,
  target: IpAddress,
  opts: { source?: IpAddress; router?: boolean } = {},
): number {
  checkMac(mac);
  if (target.family !== 6) throw new Error("Cannot send a Neighbor Advertisement for IPv4");
  const source = opts.source ?? target;
  ethernet(out, ALL_NODES_MAC, mac, ETH_P_IPV6);
  const ip = ETH_HLEN;
  out.fill(0, ip, NA_FRAME_LEN);
  out[ip] = 0x60;
  out[ip + 5] = 32;
  out[ip + 6] = IPPROTO_ICMPV6;
  out[ip + 7] = 255;
  out.set(source.bytes, ip + 8);
  out.set(ALL_NODES.bytes, ip + 24);
  const icmp = ip + 40;
  out[icmp] = 136;
  out[icmp + 4] = (opts.router ? 0x80 : 0) | 0x20;
  out.set(target.bytes, icmp + 8);
  out[icmp + 24] = 2;
  out[icmp + 25] = 1;
  out.set(mac, icmp + 26);
  // Pseudo-header (RFC 8200 §8.1): addresses, upper-layer length 32, next header 58.
  let s = sum16(out, ip + 8, ip + 40, 32 + IPPROTO_ICMPV6);
  s = sum16(out, icmp, icmp + 32, s);
  const c = ~s & 0xffff;
  out[icmp + 2] = c >> 8;
  out[icmp + 3] = c & 0xff;
  return NA_FRAME_LEN;
}
