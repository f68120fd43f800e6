/**
 * The selector fields of a plaintext IP packet (RFC 4301 §4.4.1.1): family,
 * addresses, upper-layer protocol and ports, read into a reusable
 * {@linkcode Flow} without allocating. IPv4 (RFC 791) and IPv6 (RFC 8200,
 * extension headers walked to the upper layer).
 *
 * Ports: TCP, UDP, SCTP and UDP-Lite give their source and destination
 * ports; ICMP and ICMPv6 give `type << 8 | code` in both (how IKEv2 traffic
 * selectors carry them, RFC 7296 §3.13.1); every other protocol, and every
 * fragment but the first, has {@linkcode OPAQUE_PORT}, which only a
 * selector accepting all ports matches (RFC 4301 §4.4.1.1 "OPAQUE").
 *
 * @module
 */
import {
  IPPROTO_AH,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HOPOPTS,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_ROUTING,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
  IPV4_DF,
  IPV4_HEADER_LENGTH,
  IPV4_MF,
  IPV4_OFFSET_MASK,
  IPV6_HEADER_LENGTH,
} from "./constants.ts";

/** Port value of packets whose ports cannot be known. */
export const OPAQUE_PORT = -1;

/** Extension headers walked at most before giving up on an IPv6 packet. */
const MAX_EXTENSION_HEADERS = 8;

/** The selector view of one packet; addresses as 32-bit words (IPv4 uses word 0). */
export class Flow {
  family: 4 | 6 = 4;
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  protocol = 0;
  srcPort = 0;
  dstPort = 0;
  /** Bytes of IP header (IPv6: up to the upper-layer header). */
  headerLength = 0;
  /** Total length from the IP header (the packet may carry trailing bytes). */
  totalLength = 0;
  /** Any fragment, first or not. */
  fragment = false;
  /** A fragment other than the first (its ports are unknown). */
  laterFragment = false;
  /** IPv4 Don't Fragment bit. */
  dontFragment = false;
  /** IPv6 extension headers precede the upper layer. */
  extensionHeaders = false;
}

function word(p: Uint8Array, o: number): number {
  return ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
}

function readPorts(p: Uint8Array, off: number, end: number, f: Flow): void {
  const proto = f.protocol;
  if (
    proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP ||
    proto === IPPROTO_UDPLITE
  ) {
    if (off + 4 <= end) {
      f.srcPort = (p[off]! << 8) | p[off + 1]!;
      f.dstPort = (p[off + 2]! << 8) | p[off + 3]!;
      return;
    }
  } else if (
    (proto === IPPROTO_ICMP && f.family === 4) || (proto === IPPROTO_ICMPV6 && f.family === 6)
  ) {
    if (off + 2 <= end) {
      f.srcPort = f.dstPort = (p[off]! << 8) | p[off + 1]!;
      return;
    }
  }
  f.srcPort = f.dstPort = OPAQUE_PORT;
}

/**
 * Reads the packet `p[0..len)` into `f`. Returns false when it is not a
 * well-formed IPv4/IPv6 packet (bad version, header or lengths).
 */
export function parseFlow(p: Uint8Array, len: number, f: Flow): boolean {
  if (len < 1) return false;
  const version = p[0]! >> 4;
  if (version === 4) return parseV4(p, len, f);
  if (version === 6) return parseV6(p, len, f);
  return false;
}

function parseV4(p: Uint8Array, len: number, f: Flow): boolean {
  if (len < IPV4_HEADER_LENGTH) return false;
  const ihl = (p[0]! & 0x0f) * 4;
  const total = (p[2]! << 8) | p[3]!;
  if (ihl < IPV4_HEADER_LENGTH || total < ihl || total > len) return false;
  f.family = 4;
  f.src[0] = word(p, 12);
  f.dst[0] = word(p, 16);
  f.src[1] =
    f.src[2] =
    f.src[3] =
    f.dst[1] =
    f.dst[2] =
    f.dst[3] =
      0;
  f.protocol = p[9]!;
  f.headerLength = ihl;
  f.totalLength = total;
  f.extensionHeaders = false;
  const frag = (p[6]! << 8) | p[7]!;
  f.dontFragment = (frag & IPV4_DF) !== 0;
  const offset = frag & IPV4_OFFSET_MASK;
  f.fragment = offset !== 0 || (frag & IPV4_MF) !== 0;
  f.laterFragment = offset !== 0;
  if (offset !== 0) f.srcPort = f.dstPort = OPAQUE_PORT;
  else readPorts(p, ihl, total, f);
  return true;
}

function parseV6(p: Uint8Array, len: number, f: Flow): boolean {
  if (len < IPV6_HEADER_LENGTH) return false;
  const total = IPV6_HEADER_LENGTH + ((p[4]! << 8) | p[5]!);
  if (total > len) return false;
  f.family = 6;
  for (let i = 0; i < 4; i++) {
    f.src[i] = word(p, 8 + 4 * i);
    f.dst[i] = word(p, 24 + 4 * i);
  }
  f.dontFragment = true;
  f.fragment = false;
  f.laterFragment = false;
  f.extensionHeaders = false;
  let nh = p[6]!;
  let off = IPV6_HEADER_LENGTH;
  let opaque = false;
  for (let n = 0;; n++) {
    if (
      nh !== IPPROTO_HOPOPTS && nh !== IPPROTO_ROUTING && nh !== IPPROTO_DSTOPTS &&
      nh !== IPPROTO_FRAGMENT && nh !== IPPROTO_AH
    ) {
      break;
    }
    if (n === MAX_EXTENSION_HEADERS || off + 8 > total) return false;
    f.extensionHeaders = true;
    let hlen: number;
    if (nh === IPPROTO_FRAGMENT) {
      hlen = 8;
      f.fragment = true;
      if ((((p[off + 2]! << 8) | p[off + 3]!) & 0xfff8) !== 0) opaque = true;
    } else if (nh === IPPROTO_AH) {
      hlen = (p[off + 1]! + 2) * 4;
    } else {
      hlen = (p[off + 1]! + 1) * 8;
    }
    nh = p[off]!;
    off += hlen;
    if (off > total) return false;
  }
  f.laterFragment = opaque;
  f.protocol = nh;
  f.headerLength = off;
  f.totalLength = total;
  if (opaque) f.srcPort = f.dstPort = OPAQUE_PORT;
  else readPorts(p, off, total, f);
  return true;
}
