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
 * Allocation: with transforms that offer `encryptInto`/`macInto` (the
 * openssl provider) a packet costs only a few subarray views: the
 * plaintext is staged in `out` and encrypted in place. Otherwise the
 * transform API returns fresh arrays (the ciphertext and, without AEAD,
 * the ICV). Everything else is written into caller-owned buffers.
 *
 * @module
 */
import { put32 } from "./checksum.ts";
import { ESP_HEADER_LENGTH, ESP_TRAILER_LENGTH } from "./constants.ts";
import type { SecurityAssociation } from "./sa.ts";

const EMPTY: Uint8Array = new Uint8Array(0);

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
  const ctOff = ESP_HEADER_LENGTH + sa.ivLength;
  const cipher = sa.cipher;
  // With an allocation-free cipher the plaintext is staged where the
  // ciphertext goes and encrypted in place; otherwise in `scratch`.
  const inPlace = cipher.encryptInto !== undefined;
  const stage = inPlace ? out : scratch;
  const at = inPlace ? ctOff : 0;
  stage.set(off === 0 && len === src.length ? src : src.subarray(off, off + len), at);
  for (let i = 1; i <= padLen; i++) stage[at + len + i - 1] = i;
  stage[at + len + padLen] = padLen;
  stage[at + len + padLen + 1] = nextHeader;

  put32(out, 0, sa.spi);
  put32(out, 4, lo);
  out.set(iv, ESP_HEADER_LENGTH);
  const plaintext = stage.subarray(at, at + ptLen);
  let aad = EMPTY;
  if (sa.aead) {
    aad = sa.aad;
    if (sa.esn) {
      put32(aad, 4, hi);
      put32(aad, 8, lo);
    } else {
      put32(aad, 4, lo);
    }
  }
  let end: number;
  if (inPlace) {
    end = ctOff + cipher.encryptInto!(iv, aad, plaintext, out, ctOff);
  } else {
    const ct = cipher.encrypt(iv, aad, plaintext);
    out.set(ct, ctOff);
    end = ctOff + ct.length;
  }
  const integ = sa.integrity;
  if (sa.aead || integ === undefined) return end;
  const trailer = sa.esn ? sa.seqHi : undefined;
  if (trailer) put32(trailer, 0, hi);
  const covered = out.subarray(0, end);
  if (integ.macInto !== undefined) {
    integ.macInto(covered, out, end, trailer);
    return end + sa.icvLength;
  }
  const icv = integ.mac(covered, trailer);
  out.set(icv, end);
  return end + icv.length;
}
