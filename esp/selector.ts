/**
 * Traffic selectors (RFC 4301 §4.4.1.1; the IKEv2 form of RFC 7296 §3.13.1):
 * a source and a destination address range, an IP protocol (0 = any) and a
 * port range on each side. The SPD matches outbound packets against them and
 * the inbound path checks decrypted packets against the SA's (RFC 4301 §5.2
 * step 4).
 *
 * Addresses are held as four 32-bit words so a match is a few integer
 * compares on the packet path ({@linkcode Flow} uses the same layout).
 *
 * @module
 */
import {
  formatIp,
  type IpAddress,
  type IpPrefix,
  lastAddress,
  maxPrefixLength,
  parseIp,
  parsePrefix,
} from "../core/ip.ts";
import { type Flow, OPAQUE_PORT } from "./flow.ts";

/** An inclusive address range; a prefix is the range from its network to its last address. */
export interface AddressRange {
  readonly start: IpAddress;
  readonly end: IpAddress;
}

/** How selectors are written: `"10.0.0.0/24"`, `"10.0.0.1"`, `"10.0.0.1-10.0.0.9"`, a prefix or a range. */
export type AddressSpec = string | IpPrefix | AddressRange;

/** What {@linkcode makeSelector} takes. Ports: a number, `[lo, hi]`, or omitted for all. */
export interface SelectorSpec {
  readonly src: AddressSpec;
  readonly dst: AddressSpec;
  /** IP protocol number; 0 or omitted = any. */
  readonly protocol?: number;
  readonly srcPorts?: number | readonly [number, number];
  readonly dstPorts?: number | readonly [number, number];
}

/** A validated selector in match form. */
export interface Selector {
  readonly family: 4 | 6;
  /** srcLo, srcHi, dstLo, dstHi as 4 words each, in one array (what matching reads). */
  readonly bounds: Uint32Array;
  readonly srcLo: Uint32Array;
  readonly srcHi: Uint32Array;
  readonly dstLo: Uint32Array;
  readonly dstHi: Uint32Array;
  readonly protocol: number;
  readonly srcPortLo: number;
  readonly srcPortHi: number;
  readonly dstPortLo: number;
  readonly dstPortHi: number;
}

/** Thrown for a selector that cannot be built; the message says why. */
export class SelectorError extends Error {
  override name = "SelectorError";
}

function toWords(ip: IpAddress): Uint32Array {
  const w = new Uint32Array(4);
  const b = ip.bytes;
  for (let i = 0; i < b.length / 4; i++) {
    w[i] = ((b[4 * i]! << 24) | (b[4 * i + 1]! << 16) | (b[4 * i + 2]! << 8) | b[4 * i + 3]!) >>>
      0;
  }
  return w;
}

function wordsToIp(family: 4 | 6, w: Uint32Array): IpAddress {
  const bytes = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (w[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
  return { family, bytes };
}

/** Lexicographic comparison of the first `n` words. */
export function compareWords(a: Uint32Array, b: Uint32Array, n: number): number {
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

function toRange(spec: AddressSpec, what: string): AddressRange {
  if (typeof spec !== "string") {
    if ("length" in spec) return { start: spec.address, end: lastAddress(spec) };
    return spec;
  }
  try {
    if (spec.includes("/")) {
      const p = parsePrefix(spec, true);
      return { start: p.address, end: lastAddress(p) };
    }
    const dash = spec.indexOf("-");
    if (dash >= 0) {
      return { start: parseIp(spec.slice(0, dash)), end: parseIp(spec.slice(dash + 1)) };
    }
    const ip = parseIp(spec);
    return { start: ip, end: ip };
  } catch (e) {
    throw new SelectorError(`Cannot use "${spec}" as ${what}: ${(e as Error).message}`);
  }
}

function toPorts(spec: SelectorSpec["srcPorts"], what: string): [number, number] {
  if (spec === undefined) return [0, 65535];
  const [lo, hi] = typeof spec === "number" ? [spec, spec] : spec;
  const ok = (v: number) => Number.isInteger(v) && v >= 0 && v <= 65535;
  if (!ok(lo) || !ok(hi) || lo > hi) {
    throw new SelectorError(`Cannot use ports ${lo}-${hi} as ${what}: need 0 <= lo <= hi <= 65535`);
  }
  return [lo, hi];
}

/** Validates `spec` and builds the match form; throws {@linkcode SelectorError}. */
export function makeSelector(spec: SelectorSpec): Selector {
  const src = toRange(spec.src, "source");
  const dst = toRange(spec.dst, "destination");
  const family = src.start.family;
  if (src.end.family !== family || dst.start.family !== family || dst.end.family !== family) {
    throw new SelectorError("Cannot build a selector that mixes IPv4 and IPv6 addresses");
  }
  const protocol = spec.protocol ?? 0;
  if (!Number.isInteger(protocol) || protocol < 0 || protocol > 255) {
    throw new SelectorError(`Cannot use protocol ${protocol}: need 0..255`);
  }
  const n = family === 4 ? 1 : 4;
  const bounds = new Uint32Array(16);
  bounds.set(toWords(src.start), 0);
  bounds.set(toWords(src.end), 4);
  bounds.set(toWords(dst.start), 8);
  bounds.set(toWords(dst.end), 12);
  const sel = {
    family,
    bounds,
    srcLo: bounds.subarray(0, 4),
    srcHi: bounds.subarray(4, 8),
    dstLo: bounds.subarray(8, 12),
    dstHi: bounds.subarray(12, 16),
    protocol,
    srcPortLo: 0,
    srcPortHi: 65535,
    dstPortLo: 0,
    dstPortHi: 65535,
  };
  if (compareWords(sel.srcLo, sel.srcHi, n) > 0 || compareWords(sel.dstLo, sel.dstHi, n) > 0) {
    throw new SelectorError("Cannot build a selector whose range starts after its end");
  }
  [sel.srcPortLo, sel.srcPortHi] = toPorts(spec.srcPorts, "source ports");
  [sel.dstPortLo, sel.dstPortHi] = toPorts(spec.dstPorts, "destination ports");
  return sel;
}

/** The selector with source and destination swapped (the other direction of a TS pair). */
export function reverseSelector(s: Selector): Selector {
  const bounds = new Uint32Array(16);
  bounds.set(s.bounds.subarray(8, 16), 0);
  bounds.set(s.bounds.subarray(0, 8), 8);
  return {
    family: s.family,
    bounds,
    srcLo: bounds.subarray(0, 4),
    srcHi: bounds.subarray(4, 8),
    dstLo: bounds.subarray(8, 12),
    dstHi: bounds.subarray(12, 16),
    protocol: s.protocol,
    srcPortLo: s.dstPortLo,
    srcPortHi: s.dstPortHi,
    dstPortLo: s.srcPortLo,
    dstPortHi: s.srcPortHi,
  };
}

/** Whether the IPv6 address `a` lies in [b[o..o+4), b[o+4..o+8)] (lexicographic on words). */
function in6(a: Uint32Array, b: Uint32Array, o: number): boolean {
  for (let i = 0; i < 4; i++) {
    const x = a[i]!;
    const lo = b[o + i]!;
    if (x !== lo) {
      if (x < lo) return false;
      break;
    }
  }
  for (let i = 0; i < 4; i++) {
    const x = a[i]!;
    const hi = b[o + 4 + i]!;
    if (x !== hi) return x < hi;
  }
  return true;
}

function portIn(port: number, lo: number, hi: number): boolean {
  return port === OPAQUE_PORT ? lo === 0 && hi === 65535 : port >= lo && port <= hi;
}

/** Whether the packet described by `f` matches `s`. */
export function selectorMatches(s: Selector, f: Flow): boolean {
  if (s.family !== f.family) return false;
  if (s.protocol !== 0 && s.protocol !== f.protocol) return false;
  const b = s.bounds;
  if (s.family === 4) {
    const d = f.dst[0]!;
    const src = f.src[0]!;
    if (d < b[8]! || d > b[12]! || src < b[0]! || src > b[4]!) return false;
  } else if (!in6(f.dst, b, 8) || !in6(f.src, b, 0)) {
    return false;
  }
  return portIn(f.dstPort, s.dstPortLo, s.dstPortHi) &&
    portIn(f.srcPort, s.srcPortLo, s.srcPortHi);
}

/** Whether `f` matches one of `selectors` (an empty list matches everything). */
export function matchesAny(selectors: readonly Selector[], f: Flow): boolean {
  if (selectors.length === 0) return true;
  for (let i = 0; i < selectors.length; i++) if (selectorMatches(selectors[i]!, f)) return true;
  return false;
}

/**
 * How narrow an address range is, in prefix-length units: a prefix gives
 * its length, any range `bits - log2(size)` (so 10.0.0.1-10.0.0.4 counts
 * as 30).
 */
export function rangeSpecificity(family: 4 | 6, lo: Uint32Array, hi: Uint32Array): number {
  let size = 0;
  const n = family === 4 ? 1 : 4;
  for (let i = 0; i < n; i++) size = size * 2 ** 32 + (hi[i]! - lo[i]!);
  return maxPrefixLength(family) - Math.log2(size + 1);
}

function formatRange(family: 4 | 6, lo: Uint32Array, hi: Uint32Array): string {
  const a = wordsToIp(family, lo);
  const b = wordsToIp(family, hi);
  const bits = maxPrefixLength(family);
  const spec = rangeSpecificity(family, lo, hi);
  if (Number.isInteger(spec)) {
    // A prefix iff the start is aligned to the size.
    const p = parsePrefix(`${formatIp(a)}/${spec}`);
    if (formatIp(p.address) === formatIp(a) && formatIp(lastAddress(p)) === formatIp(b)) {
      return spec === bits ? formatIp(a) : `${formatIp(a)}/${spec}`;
    }
  }
  return `${formatIp(a)}-${formatIp(b)}`;
}

/** `10.0.0.0/24 -> 10.1.0.0/24 proto 6 ports 0-65535 -> 443`, for logs and `show`. */
export function formatSelector(s: Selector): string {
  const ports = (lo: number, hi: number) => (lo === hi ? `${lo}` : `${lo}-${hi}`);
  let text = `${formatRange(s.family, s.srcLo, s.srcHi)} -> ${
    formatRange(s.family, s.dstLo, s.dstHi)
  }`;
  if (s.protocol !== 0) text += ` proto ${s.protocol}`;
  const anyPorts = s.srcPortLo === 0 && s.srcPortHi === 65535 && s.dstPortLo === 0 &&
    s.dstPortHi === 65535;
  if (!anyPorts) {
    text += ` ports ${ports(s.srcPortLo, s.srcPortHi)} -> ${ports(s.dstPortLo, s.dstPortHi)}`;
  }
  return text;
}
