/**
 * ESP encapsulation of one payload (RFC 4303 §3.3): header, IV, padded and
 * encrypted payload, ICV. Mode handling (what the payload is) belongs to
 * the dataplane; this file builds the ESP packet:
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ----
 * |               Security Parameters Index (SPI)                 | ^Int.
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |Cov-
 * |                      Sequence Number (low 32 bits)            | |ered
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ | ----
 * |                    IV (per algorithm)                         | |   ^
 * |                    Payload Data (variable)                    | |   |
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |Conf.
 * |               |     Padding (0-255 bytes: 1, 2, 3, ...)       | |Cov-
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |ered
 * |                               |  Pad Length   | Next Header   | v   v
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ------
 * |         Integrity Check Value (ICV, per algorithm)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * - Padding: the fewest bytes that make payload + trailer a multiple of the
 *   SA's alignment (block size, at least 4), valued 1, 2, 3, … (§2.4).
 * - ESN (RFC 4304, RFC 4303 §3.3.2.1): the high 32 bits are never sent; a
 *   separate ICV covers them as a trailer, an AEAD as part of the AAD.
 * - AEAD AAD (RFC 4106 §5, RFC 7634 §2.1): SPI || seq, or
 *   SPI || seq_hi || seq_lo with ESN.
 *
 * Allocation: the transform API returns fresh arrays, so each packet costs
 * the ciphertext array (and, without AEAD, the ICV array) plus a few
 * subarray views; everything else is written into caller-owned buffers.
 *
 * @module
 */
import { put32 } from "./checksum.ts";
import { ESP_HEADER_LENGTH, ESP_TRAILER_LENGTH } from "./constants.ts";
import type { SecurityAssociation } from "./sa.ts";

const EMPTY = new Uint8Array(0);

/** Bytes of ESP packet for `payloadLength` bytes of payload on `sa`. */
export function sealedLength(sa: SecurityAssociation, payloadLength: number): number {
  const body = payloadLength + ESP_TRAILER_LENGTH;
  const padded = body + (sa.align - (body % sa.align)) % sa.align;
  return ESP_HEADER_LENGTH + sa.ivLength + padded + sa.icvLength;
}

/**
 * Writes the ESP packet carrying `src[off..off+len)` with the sequence
 * number `hi * 2^32 + lo` (`hi` matters only with ESN) and IV `iv` into
 * `out` from index 0;
 * `scratch` holds the plaintext on the way. Both must have room for
 * {@linkcode sealedLength}. Returns the packet length.
 */
export function sealEsp(
  sa: SecurityAssociation,
  hi: number,
  lo: number,
  iv: Uint8Array,
  src: Uint8Array,
  off: number,
  len: number,
  nextHeader: number,
  out: Uint8Array,
  scratch: Uint8Array,
): number {
  const body = len + ESP_TRAILER_LENGTH;
  const padLen = (sa.align - (body % sa.align)) % sa.align;
  const ptLen = body + padLen;
  scratch.set(src.subarray(off, off + len), 0);
  for (let i = 1; i <= padLen; i++) scratch[len + i - 1] = i;
  scratch[len + padLen] = padLen;
  scratch[len + padLen + 1] = nextHeader;

  put32(out, 0, sa.spi);
  put32(out, 4, lo);
  out.set(iv, ESP_HEADER_LENGTH);
  const ctOff = ESP_HEADER_LENGTH + sa.ivLength;
  const plaintext = scratch.subarray(0, ptLen);
  if (sa.aead) {
    const aad = sa.aad;
    if (sa.esn) {
      put32(aad, 4, hi);
      put32(aad, 8, lo);
    } else {
      put32(aad, 4, lo);
    }
    const ct = sa.cipher.encrypt(iv, aad, plaintext);
    out.set(ct, ctOff);
    return ctOff + ct.length;
  }
  const ct = sa.cipher.encrypt(iv, EMPTY, plaintext);
  out.set(ct, ctOff);
  const end = ctOff + ct.length;
  if (sa.integrity === undefined) return end;
  let icv: Uint8Array;
  if (sa.esn) {
    put32(sa.seqHi, 0, hi);
    icv = sa.integrity.mac(out.subarray(0, end), sa.seqHi);
  } else {
    icv = sa.integrity.mac(out.subarray(0, end));
  }
  out.set(icv, end);
  return end + icv.length;
}
