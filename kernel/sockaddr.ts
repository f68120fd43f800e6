/**
 * Socket address structures (`<netinet/in.h>`, `<linux/if_packet.h>`,
 * LP64 glibc layout), encoded into caller-provided bytes without
 * allocating, so the packet path can use them.
 *
 * ```
 *  sockaddr_in (16)         sockaddr_in6 (28)          sockaddr_ll (20)
 *  0  family u16 (host)     0  family u16 (host)       0  family u16 (host)
 *  2  port u16 (network)    2  port u16 (network)      2  protocol u16 (network)
 *  4  addr[4]               4  flowinfo u32            4  ifindex i32
 *  8  zero[8]               8  addr[16]                8  hatype u16
 *                          24  scope_id u32           10  pkttype u8, 11 halen u8
 *                                                     12  addr[8]
 * ```
 *
 * @module
 */
import { type IpAddress, ipFromBytes } from "../core/ip.ts";
import { AF_INET, AF_INET6, AF_PACKET } from "./linux.ts";

export const SOCKADDR_IN_SIZE = 16;
export const SOCKADDR_IN6_SIZE = 28;
export const SOCKADDR_LL_SIZE = 20;
/** Room for any IP socket address. */
export const SOCKADDR_MAX = 28;

/** Writes a sockaddr_in/in6 for `ip`:`port` at `out[off]`; returns its length. */
export function encodeSockaddr(
  ip: IpAddress,
  port: number,
  out: Uint8Array,
  off = 0,
  scopeId = 0,
): number {
  if (ip.family === 4) {
    out.fill(0, off, off + SOCKADDR_IN_SIZE);
    out[off] = AF_INET;
    out[off + 2] = port >> 8;
    out[off + 3] = port & 0xff;
    out.set(ip.bytes, off + 4);
    return SOCKADDR_IN_SIZE;
  }
  out.fill(0, off, off + SOCKADDR_IN6_SIZE);
  out[off] = AF_INET6;
  out[off + 2] = port >> 8;
  out[off + 3] = port & 0xff;
  out.set(ip.bytes, off + 8);
  for (let i = 0; i < 4; i++) out[off + 24 + i] = (scopeId >>> (8 * i)) & 0xff;
  return SOCKADDR_IN6_SIZE;
}

/** The IP family of a sockaddr (0 for anything else). */
export function sockaddrFamily(b: Uint8Array, off = 0): 0 | 4 | 6 {
  const f = b[off]! | (b[off + 1]! << 8);
  return f === AF_INET ? 4 : f === AF_INET6 ? 6 : 0;
}

/** The port of a sockaddr_in/in6. */
export function sockaddrPort(b: Uint8Array, off = 0): number {
  return (b[off + 2]! << 8) | b[off + 3]!;
}

/** Copies the address bytes of a sockaddr_in/in6 into `out`; returns 4, 16 or 0. */
export function sockaddrAddressInto(b: Uint8Array, out: Uint8Array, off = 0): number {
  switch (sockaddrFamily(b, off)) {
    case 4:
      out.set(b.subarray(off + 4, off + 8));
      return 4;
    case 6:
      out.set(b.subarray(off + 8, off + 24));
      return 16;
  }
  return 0;
}

/** A decoded sockaddr_in/in6 (allocates; control plane). */
export function decodeSockaddr(
  b: Uint8Array,
  off = 0,
): { address: IpAddress; port: number } | undefined {
  const f = sockaddrFamily(b, off);
  if (f === 0) return undefined;
  const bytes = f === 4 ? b.subarray(off + 4, off + 8) : b.subarray(off + 8, off + 24);
  return { address: ipFromBytes(bytes), port: sockaddrPort(b, off) };
}

/** Writes a sockaddr_ll for sending to `mac` on `ifindex` with ethertype `protocol`. */
export function encodeSockaddrLl(
  ifindex: number,
  protocol: number,
  mac: Uint8Array,
  out: Uint8Array,
): number {
  out.fill(0, 0, SOCKADDR_LL_SIZE);
  const dv = new DataView(out.buffer, out.byteOffset, SOCKADDR_LL_SIZE);
  dv.setUint16(0, AF_PACKET, true);
  dv.setUint16(2, protocol, false);
  dv.setInt32(4, ifindex, true);
  out[11] = mac.length;
  out.set(mac.subarray(0, 8), 12);
  return SOCKADDR_LL_SIZE;
}
