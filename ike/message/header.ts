/**
 * The IKE header (RFC 7296 §3.1):
 *
 * ```
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Flags: |X|X|R|V|I|X|X|X|  (R = response, V = version, I = initiator)
 * ```
 *
 * @module
 */
import {
  HeaderFlag,
  IKE_HEADER_LENGTH,
  IKE_MAJOR_VERSION,
  IKE_SPI_LENGTH,
  MAX_MESSAGE_SIZE,
  NotifyType,
} from "../constants.ts";
import { checkField, checkLength, fail, ok, put32, u32 } from "./bytes.ts";
import type { IkeHeader, Result } from "./types.ts";

const OFF_SPI_I = 0;
const OFF_SPI_R = 8;
const OFF_NEXT = 16;
const OFF_VERSION = 17;
const OFF_EXCHANGE = 18;
const OFF_FLAGS = 19;
const OFF_MESSAGE_ID = 20;
const OFF_LENGTH = 24;

/**
 * Decodes the header of the message in `bytes` (the whole datagram after
 * any non-ESP marker) and checks it against the datagram: the Length field
 * must equal `bytes.length`, the major version must be 2 (a higher one
 * asks for INVALID_MAJOR_VERSION, RFC 7296 §2.5), and the size must be
 * within {@linkcode MAX_MESSAGE_SIZE}. Reserved flag bits are ignored
 * (RFC 7296 §3.1). Other header errors carry no notification: a message
 * whose header cannot be trusted is dropped.
 */
export function decodeHeader(bytes: Uint8Array): Result<IkeHeader> {
  if (bytes.length < IKE_HEADER_LENGTH) {
    return fail(
      "truncated",
      0,
      `IKE header needs ${IKE_HEADER_LENGTH} bytes, ${bytes.length} left`,
    );
  }
  if (bytes.length > MAX_MESSAGE_SIZE) {
    return fail("limit", 0, `message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_SIZE}`);
  }
  const version = bytes[OFF_VERSION]!;
  const majorVersion = version >> 4;
  if (majorVersion !== IKE_MAJOR_VERSION) {
    const reason = `major version ${majorVersion} is not ${IKE_MAJOR_VERSION}`;
    return majorVersion > IKE_MAJOR_VERSION
      ? fail("version", OFF_VERSION, reason, {
        type: NotifyType.INVALID_MAJOR_VERSION,
        data: new Uint8Array(0),
      })
      : fail("version", OFF_VERSION, reason);
  }
  const length = u32(bytes, OFF_LENGTH);
  if (length > bytes.length) {
    return fail("truncated", OFF_LENGTH, `Length ${length} but the datagram has ${bytes.length}`);
  }
  if (length !== bytes.length) {
    return fail("length", OFF_LENGTH, `Length ${length} but the datagram has ${bytes.length}`);
  }
  const flags = bytes[OFF_FLAGS]!;
  return ok({
    spiI: bytes.slice(OFF_SPI_I, OFF_SPI_I + IKE_SPI_LENGTH),
    spiR: bytes.slice(OFF_SPI_R, OFF_SPI_R + IKE_SPI_LENGTH),
    nextPayload: bytes[OFF_NEXT]!,
    majorVersion,
    minorVersion: version & 0x0f,
    exchange: bytes[OFF_EXCHANGE]!,
    flags: {
      initiator: (flags & HeaderFlag.INITIATOR) !== 0,
      response: (flags & HeaderFlag.RESPONSE) !== 0,
      higherVersion: (flags & HeaderFlag.VERSION) !== 0,
    },
    messageId: u32(bytes, OFF_MESSAGE_ID),
    length,
  });
}

/**
 * Writes `h` into the first 28 bytes of `out`, with the given first payload
 * type and total length (the header's own `nextPayload`/`length` are ignored).
 * Throws {@linkcode IkeEncodeError} for out-of-range fields.
 */
export function writeHeader(
  out: Uint8Array,
  h: IkeHeader,
  nextPayload: number,
  length: number,
): void {
  checkLength("initiator SPI", h.spiI, [IKE_SPI_LENGTH]);
  checkLength("responder SPI", h.spiR, [IKE_SPI_LENGTH]);
  checkField("major version", h.majorVersion, 15);
  checkField("minor version", h.minorVersion, 15);
  checkField("exchange type", h.exchange, 255);
  checkField("message ID", h.messageId, 0xffffffff);
  checkField("message length", length, MAX_MESSAGE_SIZE);
  out.set(h.spiI, OFF_SPI_I);
  out.set(h.spiR, OFF_SPI_R);
  out[OFF_NEXT] = nextPayload;
  out[OFF_VERSION] = (h.majorVersion << 4) | h.minorVersion;
  out[OFF_EXCHANGE] = h.exchange;
  out[OFF_FLAGS] = (h.flags.initiator ? HeaderFlag.INITIATOR : 0) |
    (h.flags.response ? HeaderFlag.RESPONSE : 0) |
    (h.flags.higherVersion ? HeaderFlag.VERSION : 0);
  put32(out, OFF_MESSAGE_ID, h.messageId);
  put32(out, OFF_LENGTH, length);
}

/** The header alone as 28 bytes (see {@linkcode writeHeader}). */
export function encodeHeader(h: IkeHeader, nextPayload: number, length: number): Uint8Array {
  const out = new Uint8Array(IKE_HEADER_LENGTH);
  writeHeader(out, h, nextPayload, length);
  return out;
}
