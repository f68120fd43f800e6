/**
 * The Identification payloads IDi and IDr (RFC 7296 §3.5):
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   ID Type     |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Identification Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * Address identities must have an address's length; ID_NULL (RFC 7619 §3)
 * carries no data.
 *
 * @module
 */
import { IdType } from "../constants.ts";
import { checkField, ok, syntaxError, truncated } from "./bytes.ts";
import type { IdPayload, Result } from "./types.ts";

const HEADER = 4;

/** Exact data lengths some ID types require. */
const ID_LENGTHS: Record<number, number> = {
  [IdType.IPV4_ADDR]: 4,
  [IdType.IPV6_ADDR]: 16,
  [IdType.NULL]: 0,
};

export function decodeId(
  kind: "idi" | "idr",
  body: Uint8Array,
  critical: boolean,
  base: number,
): Result<IdPayload> {
  if (body.length < HEADER) return truncated(base, "ID header", HEADER, body.length);
  const idType = body[0]!;
  const data = body.slice(HEADER);
  const want = ID_LENGTHS[idType];
  if (want !== undefined && data.length !== want) {
    return syntaxError(
      base + HEADER,
      `ID type ${idType} with ${data.length} bytes, expected ${want}`,
    );
  }
  return ok({ kind, critical, idType, data });
}

export function encodeId(p: IdPayload): Uint8Array {
  checkField("ID type", p.idType, 255);
  const out = new Uint8Array(HEADER + p.data.length);
  out[0] = p.idType;
  out.set(p.data, HEADER);
  return out;
}
