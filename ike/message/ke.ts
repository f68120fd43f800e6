/**
 * The Key Exchange payload (RFC 7296 §3.4):
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Key Exchange Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * Whether the data length fits the group is the key exchange's business
 * (RFC 7296 §3.4: INVALID_SYNTAX when it does not), not the codec's.
 *
 * @module
 */
import { checkField, ok, put16, truncated, u16 } from "./bytes.ts";
import type { KePayload, Result } from "./types.ts";

const HEADER = 4;

export function decodeKe(body: Uint8Array, critical: boolean, base: number): Result<KePayload> {
  if (body.length < HEADER) return truncated(base, "KE header", HEADER, body.length);
  return ok({ kind: "ke", critical, group: u16(body, 0), data: body.slice(HEADER) });
}

export function encodeKe(p: KePayload): Uint8Array {
  checkField("DH group", p.group, 0xffff);
  const out = new Uint8Array(HEADER + p.data.length);
  put16(out, 0, p.group);
  out.set(p.data, HEADER);
  return out;
}
