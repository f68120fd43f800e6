/**
 * What arrives on UDP port 4500 (RFC 3948 §2): ESP (the first four bytes are
 * a non-zero SPI), IKE (four zero bytes, the non-ESP marker, then the IKE
 * header), or a NAT-keepalive (the single byte 0xFF, §2.3).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Source Port (4500)     |    Destination Port (4500)    |  (the socket's)
 * |           Length              |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       SPI (ESP) / 0x00000000 non-ESP marker (IKE) / 0xFF      |
 * ~                    ESP packet / IKE message                   ~
 * ```
 *
 * The UDP header is the socket's business: Tandem sends and receives the
 * UDP payload. RFC 3948 §2.1 lets IPv4 senders put a zero checksum and tells
 * receivers not to depend on it; nothing here reads it.
 *
 * @module
 */
import { ESP_HEADER_LENGTH, NATT_KEEPALIVE_BYTE, NON_ESP_MARKER_LENGTH } from "./constants.ts";

export const NATT_ESP = 0;
export const NATT_IKE = 1;
export const NATT_KEEPALIVE = 2;
/** Too short for ESP, not a keepalive, not marked IKE. */
export const NATT_INVALID = 3;

/** Classifies the UDP payload `d[0..len)` received on port 4500. */
export function classifyNatt(d: Uint8Array, len: number): number {
  if (len === 1) return d[0] === NATT_KEEPALIVE_BYTE ? NATT_KEEPALIVE : NATT_INVALID;
  if (len > NON_ESP_MARKER_LENGTH && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0) {
    return NATT_IKE;
  }
  return len < ESP_HEADER_LENGTH || (d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0)
    ? NATT_INVALID
    : NATT_ESP;
}
