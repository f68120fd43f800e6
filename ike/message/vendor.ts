/**
 * The Vendor ID payload (RFC 7296 §3.12): opaque data.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        Vendor ID (VID)                        ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { ok } from "./bytes.ts";
import type { Result, VendorPayload } from "./types.ts";

export function decodeVendor(body: Uint8Array, critical: boolean): Result<VendorPayload> {
  return ok({ kind: "vendor", critical, data: body.slice() });
}

export function encodeVendor(p: VendorPayload): Uint8Array {
  return p.data.slice();
}
