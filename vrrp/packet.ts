/**
 * VRRPv3 advertisement codec, RFC 5798 §5, for IPv4 and IPv6.
 *
 * The codec sees the VRRP message only (what follows the IP header) plus
 * the three IP header facts it needs from the caller: source and destination
 * address (for the pseudo-header checksum) and the TTL / hop limit.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |(rsvd) |     Max Adver Int     |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      IPvX Address(es)                         |
 * ...           Count IPvX Addr × 4 (IPv4) or × 16 (IPv6)       ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * - Version 3, Type 1 (ADVERTISEMENT) are the only values accepted (§5.2.1,
 *   §5.2.2).
 * - Max Adver Int is 12 bits of centiseconds (§5.2.7); the 4 reserved bits
 *   are sent as zero and ignored on receipt.
 * - The checksum (§5.2.8) covers the VRRP message and a pseudo-header:
 *   IPv4 `src(4) dst(4) 0 112 length(2)` (RFC 768 style), IPv6
 *   `src(16) dst(16) length(4) 0 0 0 112` (RFC 8200 §8.1). keepalived 2.2.7
 *   does the same: all 215 captured checksums verify this way.
 *
 * {@linkcode decodeVrrp} never throws: it returns the advertisement or a drop
 * reason with the byte offset where the check failed. Checks run in the
 * order of RFC 5798 §7.1 (TTL first, then version, completeness, checksum),
 * then the field ranges (VRID 0, interval 0); whether the VRID is one we run
 * is the receiving instance's business.
 *
 * @module
 */
import type { Family, IpAddress } from "../core/ip.ts";

/** IP protocol number of VRRP (§5.1.1.4, §5.1.2.3). */
export const VRRP_PROTOCOL = 112;
/** TTL / hop limit every advertisement is sent with and must arrive with (§5.1.1.3, §5.1.2.2). */
export const VRRP_TTL = 255;
/** The only version this codec speaks. */
export const VRRP_VERSION = 3;
/** Type ADVERTISEMENT (§5.2.2). */
export const VRRP_TYPE_ADVERTISEMENT = 1;
/** Bytes before the address list. */
export const VRRP_HEADER_LENGTH = 8;
/** Largest Max Adver Int (12 bits, centiseconds): 40.95 s. */
export const VRRP_MAX_INTERVAL_CS = 0x0fff;
/** IPv4 multicast group of VRRP (§5.1.1.2): 224.0.0.18. */
export const VRRP_GROUP_V4: IpAddress = { family: 4, bytes: new Uint8Array([224, 0, 0, 18]) };
/** IPv6 multicast group of VRRP (§5.1.2.2): ff02::12. */
export const VRRP_GROUP_V6: IpAddress = {
  family: 6,
  bytes: new Uint8Array([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12]),
};

/** The multicast destination of advertisements for a family. */
export function vrrpGroup(family: Family): IpAddress {
  return family === 4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6;
}

/** A decoded (or to-be-encoded) advertisement. */
export interface VrrpAdvert {
  readonly family: Family;
  /** Virtual Rtr ID, 1..255. */
  readonly vrid: number;
  /** 0 (master resigns), 1..254, or 255 (address owner). */
  readonly priority: number;
  /** Max Adver Int in centiseconds, 1..4095 (0 never passes the decoder). */
  readonly intervalCs: number;
  /** The virtual addresses, all of `family`. */
  readonly addresses: readonly IpAddress[];
}

/** Why the codec refused a message. */
export type VrrpCodecDrop =
  | "family"
  | "ttl"
  | "truncated"
  | "version"
  | "type"
  | "length"
  | "checksum"
  | "vrid"
  | "interval";

/** Every codec drop reason, in check order. */
export const VRRP_CODEC_DROPS: readonly VrrpCodecDrop[] = [
  "family",
  "ttl",
  "truncated",
  "version",
  "type",
  "length",
  "checksum",
  "vrid",
  "interval",
];

/** Result of {@linkcode decodeVrrp}. */
export type VrrpDecodeResult =
  | { readonly ok: true; readonly advert: VrrpAdvert }
  | {
    readonly ok: false;
    readonly reason: VrrpCodecDrop;
    /** Byte offset in the VRRP message where the check failed. */
    readonly offset: number;
    readonly detail: string;
  };

/** The IP header facts the codec needs. */
export interface VrrpIpInfo {
  readonly src: IpAddress;
  readonly dst: IpAddress;
  /** IPv4 TTL or IPv6 hop limit as received. */
  readonly ttl: number;
}

function addrLength(family: Family): number {
  return family === 4 ? 4 : 16;
}

function drop(reason: VrrpCodecDrop, offset: number, detail: string): VrrpDecodeResult {
  return { ok: false, reason, offset, detail };
}

/** Decodes one VRRP message; never throws. */
export function decodeVrrp(msg: Uint8Array, ip: VrrpIpInfo): VrrpDecodeResult {
  const family = ip.src.family;
  if (ip.dst.family !== family || ip.src.bytes.length !== addrLength(family)) {
    return drop("family", 0, "source and destination addresses differ in family");
  }
  // RFC 5798 §7.1: the TTL / hop limit must be 255 (the message left its link otherwise).
  if (ip.ttl !== VRRP_TTL) return drop("ttl", 0, `TTL ${ip.ttl} is not ${VRRP_TTL}`);
  if (msg.length < VRRP_HEADER_LENGTH) {
    return drop("truncated", msg.length, `${msg.length} bytes, the header needs 8`);
  }
  const version = msg[0]! >> 4;
  if (version !== VRRP_VERSION) return drop("version", 0, `version ${version} is not 3`);
  const type = msg[0]! & 0x0f;
  if (type !== VRRP_TYPE_ADVERTISEMENT) return drop("type", 0, `type ${type} is not 1`);
  const count = msg[3]!;
  const expected = VRRP_HEADER_LENGTH + count * addrLength(family);
  if (msg.length !== expected) {
    return drop(
      "length",
      3,
      `${count} IPv${family} addresses need ${expected} bytes, got ${msg.length}`,
    );
  }
  const sum = vrrpChecksum(msg, ip.src, ip.dst);
  if (sum !== 0) {
    const got = (msg[6]! << 8) | msg[7]!;
    return drop("checksum", 6, `checksum 0x${hex16(got)} does not verify`);
  }
  // §5.2.3: VRIDs run 1..255.
  if (msg[1] === 0) return drop("vrid", 1, "VRID 0");
  const intervalCs = ((msg[4]! << 8) | msg[5]!) & VRRP_MAX_INTERVAL_CS;
  if (intervalCs === 0) return drop("interval", 4, "Max Adver Int is 0");
  const alen = addrLength(family);
  const addresses: IpAddress[] = [];
  for (let off = VRRP_HEADER_LENGTH; off < expected; off += alen) {
    addresses.push({ family, bytes: msg.slice(off, off + alen) });
  }
  return {
    ok: true,
    advert: { family, vrid: msg[1]!, priority: msg[2]!, intervalCs, addresses },
  };
}

/** Length of the encoded message for an advertisement. */
export function vrrpLength(advert: Pick<VrrpAdvert, "family" | "addresses">): number {
  return VRRP_HEADER_LENGTH + advert.addresses.length * addrLength(advert.family);
}

/**
 * Encodes an advertisement with its checksum for the given source and
 * destination. Invalid input is a programmer error and throws RangeError.
 */
export function encodeVrrp(advert: VrrpAdvert, src: IpAddress, dst: IpAddress): Uint8Array {
  const { family } = advert;
  checkRange("vrid", advert.vrid, 1, 255);
  checkRange("priority", advert.priority, 0, 255);
  checkRange("interval", advert.intervalCs, 1, VRRP_MAX_INTERVAL_CS);
  checkRange("address count", advert.addresses.length, 0, 255);
  if (src.family !== family || dst.family !== family) {
    throw new RangeError(
      `Cannot encode VRRP: an IPv${family} advertisement needs IPv${family} source and destination`,
    );
  }
  const out = new Uint8Array(vrrpLength(advert));
  out[0] = (VRRP_VERSION << 4) | VRRP_TYPE_ADVERTISEMENT;
  out[1] = advert.vrid;
  out[2] = advert.priority;
  out[3] = advert.addresses.length;
  out[4] = advert.intervalCs >> 8;
  out[5] = advert.intervalCs & 0xff;
  let off = VRRP_HEADER_LENGTH;
  for (const a of advert.addresses) {
    if (a.family !== family) {
      throw new RangeError(`Cannot encode VRRP: address of family ${a.family} in IPv${family}`);
    }
    out.set(a.bytes, off);
    off += a.bytes.length;
  }
  setChecksum(out, src, dst);
  return out;
}

/** Rewrites the priority of an encoded message in place and fixes its checksum. */
export function setVrrpPriority(
  msg: Uint8Array,
  priority: number,
  src: IpAddress,
  dst: IpAddress,
): void {
  checkRange("priority", priority, 0, 255);
  msg[2] = priority;
  setChecksum(msg, src, dst);
}

function setChecksum(msg: Uint8Array, src: IpAddress, dst: IpAddress): void {
  msg[6] = 0;
  msg[7] = 0;
  const c = vrrpChecksum(msg, src, dst);
  msg[6] = c >> 8;
  msg[7] = c & 0xff;
}

/**
 * The Internet checksum (RFC 1071) of the pseudo-header and `msg` as it
 * stands: 0 when `msg` carries a valid checksum; the value to store when its
 * checksum field is zero.
 */
export function vrrpChecksum(msg: Uint8Array, src: IpAddress, dst: IpAddress): number {
  let sum = sumWords(src.bytes, 0) + sumWords(dst.bytes, 0);
  if (src.family === 4) {
    sum += VRRP_PROTOCOL + msg.length;
  } else {
    // Upper-layer length is 32 bits; the next header sits in the last byte.
    sum += (msg.length >>> 16) + (msg.length & 0xffff) + VRRP_PROTOCOL;
  }
  sum = sumWords(msg, sum);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function sumWords(b: Uint8Array, acc: number): number {
  let sum = acc;
  const even = b.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) sum += b[b.length - 1]! << 8;
  return sum;
}

function checkRange(what: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new RangeError(`Cannot encode VRRP: ${what} ${v} is out of range ${lo}..${hi}`);
  }
}

function hex16(v: number): string {
  return v.toString(16).padStart(4, "0");
}
