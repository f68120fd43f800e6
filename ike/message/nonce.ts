/**
 * The Nonce payload (RFC 7296 §3.9); the data is 16 to 256 octets.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                            Nonce Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { NONCE_MAX_LENGTH, NONCE_MIN_LENGTH } from "../constants.ts";
import { checkField, ok, syntaxError } from "./bytes.ts";
import type { NoncePayload, Result } from "./types.ts";

export function decodeNonce(
  body: Uint8Array,
  critical: boolean,
  base: number,
): Result<NoncePayload> {
  if (body.length < NONCE_MIN_LENGTH || body.length > NONCE_MAX_LENGTH) {
    return syntaxError(
      base,
      `nonce of ${body.length} bytes outside ${NONCE_MIN_LENGTH}..${NONCE_MAX_LENGTH}`,
    );
  }
  return ok({ kind: "nonce", critical, data: body.slice() });
}

export function encodeNonce(p: NoncePayload): Uint8Array {
  checkField("nonce length", p.data.length, NONCE_MAX_LENGTH);
  return p.data.slice();
}
