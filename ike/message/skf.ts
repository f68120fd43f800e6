/**
 * The Encrypted Fragment payload SKF (RFC 7383 §2.5): an SK payload whose
 * body is preceded by the fragment's number and the total count. Fragment 1
 * names the first inner payload in Next Payload; the others carry 0. The
 * body (IV, ciphertext, padding, ICV) is protected as in `sk.ts`, with the
 * SKF header up to Total Fragments in the associated data.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Fragment Number        |        Total Fragments        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Encrypted content                        ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { ok, put16, syntaxError, truncated, u16 } from "./bytes.ts";
import type { Result, SkfPayload } from "./types.ts";

/** Fragment Number and Total Fragments. */
export const SKF_FIELDS_LENGTH = 4;

/** Decodes an SKF payload whose generic header sits at `offset` in the message. */
export function decodeSkf(
  body: Uint8Array,
  critical: boolean,
  innerType: number,
  offset: number,
): Result<SkfPayload> {
  const base = offset + 4;
  if (body.length < SKF_FIELDS_LENGTH) {
    return truncated(base, "SKF fragment fields", SKF_FIELDS_LENGTH, body.length);
  }
  const fragmentNumber = u16(body, 0);
  const totalFragments = u16(body, 2);
  if (fragmentNumber === 0 || totalFragments === 0 || fragmentNumber > totalFragments) {
    return syntaxError(base, `fragment ${fragmentNumber} of ${totalFragments}`);
  }
  if (fragmentNumber > 1 && innerType !== 0) {
    return syntaxError(offset, `fragment ${fragmentNumber} names inner payload ${innerType}`);
  }
  return ok({
    kind: "skf",
    critical,
    innerType,
    offset,
    fragmentNumber,
    totalFragments,
    body: body.slice(SKF_FIELDS_LENGTH),
  });
}

/** Writes Fragment Number and Total Fragments at `at`. */
export function writeSkfFields(out: Uint8Array, at: number, number: number, total: number): void {
  put16(out, at, number);
  put16(out, at + 2, total);
}
