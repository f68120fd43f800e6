/**
 * Transport mode after decapsulation (RFC 4303 §3.1.1): the payload gets an
 * IP header again, with the SA's endpoints as addresses and the ESP next
 * header as protocol.
 *
 * With UDP encapsulation a NAT may have rewritten the outer addresses the
 * peer's TCP/UDP checksum was computed over. RFC 3948 §3.1.2 lets the
 * receiver repair that in one of three ways; Tandem uses the two that need
 * no NAT-OA payload: a UDP checksum over IPv4 is set to zero (allowed for
 * IPv4 UDP), and a TCP checksum (and a UDP checksum over IPv6, where zero is
 * not allowed) is recomputed over the rebuilt header. The payload was
 * authenticated by ESP, so nothing is lost. Without UDP encapsulation no
 * NAT can sit in between and the checksums stay as sent.
 *
 * @module
 */
import { finish, pseudoHeaderSum, put16, sum16 } from "./checksum.ts";
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_HEADER_LENGTH,
  IPV6_HEADER_LENGTH,
  MAX_PACKET,
} from "./constants.ts";
import { writeIpv4Header, writeIpv6Header } from "./ip_header.ts";
import type { SecurityAssociation } from "./sa.ts";

const TCP_CHECKSUM_OFFSET = 16;
const UDP_CHECKSUM_OFFSET = 6;

/**
 * Writes the IP packet for the transport-mode payload `src[0..len)` with
 * protocol `nextHeader` arriving on `sa` into `out`. Returns its length, or
 * -1 when it would exceed the largest IP packet or a TCP/UDP header to
 * repair is too short.
 */
export function rebuildTransportPacket(
  out: Uint8Array,
  sa: SecurityAssociation,
  src: Uint8Array,
  len: number,
  nextHeader: number,
): number {
  const v4 = sa.local.family === 4;
  const hlen = v4 ? IPV4_HEADER_LENGTH : IPV6_HEADER_LENGTH;
  if ((v4 ? hlen + len : len) > MAX_PACKET) return -1;
  const from = sa.remote.bytes;
  const to = sa.local.bytes;
  if (v4) writeIpv4Header(out, 0, hlen + len, nextHeader, from, to);
  else writeIpv6Header(out, 0, len, nextHeader, from, to);
  out.set(src.subarray(0, len), hlen);
  if (sa.encap.kind !== "udp") return hlen + len;
  if (nextHeader === IPPROTO_UDP) {
    if (len < 8) return -1;
    put16(out, hlen + UDP_CHECKSUM_OFFSET, 0);
    if (v4) return hlen + len;
  } else if (nextHeader === IPPROTO_TCP) {
    if (len < 20) return -1;
    put16(out, hlen + TCP_CHECKSUM_OFFSET, 0);
  } else {
    return hlen + len;
  }
  const addrLen = from.length;
  const pseudo = pseudoHeaderSum(from, 0, to, 0, addrLen, nextHeader, len);
  let c = finish(sum16(out, hlen, len, pseudo));
  // RFC 768: a computed UDP checksum of zero is sent as all ones.
  if (c === 0 && nextHeader === IPPROTO_UDP) c = 0xffff;
  put16(out, hlen + (nextHeader === IPPROTO_TCP ? TCP_CHECKSUM_OFFSET : UDP_CHECKSUM_OFFSET), c);
  return hlen + len;
}
