/**
 * What arrives on UDP port 4500 (RFC 3948 §2, RFC 7296 §2.23): IKE behind a
 * 4-octet zero non-ESP marker, ESP (whose SPI is never zero), or a one-octet
 * 0xFF NAT-keepalive. No copies: the returned views share the datagram.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Non-ESP Marker (0)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    IKE header and payloads                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { NATT_KEEPALIVE_BYTE, NON_ESP_MARKER_LENGTH } from "../constants.ts";

/** RFC 4303 §2: SPI and sequence number. */
const ESP_HEADER_LENGTH = 8;

export type NattDatagram =
  | { kind: "ike"; message: Uint8Array }
  | { kind: "esp"; packet: Uint8Array }
  | { kind: "keepalive" }
  | { kind: "invalid"; reason: string };

/** Sorts a port-4500 datagram; for IKE the marker is stripped. */
export function classifyNattDatagram(d: Uint8Array): NattDatagram {
  if (d.length === 1 && d[0] === NATT_KEEPALIVE_BYTE) return { kind: "keepalive" };
  if (d.length >= NON_ESP_MARKER_LENGTH && d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0) {
    return { kind: "ike", message: d.subarray(NON_ESP_MARKER_LENGTH) };
  }
  if (d.length >= ESP_HEADER_LENGTH) return { kind: "esp", packet: d };
  return {
    kind: "invalid",
    reason: `${d.length}-byte datagram is neither IKE, ESP nor a keepalive`,
  };
}

/** The datagram for sending an IKE message on port 4500. */
export function addNonEspMarker(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(NON_ESP_MARKER_LENGTH + message.length);
  out.set(message, NON_ESP_MARKER_LENGTH);
  return out;
}

/** A NAT-keepalive datagram (RFC 3948 §2.3). */
export function nattKeepalive(): Uint8Array {
  return Uint8Array.of(NATT_KEEPALIVE_BYTE);
}
