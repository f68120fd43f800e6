/**
 * The EAP payload (RFC 7296 §3.16): one EAP message (RFC 3748 §4), whose
 * own Length field must cover exactly the payload's data.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Code      | Identifier    |           Length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      | Type_Data...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { EapCode } from "../constants.ts";
import { ok, syntaxError, truncated, u16 } from "./bytes.ts";
import type { EapPayload, Result } from "./types.ts";

const HEADER = 4;

export function decodeEap(body: Uint8Array, critical: boolean, base: number): Result<EapPayload> {
  if (body.length < HEADER) return truncated(base, "EAP header", HEADER, body.length);
  const length = u16(body, 2);
  if (length !== body.length) {
    return syntaxError(
      base + 2,
      `EAP length ${length} but the payload holds ${body.length}`,
      "length",
    );
  }
  const code = body[0]!;
  if ((code === EapCode.REQUEST || code === EapCode.RESPONSE) && length < HEADER + 1) {
    return truncated(base + HEADER, "EAP type", 1, 0);
  }
  return ok({ kind: "eap", critical, data: body.slice() });
}

export function encodeEap(p: EapPayload): Uint8Array {
  return p.data.slice();
}
