/**
 * IPv4 and IPv6 addresses and prefixes as bytes, shared by the config
 * schema, the traffic selectors of IKE, the SPD of the dataplane and the
 * netlink layer. Parsing follows RFC 4291 §2.2 (text forms of IPv6) and
 * formatting RFC 5952 (canonical IPv6 text).
 *
 * @module
 */

export type Family = 4 | 6;

/** An address: 4 or 16 bytes in network order. */
export interface IpAddress {
  readonly family: Family;
  readonly bytes: Uint8Array;
}

/** A prefix: the network address (host bits zero) and its length. */
export interface IpPrefix {
  readonly address: IpAddress;
  readonly length: number;
}

/** Thrown by the parsers; `message` is in the project's error voice. */
export class IpParseError extends Error {
  override name = "IpParseError";
}

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseV6(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  let head = text;
  let tail = "";
  const dbl = text.indexOf("::");
  if (dbl >= 0) {
    if (text.indexOf("::", dbl + 1) >= 0) return undefined;
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseV4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  if (dbl >= 0 ? h.length + t.length > 7 : h.length !== 8) return undefined;
  // An embedded IPv4 form is only allowed in the last position.
  if (dbl >= 0 && head.includes(".")) return undefined;
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Parses an address, or returns undefined. */
export function tryParseIp(text: string): IpAddress | undefined {
  const v4 = parseV4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = text.includes(":") ? parseV6(text) : undefined;
  if (v6) return { family: 6, bytes: v6 };
  return undefined;
}

/** Parses an address or throws {@linkcode IpParseError}. */
export function parseIp(text: string): IpAddress {
  const ip = tryParseIp(text);
  if (!ip) throw new IpParseError(`Cannot parse address "${text}": not an IPv4 or IPv6 address`);
  return ip;
}

/** Builds an address from 4 or 16 bytes (copied). */
export function ipFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length === 4) return { family: 4, bytes: bytes.slice() };
  if (bytes.length === 16) return { family: 6, bytes: bytes.slice() };
  throw new IpParseError(`Cannot build address: ${bytes.length} bytes is neither 4 nor 16`);
}

/** Canonical text: dotted quad, or RFC 5952 IPv6. */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  // Longest run of zero groups (at least two), first one on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** The prefix length an address family allows at most. */
export function maxPrefixLength(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** Masks `bytes` to `length` bits, in place, and returns it. */
function maskInPlace(bytes: Uint8Array, length: number): Uint8Array {
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, length - 8 * i));
    bytes[i]! &= (0xff << (8 - bits)) & 0xff;
  }
  return bytes;
}

/**
 * Parses `addr/len` into a network prefix. With `strict`, host bits must be
 * zero (how routes and selectors are written); without it they are masked
 * off. Use {@linkcode parseInterfaceAddress} to keep them.
 */
export function parsePrefix(text: string, strict = false): IpPrefix {
  const slash = text.indexOf("/");
  if (slash < 0) throw new IpParseError(`Cannot parse prefix "${text}": missing "/length"`);
  const ip = tryParseIp(text.slice(0, slash));
  if (!ip) throw new IpParseError(`Cannot parse prefix "${text}": not an IPv4 or IPv6 address`);
  const lenText = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(lenText)) {
    throw new IpParseError(`Cannot parse prefix "${text}": length is not a number`);
  }
  const length = Number(lenText);
  const max = maxPrefixLength(ip.family);
  if (length > max) {
    throw new IpParseError(`Cannot parse prefix "${text}": length exceeds ${max}`);
  }
  const net = maskInPlace(ip.bytes.slice(), length);
  if (strict && !bytesEqual(net, ip.bytes)) {
    throw new IpParseError(
      `Cannot parse prefix "${text}": host bits are set (network is ${
        formatIp({ family: ip.family, bytes: net })
      }/${length})`,
    );
  }
  return { address: { family: ip.family, bytes: net }, length };
}

/** An interface address such as `10.0.0.1/24`: the host address and its prefix length. */
export interface InterfaceAddress {
  readonly address: IpAddress;
  readonly length: number;
}

/** Parses `addr/len` keeping the host bits (an interface address). */
export function parseInterfaceAddress(text: string): InterfaceAddress {
  const slash = text.indexOf("/");
  if (slash < 0) throw new IpParseError(`Cannot parse address "${text}": missing "/length"`);
  const address = parseIp(text.slice(0, slash));
  const { length } = parsePrefix(text);
  return { address, length };
}

/** `addr/len` text of a prefix or interface address. */
export function formatPrefix(p: IpPrefix | InterfaceAddress): string {
  return `${formatIp(p.address)}/${p.length}`;
}

/** Whether `ip` lies inside `prefix` (false across families). */
export function prefixContains(prefix: IpPrefix, ip: IpAddress): boolean {
  if (prefix.address.family !== ip.family) return false;
  const a = prefix.address.bytes;
  const b = ip.bytes;
  let bits = prefix.length;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/** The network prefix an interface address belongs to. */
export function networkOf(addr: InterfaceAddress): IpPrefix {
  return {
    address: {
      family: addr.address.family,
      bytes: maskInPlace(addr.address.bytes.slice(), addr.length),
    },
    length: addr.length,
  };
}

/** The last address of a prefix (all host bits set). */
export function lastAddress(prefix: IpPrefix): IpAddress {
  const out = prefix.address.bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix.length - 8 * i));
    out[i]! |= 0xff >> bits;
  }
  return { family: prefix.address.family, bytes: out };
}

/** Byte equality of two addresses (family included). */
export function ipEqual(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && bytesEqual(a.bytes, b.bytes);
}

/** Orders addresses: IPv4 before IPv6, then numerically. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = a.bytes[i]! - b.bytes[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
