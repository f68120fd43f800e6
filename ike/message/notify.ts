/**
 * The Notify payload (RFC 7296 §3.10):
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * The SPI size must suit the protocol (4 for AH/ESP, 8 for IKE, or none),
 * and notification types with a fixed data layout must have its length
 * ({@linkcode NOTIFY_DATA_LENGTHS}).
 *
 * @module
 */
import {
  CHILD_SPI_LENGTH,
  COOKIE_MAX_LENGTH,
  COOKIE_MIN_LENGTH,
  IKE_SPI_LENGTH,
  NotifyType as N,
  ProtocolId,
} from "../constants.ts";
import { checkField, ok, put16, syntaxError, truncated, u16 } from "./bytes.ts";
import type { NotifyPayload, Result } from "./types.ts";

const HEADER = 4;

/**
 * Notification data lengths as `[min, max]` octets, from the RFC defining
 * each type, for the types whose data the engine reads (and the errors
 * strongSwan checks the same way). Other types are not checked: data where
 * none is expected is ignored.
 */
export const NOTIFY_DATA_LENGTHS: Readonly<Record<number, readonly [number, number]>> = {
  [N.INVALID_MAJOR_VERSION]: [0, 0], // RFC 7296 §3.10.1
  [N.INVALID_SYNTAX]: [0, 0],
  [N.NO_PROPOSAL_CHOSEN]: [0, 0],
  [N.INVALID_KE_PAYLOAD]: [2, 2], // the accepted group
  [N.UNSUPPORTED_CRITICAL_PAYLOAD]: [1, 1], // the payload type
  [N.INVALID_MESSAGE_ID]: [4, 4],
  [N.NAT_DETECTION_SOURCE_IP]: [20, 20], // SHA-1, RFC 7296 §2.23
  [N.NAT_DETECTION_DESTINATION_IP]: [20, 20],
  [N.COOKIE]: [COOKIE_MIN_LENGTH, COOKIE_MAX_LENGTH], // RFC 7296 §2.6
  [N.IPCOMP_SUPPORTED]: [3, 3], // CPI + transform ID
  [N.SET_WINDOW_SIZE]: [4, 4],
  [N.ADDITIONAL_IP4_ADDRESS]: [4, 4], // RFC 4555
  [N.ADDITIONAL_IP6_ADDRESS]: [16, 16],
  [N.AUTH_LIFETIME]: [4, 4], // RFC 4478
  [N.IKEV2_MESSAGE_ID_SYNC]: [12, 12], // RFC 6311 §4.1: nonce, two message IDs
};

/** RFC 7427 §4: SIGNATURE_HASH_ALGORITHMS is a list of 2-octet identifiers. */
const EVEN_LENGTH = new Set<number>([N.SIGNATURE_HASH_ALGORITHMS]);

function spiSizeFits(protocol: number, size: number): boolean {
  if (size === 0) return true;
  if (size === CHILD_SPI_LENGTH) return protocol === ProtocolId.AH || protocol === ProtocolId.ESP;
  if (size === IKE_SPI_LENGTH) return protocol === ProtocolId.IKE;
  return false;
}

export function decodeNotify(
  body: Uint8Array,
  critical: boolean,
  base: number,
): Result<NotifyPayload> {
  if (body.length < HEADER) return truncated(base, "notify header", HEADER, body.length);
  const protocol = body[0]!;
  const spiSize = body[1]!;
  const type = u16(body, 2);
  if (protocol > ProtocolId.ESP) return syntaxError(base, `notify protocol ${protocol}`);
  if (!spiSizeFits(protocol, spiSize)) {
    return syntaxError(base + 1, `notify SPI size ${spiSize} for protocol ${protocol}`);
  }
  if (body.length - HEADER < spiSize) {
    return truncated(base + HEADER, "notify SPI", spiSize, body.length - HEADER);
  }
  const data = body.slice(HEADER + spiSize);
  const range = NOTIFY_DATA_LENGTHS[type];
  if (
    (range && (data.length < range[0] || data.length > range[1])) ||
    (EVEN_LENGTH.has(type) && data.length % 2 !== 0)
  ) {
    return syntaxError(
      base + HEADER + spiSize,
      `notify ${type} with ${data.length} bytes of data`,
      "length",
    );
  }
  return ok({
    kind: "notify",
    critical,
    protocol,
    spi: body.slice(HEADER, HEADER + spiSize),
    type,
    data,
  });
}

export function encodeNotify(p: NotifyPayload): Uint8Array {
  checkField("notify protocol", p.protocol, 255);
  checkField("notify SPI size", p.spi.length, 255);
  checkField("notify type", p.type, 0xffff);
  const out = new Uint8Array(HEADER + p.spi.length + p.data.length);
  out[0] = p.protocol;
  out[1] = p.spi.length;
  put16(out, 2, p.type);
  out.set(p.spi, HEADER);
  out.set(p.data, HEADER + p.spi.length);
  return out;
}
