/**
 * ESP decapsulation of one packet (RFC 4303 §3.4.4 – §3.4.4.2): length
 * checks, ICV, decryption, padding and next header. The packet layout is
 * drawn in `encap.ts`. The caller has already found the SA and checked the
 * sequence number against the replay window (§3.4.3: before the ICV); it
 * updates the window only when this returns success.
 *
 * For a non-AEAD SA the ICV is verified before anything is decrypted
 * (§3.4.4.1); an AEAD verifies and decrypts in one step and yields no
 * plaintext on failure. The padding must be 1, 2, 3, … (§2.4: the receiver
 * SHOULD check it when the default scheme is in use, as it is here).
 *
 * Allocation: the plaintext array returned by the transform, plus a few
 * subarray views.
 *
 * @module
 */
import { put32 } from "./checksum.ts";
import { ESP_HEADER_LENGTH, ESP_TRAILER_LENGTH } from "./constants.ts";
import type { DropReason } from "./counters.ts";
import type { SecurityAssociation } from "./sa.ts";

const EMPTY = new Uint8Array(0);

/** The decrypted payload: `plain[0..length)`, and the next header. */
export class Opened {
  plain: Uint8Array = EMPTY;
  length = 0;
  nextHeader = 0;
}

/**
 * Authenticates and decrypts the ESP packet `pkt[off..off+len)` into `out`.
 * `hi` is the high half of its sequence number (inferred from the replay
 * window; used only with ESN). Returns null on success, or why the packet
 * must be dropped.
 */
export function openEsp(
  sa: SecurityAssociation,
  hi: number,
  pkt: Uint8Array,
  off: number,
  len: number,
  out: Opened,
): DropReason | null {
  const ctOff = off + ESP_HEADER_LENGTH + sa.ivLength;
  const ctLen = len - ESP_HEADER_LENGTH - sa.ivLength - sa.icvLength;
  if (ctLen < sa.align || ctLen % sa.align !== 0) return "truncated";
  const iv = pkt.subarray(off + ESP_HEADER_LENGTH, ctOff);
  let plain: Uint8Array | null;
  if (sa.aead) {
    const aad = sa.aad;
    let o = 4;
    if (sa.esn) {
      put32(aad, 4, hi);
      o = 8;
    }
    for (let i = 0; i < 4; i++) aad[o + i] = pkt[off + 4 + i]!;
    plain = sa.cipher.decrypt(iv, aad, pkt.subarray(ctOff, off + len));
  } else {
    if (sa.integrity !== undefined) {
      const covered = pkt.subarray(off, ctOff + ctLen);
      const icv = pkt.subarray(ctOff + ctLen, off + len);
      let ok: boolean;
      if (sa.esn) {
        put32(sa.seqHi, 0, hi);
        ok = sa.integrity.verify(covered, icv, sa.seqHi);
      } else {
        ok = sa.integrity.verify(covered, icv);
      }
      if (!ok) return "icv";
    }
    plain = sa.cipher.decrypt(iv, EMPTY, pkt.subarray(ctOff, ctOff + ctLen));
  }
  if (plain === null) return "icv";
  const n = plain.length;
  const padLen = plain[n - 2]!;
  if (padLen + ESP_TRAILER_LENGTH > n) return "bad-padding";
  const payloadLen = n - ESP_TRAILER_LENGTH - padLen;
  for (let i = 0; i < padLen; i++) {
    if (plain[payloadLen + i] !== i + 1) return "bad-padding";
  }
  out.plain = plain;
  out.length = payloadLen;
  out.nextHeader = plain[n - 1]!;
  return null;
}
