/**
 * Splitting a protected message into Encrypted Fragment messages (RFC 7383
 * §2.5): the inner payload chain is cut into pieces, and each piece goes in
 * its own message with the same header fields, its own IV, padding and ICV.
 * Fragment 1 names the first inner payload; the others carry 0. Reassembly
 * is in `reassembly.ts`.
 *
 * @module
 */
import type { Rng } from "../../core/rng.ts";
import {
  GENERIC_HEADER_LENGTH,
  IKE_HEADER_LENGTH,
  MAX_FRAGMENTS,
  NON_ESP_MARKER_LENGTH,
  PayloadType,
} from "../constants.ts";
import { IkeEncodeError, put16 } from "./bytes.ts";
import { encodePayloadChain } from "./chain.ts";
import { writeHeader } from "./header.ts";
import { padLengthFor, sealBody, type SkProtection } from "./sk.ts";
import { SKF_FIELDS_LENGTH, writeSkfFields } from "./skf.ts";
import type { IkeMessage } from "./types.ts";

const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const UDP_HEADER = 8;

/**
 * The largest IKE message that fits an IP datagram of `datagramSize`
 * octets: minus the IP and UDP headers and, on port 4500, the non-ESP
 * marker.
 */
export function maxFragmentMessageSize(
  datagramSize: number,
  ipv6: boolean,
  nonEspMarker: boolean,
): number {
  return datagramSize - (ipv6 ? IPV6_HEADER : IPV4_HEADER) - UDP_HEADER -
    (nonEspMarker ? NON_ESP_MARKER_LENGTH : 0);
}

/** Choices for {@linkcode fragmentMessage}. */
export interface FragmentOptions {
  /** Padding octets per fragment instead of the fewest zero octets (to reproduce captures). */
  paddings?: readonly Uint8Array[];
}

/**
 * Protects `msg` as one or more SKF messages of at most `maxMessageSize`
 * octets each (see {@linkcode maxFragmentMessageSize}), cut where strongSwan
 * cuts: as many payload octets as fit once IV, ICV and one Pad Length octet
 * are accounted for, rounded to the block. Padding is minimal and zero
 * unless `options.paddings` says otherwise; each IV comes from `rng`.
 * Throws {@linkcode IkeEncodeError} when no payload octet fits or more than
 * {@linkcode MAX_FRAGMENTS} would be needed.
 */
export function fragmentMessage(
  msg: IkeMessage,
  sk: SkProtection,
  rng: Rng,
  maxMessageSize: number,
  options: FragmentOptions = {},
): Uint8Array[] {
  const inner = encodePayloadChain(msg.payloads);
  const headerLength = IKE_HEADER_LENGTH + GENERIC_HEADER_LENGTH + SKF_FIELDS_LENGTH;
  const room = maxMessageSize - headerLength - sk.ivLength - sk.icvLength;
  const chunkMax = Math.floor(room / sk.blockSize) * sk.blockSize - 1;
  if (chunkMax < 1) {
    throw new IkeEncodeError(
      `Cannot fragment into ${maxMessageSize}-byte messages: no room for data`,
    );
  }
  const total = Math.max(1, Math.ceil(inner.bytes.length / chunkMax));
  if (total > MAX_FRAGMENTS) {
    throw new IkeEncodeError(`Cannot fragment: ${total} fragments exceed ${MAX_FRAGMENTS}`);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < total; i++) {
    const chunk = inner.bytes.subarray(
      i * chunkMax,
      Math.min(inner.bytes.length, (i + 1) * chunkMax),
    );
    const padding = options.paddings?.[i] ??
      new Uint8Array(padLengthFor(chunk.length, sk.blockSize));
    const skfLength = GENERIC_HEADER_LENGTH + SKF_FIELDS_LENGTH + sk.ivLength + chunk.length +
      padding.length + 1 + sk.icvLength;
    const m = new Uint8Array(IKE_HEADER_LENGTH + skfLength);
    writeHeader(m, msg.header, PayloadType.SKF, m.length);
    m[IKE_HEADER_LENGTH] = i === 0 ? inner.firstType : 0;
    put16(m, IKE_HEADER_LENGTH + 2, skfLength);
    writeSkfFields(m, IKE_HEADER_LENGTH + GENERIC_HEADER_LENGTH, i + 1, total);
    sealBody(m, headerLength, chunk, padding, rng.fill(new Uint8Array(sk.ivLength)), sk);
    out.push(m);
  }
  return out;
}
