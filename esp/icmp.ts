/**
 * The ICMP errors the dataplane writes back into a TUN when a packet is too
 * big for its SA's path MTU: IPv4 "fragmentation needed and DF set"
 * (RFC 792 type 3 code 4 with the next-hop MTU of RFC 1191 §4) and IPv6
 * "Packet Too Big" (RFC 4443 §3.2). The quoted invoking packet is as long as
 * fits the limits (576 bytes in all for IPv4, RFC 1812 §4.3.2.3; 1280 for
 * IPv6, RFC 4443 §2.4 (c)), and no error answers an error, a non-first
 * fragment, or a packet from an unspecified, multicast or broadcast address
 * (RFC 1122 §3.2.2, RFC 4443 §2.4 (e)).
 *
 * ```
 * ICMPv4 type 3 code 4                     ICMPv6 type 2
 * +--------+--------+-----------------+    +--------+--------+-----------------+
 * |  Type  |  Code  |    Checksum     |    |  Type  |  Code  |    Checksum     |
 * +--------+--------+-----------------+    +--------+--------+-----------------+
 * |     unused      |  Next-Hop MTU   |    |               MTU                 |
 * +-----------------+-----------------+    +-----------------------------------+
 * | IP header + leading data bytes of |    | As much of the invoking packet as |
 * | the original datagram             |    | fits in 1280 bytes                |
 * ```
 *
 * @module
 */
import { finish, pseudoHeaderSum, put16, put32, sum16 } from "./checksum.ts";
import {
  ICMP_DEST_UNREACH,
  ICMP_ERROR_MAX,
  ICMP_FRAG_NEEDED,
  ICMPV6_ERROR_MAX,
  ICMPV6_PACKET_TOO_BIG,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPV4_HEADER_LENGTH,
  IPV6_HEADER_LENGTH,
} from "./constants.ts";
import { type Flow, OPAQUE_PORT } from "./flow.ts";
import { writeIpv4Header, writeIpv6Header } from "./ip_header.ts";

const ICMP_HEADER_LENGTH = 8;
/** ICMPv4 error types (RFC 792, RFC 1122 §3.2.2): unreachable, source quench, redirect, time exceeded, parameter problem. */
const ICMP4_ERRORS = [3, 4, 5, 11, 12];

/** Not 0/8, loopback, multicast, reserved or broadcast. */
function v4Unicast(p: Uint8Array, o: number): boolean {
  const a = p[o]!;
  return a !== 0 && a !== 127 && a < 224;
}

/**
 * Whether a packet (parsed into `f`) may be answered with an ICMP error:
 * not itself an ICMP error, not a non-first fragment, from a unicast source.
 */
export function mayAnswerWithIcmp(p: Uint8Array, f: Flow): boolean {
  if (f.family === 4) {
    if (!v4Unicast(p, 12) || p[16]! >= 224) return false;
    if (f.laterFragment) return false;
    if (f.protocol === IPPROTO_ICMP && f.srcPort !== OPAQUE_PORT) {
      if (ICMP4_ERRORS.includes(f.srcPort >> 8)) return false;
    }
    return true;
  }
  let unspecified = true;
  for (let i = 8; i < 24; i++) if (p[i] !== 0) unspecified = false;
  if (unspecified || p[8] === 0xff) return false;
  if (f.laterFragment) return false;
  if (f.protocol === IPPROTO_ICMPV6 && f.srcPort !== OPAQUE_PORT && (f.srcPort >> 8) < 128) {
    return false;
  }
  return true;
}

/**
 * Type, code, a zero checksum, the 32-bit MTU word (ICMPv4 keeps its high
 * half unused, so the same write fits both) and the quote.
 */
function writeIcmpBody(
  out: Uint8Array,
  o: number,
  type: number,
  code: number,
  mtu: number,
  orig: Uint8Array,
  quote: number,
): void {
  out[o] = type;
  out[o + 1] = code;
  put16(out, o + 2, 0);
  put32(out, o + 4, mtu);
  out.set(orig.subarray(0, quote), o + ICMP_HEADER_LENGTH);
}

/**
 * Writes an IPv4 "fragmentation needed" error about `orig[0..origLen)` into
 * `out` (from `src`, to the packet's source). Returns its length.
 */
export function buildFragNeeded(
  out: Uint8Array,
  orig: Uint8Array,
  origLen: number,
  mtu: number,
  src: Uint8Array,
): number {
  const quote = Math.min(origLen, ICMP_ERROR_MAX - IPV4_HEADER_LENGTH - ICMP_HEADER_LENGTH);
  const icmpLen = ICMP_HEADER_LENGTH + quote;
  const total = IPV4_HEADER_LENGTH + icmpLen;
  writeIpv4Header(out, 0, total, IPPROTO_ICMP, src, orig.subarray(12, 16));
  const o = IPV4_HEADER_LENGTH;
  writeIcmpBody(out, o, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu, orig, quote);
  put16(out, o + 2, finish(sum16(out, o, icmpLen)));
  return total;
}

/**
 * Writes an ICMPv6 "Packet Too Big" about `orig[0..origLen)` into `out`
 * (from `src`, to the packet's source). Returns its length.
 */
export function buildPacketTooBig(
  out: Uint8Array,
  orig: Uint8Array,
  origLen: number,
  mtu: number,
  src: Uint8Array,
): number {
  const quote = Math.min(origLen, ICMPV6_ERROR_MAX - IPV6_HEADER_LENGTH - ICMP_HEADER_LENGTH);
  const icmpLen = ICMP_HEADER_LENGTH + quote;
  writeIpv6Header(out, 0, icmpLen, IPPROTO_ICMPV6, src, orig.subarray(8, 24));
  const o = IPV6_HEADER_LENGTH;
  writeIcmpBody(out, o, ICMPV6_PACKET_TOO_BIG, 0, mtu, orig, quote);
  const sum = pseudoHeaderSum(out, 8, out, 24, 16, IPPROTO_ICMPV6, icmpLen);
  put16(out, o + 2, finish(sum16(out, o, icmpLen, sum)));
  return IPV6_HEADER_LENGTH + icmpLen;
}
