/**
 * The Authentication payload (RFC 7296 §3.8):
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Auth Method   |                RESERVED                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Authentication Data                      ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { checkField, ok, truncated } from "./bytes.ts";
import type { AuthPayload, Result } from "./types.ts";

const HEADER = 4;

export function decodeAuth(body: Uint8Array, critical: boolean, base: number): Result<AuthPayload> {
  if (body.length < HEADER) return truncated(base, "AUTH header", HEADER, body.length);
  return ok({ kind: "auth", critical, method: body[0]!, data: body.slice(HEADER) });
}

export function encodeAuth(p: AuthPayload): Uint8Array {
  checkField("auth method", p.method, 255);
  const out = new Uint8Array(HEADER + p.data.length);
  out[0] = p.method;
  out.set(p.data, HEADER);
  return out;
}
