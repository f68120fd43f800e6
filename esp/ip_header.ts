/**
 * The IP headers the dataplane builds itself: the header of a transport-mode
 * packet after decapsulation (RFC 4303 §3.1.1: the outer header becomes the
 * packet's header again) and of the ICMP errors it sends back to the TUN.
 *
 * ```
 * IPv4 (RFC 791 §3.1)                      IPv6 (RFC 8200 §3)
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                 Source Address (128 bits)                     |
 * |              Destination Address (128 bits)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { internetChecksum, put16 } from "./checksum.ts";
import { DEFAULT_TTL, IPV4_HEADER_LENGTH, IPV6_HEADER_LENGTH } from "./constants.ts";

/**
 * Writes a 20-byte IPv4 header at `out[off]` for a packet of `total` bytes
 * (header included), with its checksum. Returns the header length.
 */
export function writeIpv4Header(
  out: Uint8Array,
  off: number,
  total: number,
  protocol: number,
  src: Uint8Array,
  dst: Uint8Array,
  ttl = DEFAULT_TTL,
): number {
  out[off] = 0x45;
  out[off + 1] = 0;
  put16(out, off + 2, total);
  put16(out, off + 4, 0);
  put16(out, off + 6, 0);
  out[off + 8] = ttl;
  out[off + 9] = protocol;
  put16(out, off + 10, 0);
  out.set(src, off + 12);
  out.set(dst, off + 16);
  put16(out, off + 10, internetChecksum(out, off, IPV4_HEADER_LENGTH));
  return IPV4_HEADER_LENGTH;
}

/** Writes a 40-byte IPv6 header for `payloadLength` bytes of payload. Returns 40. */
export function writeIpv6Header(
  out: Uint8Array,
  off: number,
  payloadLength: number,
  nextHeader: number,
  src: Uint8Array,
  dst: Uint8Array,
  hopLimit = DEFAULT_TTL,
): number {
  out[off] = 0x60;
  out[off + 1] = 0;
  out[off + 2] = 0;
  out[off + 3] = 0;
  put16(out, off + 4, payloadLength);
  out[off + 6] = nextHeader;
  out[off + 7] = hopLimit;
  out.set(src, off + 8);
  out.set(dst, off + 24);
  return IPV6_HEADER_LENGTH;
}
