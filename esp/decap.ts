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
 * Allocation: a few subarray views; with a transform that offers
 * `decryptInto` (the openssl provider) the plaintext goes into the
 * caller's `plainBuf`, otherwise into the array the transform returns.
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
 * Decrypts `ct` into `out`: into `buf` from index 0 when the cipher can
 * (`decryptInto`), else into the array it returns. False when an AEAD's
 * ICV fails.
 */
function decrypt(
  sa: SecurityAssociation,
  iv: Uint8Array,
  aad: Uint8Array,
  ct: Uint8Array,
  buf: Uint8Array,
  out: Opened,
): boolean {
  const c = sa.cipher;
  if (c.decryptInto !== undefined && ct.length <= buf.length) {
    const n = c.decryptInto(iv, aad, ct, buf, 0);
    out.plain = buf;
    out.length = n;
    return n >= 0;
  }
  const p = c.decrypt(iv, aad, ct);
  if (p === null) return false;
  out.plain = p;
  out.length = p.length;
  return true;
}

/**
 * Authenticates and decrypts the ESP packet `pkt[off..off+len)` into `out`
 * (the plaintext in `plainBuf` when the cipher can write there). `hi` is
 * the high half of its sequence number (inferred from the replay window;
 * used only with ESN). Returns null on success, or why the packet must be
 * dropped.
 */
export function openEsp(
  sa: SecurityAssociation,
  hi: number,
  pkt: Uint8Array,
  off: number,
  len: number,
  out: Opened,
  plainBuf: Uint8Array,
): DropReason | null {
  const ctOff = off + ESP_HEADER_LENGTH + sa.ivLength;
  const ctLen = len - ESP_HEADER_LENGTH - sa.ivLength - sa.icvLength;
  if (ctLen < sa.align || ctLen % sa.align !== 0) return "truncated";
  const iv = pkt.subarray(off + ESP_HEADER_LENGTH, ctOff);
  let ok: boolean;
  if (sa.aead) {
    const aad = sa.aad;
    let o = 4;
    if (sa.esn) {
      put32(aad, 4, hi);
      o = 8;
    }
    for (let i = 0; i < 4; i++) aad[o + i] = pkt[off + 4 + i]!;
    ok = decrypt(sa, iv, aad, pkt.subarray(ctOff, off + len), plainBuf, out);
  } else {
    if (sa.integrity !== undefined) {
      const covered = pkt.subarray(off, ctOff + ctLen);
      const icv = pkt.subarray(ctOff + ctLen, off + len);
      let verified: boolean;
      if (sa.esn) {
        put32(sa.seqHi, 0, hi);
        verified = sa.integrity.verify(covered, icv, sa.seqHi);
      } else {
        verified = sa.integrity.verify(covered, icv);
      }
      if (!verified) return "icv";
    }
    ok = decrypt(sa, iv, EMPTY, pkt.subarray(ctOff, ctOff + ctLen), plainBuf, out);
  }
  if (!ok) return "icv";
  const plain = out.plain;
  const n = out.length;
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
