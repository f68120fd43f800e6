/**
 * The Internet checksum (RFC 1071) and the pseudo-header sums of TCP/UDP
 * over IPv4 (RFC 768, RFC 9293) and of every upper layer over IPv6
 * (RFC 8200 §8.1), for the headers the dataplane writes or repairs.
 *
 * @module
 */

/** One's-complement sum of `p[off..off+len)` added to `sum` (not folded). */
export function sum16(p: Uint8Array, off: number, len: number, sum = 0): number {
  let s = sum;
  const end = off + len - 1;
  let i = off;
  for (; i < end; i += 2) s += (p[i]! << 8) | p[i + 1]!;
  if (i === end) s += p[i]! << 8;
  // Fold now and then so the number stays an exact integer for any length.
  return (s & 0xffff) + Math.floor(s / 0x10000);
}

/** Folds a sum to 16 bits and complements it: the value to store in a checksum field. */
export function finish(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** The checksum of `p[off..off+len)`. */
export function internetChecksum(p: Uint8Array, off: number, len: number): number {
  return finish(sum16(p, off, len));
}

/**
 * The pseudo-header sum: source and destination (4 or 16 bytes each),
 * upper-layer length and protocol (the IPv4 and IPv6 forms sum alike).
 */
export function pseudoHeaderSum(
  src: Uint8Array,
  srcOff: number,
  dst: Uint8Array,
  dstOff: number,
  addrLen: number,
  protocol: number,
  length: number,
): number {
  let s = sum16(src, srcOff, addrLen);
  s = sum16(dst, dstOff, addrLen, s);
  return s + protocol + (length & 0xffff) + Math.floor(length / 0x10000);
}

/** Writes a 16-bit value big-endian. */
export function put16(p: Uint8Array, off: number, v: number): void {
  p[off] = (v >>> 8) & 0xff;
  p[off + 1] = v & 0xff;
}

/** Writes a 32-bit value big-endian. */
export function put32(p: Uint8Array, off: number, v: number): void {
  p[off] = (v >>> 24) & 0xff;
  p[off + 1] = (v >>> 16) & 0xff;
  p[off + 2] = (v >>> 8) & 0xff;
  p[off + 3] = v & 0xff;
}

/** Reads a 16-bit big-endian value. */
export function get16(p: Uint8Array, off: number): number {
  return (p[off]! << 8) | p[off + 1]!;
}

/** Reads a 32-bit big-endian value (unsigned). */
export function get32(p: Uint8Array, off: number): number {
  return ((p[off]! << 24) | (p[off + 1]! << 16) | (p[off + 2]! << 8) | p[off + 3]!) >>> 0;
}
