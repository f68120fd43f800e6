/**
 * Test support for the ESP dataplane: builders of plaintext IPv4/IPv6
 * packets (UDP, TCP, ICMP, fragments, extension headers) with correct
 * checksums, and a checksum written independently of `esp/checksum.ts` so
 * tests can verify what the dataplane builds.
 *
 * @module
 */
import { parseIp } from "../core/ip.ts";

/** RFC 1071 checksum, written plainly (no folding tricks), over the concatenation of `parts`. */
export function refChecksum(...parts: Uint8Array[]): number {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length + (p.length & 1), 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length + (p.length & 1);
  }
  let s = 0;
  for (let i = 0; i < all.length; i += 2) {
    s += (all[i]! << 8) | all[i + 1]!;
    s = (s & 0xffff) + (s >>> 16);
  }
  return ~s & 0xffff;
}

/** Address text to bytes. */
export function ip(text: string): Uint8Array {
  return parseIp(text).bytes;
}

function pseudo(src: Uint8Array, dst: Uint8Array, proto: number, len: number): Uint8Array {
  const p = new Uint8Array(src.length * 2 + 4);
  p.set(src, 0);
  p.set(dst, src.length);
  const o = src.length * 2;
  p[o + 1] = proto;
  p[o + 2] = len >> 8;
  p[o + 3] = len & 0xff;
  return p;
}

export interface PacketSpec {
  src: string;
  dst: string;
  /** 6 TCP, 17 UDP, 1/58 ICMP, anything else raw. */
  protocol: number;
  srcPort?: number;
  dstPort?: number;
  /** ICMP type/code. */
  type?: number;
  code?: number;
  payload?: Uint8Array | number;
  ttl?: number;
  df?: boolean;
  /** IPv4 fragment offset in 8-byte units / more-fragments flag. */
  fragOffset?: number;
  moreFragments?: boolean;
  /** IPv6 extension headers to insert before the upper layer: 0, 43, 60 (8 bytes each) or 44. */
  ext?: number[];
  id?: number;
}

/** The upper-layer bytes (header + payload) with their checksum. */
function upper(spec: PacketSpec, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const payload = typeof spec.payload === "number"
    ? Uint8Array.from({ length: spec.payload }, (_, i) => (i * 7 + 3) & 0xff)
    : spec.payload ?? new Uint8Array(8).fill(0x61);
  const v6 = src.length === 16;
  let h: Uint8Array;
  if (spec.protocol === 17) {
    h = new Uint8Array(8 + payload.length);
    h[0] = (spec.srcPort ?? 1000) >> 8;
    h[1] = (spec.srcPort ?? 1000) & 0xff;
    h[2] = (spec.dstPort ?? 2000) >> 8;
    h[3] = (spec.dstPort ?? 2000) & 0xff;
    h[4] = h.length >> 8;
    h[5] = h.length & 0xff;
    h.set(payload, 8);
    const c = refChecksum(pseudo(src, dst, 17, h.length), h) || 0xffff;
    h[6] = c >> 8;
    h[7] = c & 0xff;
  } else if (spec.protocol === 6) {
    h = new Uint8Array(20 + payload.length);
    h[0] = (spec.srcPort ?? 1000) >> 8;
    h[1] = (spec.srcPort ?? 1000) & 0xff;
    h[2] = (spec.dstPort ?? 2000) >> 8;
    h[3] = (spec.dstPort ?? 2000) & 0xff;
    h[7] = 1; // seq
    h[12] = 5 << 4;
    h[13] = 0x18; // PSH ACK
    h[14] = 0xff;
    h[15] = 0xff;
    h.set(payload, 20);
    const c = refChecksum(pseudo(src, dst, 6, h.length), h);
    h[16] = c >> 8;
    h[17] = c & 0xff;
  } else if (spec.protocol === 1 || spec.protocol === 58) {
    h = new Uint8Array(8 + payload.length);
    h[0] = spec.type ?? (v6 ? 128 : 8);
    h[1] = spec.code ?? 0;
    h[5] = 1;
    h[7] = 1;
    h.set(payload, 8);
    const c = v6 ? refChecksum(pseudo(src, dst, 58, h.length), h) : refChecksum(h);
    h[2] = c >> 8;
    h[3] = c & 0xff;
  } else {
    h = payload.slice();
  }
  return h;
}

/** A complete IPv4 or IPv6 packet (family from the addresses). */
export function packet(spec: PacketSpec): Uint8Array {
  const src = ip(spec.src);
  const dst = ip(spec.dst);
  const body = upper(spec, src, dst);
  if (src.length === 4) {
    const p = new Uint8Array(20 + body.length);
    p[0] = 0x45;
    p[2] = p.length >> 8;
    p[3] = p.length & 0xff;
    p[4] = (spec.id ?? 0x1234) >> 8;
    p[5] = (spec.id ?? 0x1234) & 0xff;
    const frag = (spec.df ? 0x4000 : 0) | (spec.moreFragments ? 0x2000 : 0) |
      (spec.fragOffset ?? 0);
    p[6] = frag >> 8;
    p[7] = frag & 0xff;
    p[8] = spec.ttl ?? 64;
    p[9] = spec.protocol;
    p.set(src, 12);
    p.set(dst, 16);
    const c = refChecksum(p.subarray(0, 20));
    p[10] = c >> 8;
    p[11] = c & 0xff;
    p.set(body, 20);
    return p;
  }
  const ext = spec.ext ?? [];
  const p = new Uint8Array(40 + 8 * ext.length + body.length);
  p[0] = 0x60;
  const plen = p.length - 40;
  p[4] = plen >> 8;
  p[5] = plen & 0xff;
  p[6] = ext.length ? ext[0]! : spec.protocol;
  p[7] = spec.ttl ?? 64;
  p.set(src, 8);
  p.set(dst, 24);
  for (let i = 0; i < ext.length; i++) {
    const o = 40 + 8 * i;
    p[o] = i + 1 < ext.length ? ext[i + 1]! : spec.protocol;
    if (ext[i] === 44) {
      const off = (spec.fragOffset ?? 0) << 3 | (spec.moreFragments ? 1 : 0);
      p[o + 2] = off >> 8;
      p[o + 3] = off & 0xff;
    }
  }
  p.set(body, 40 + 8 * ext.length);
  return p;
}
