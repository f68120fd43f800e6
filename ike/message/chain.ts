/**
 * Payload chains (RFC 7296 §3.2): payloads linked by the Next Payload field
 * of each generic header, walked with every length checked before it is
 * read. Unknown payloads are skipped (and kept) unless critical, which
 * rejects the message with UNSUPPORTED_CRITICAL_PAYLOAD (RFC 7296 §2.5).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import {
  CRITICAL_BIT,
  GENERIC_HEADER_LENGTH,
  MAX_PAYLOADS,
  NotifyType,
  PayloadType as T,
} from "../constants.ts";
import { decodeAuth, encodeAuth } from "./auth.ts";
import {
  checkField,
  concat,
  fail,
  IkeEncodeError,
  ok,
  put16,
  syntaxError,
  truncated,
  u16,
} from "./bytes.ts";
import { decodeCert, decodeCertReq, encodeCert } from "./cert.ts";
import { decodeCp, encodeCp } from "./cp.ts";
import { decodeDelete, encodeDelete } from "./delete.ts";
import { decodeEap, encodeEap } from "./eap.ts";
import { decodeId, encodeId } from "./id.ts";
import { decodeKe, encodeKe } from "./ke.ts";
import { decodeNonce, encodeNonce } from "./nonce.ts";
import { decodeNotify, encodeNotify } from "./notify.ts";
import { decodeSa, encodeSa } from "./sa.ts";
import { decodeSkf } from "./skf.ts";
import { decodeTs, encodeTs } from "./ts.ts";
import type { Payload, PayloadKind, Result } from "./types.ts";
import { decodeVendor, encodeVendor } from "./vendor.ts";

type BodyDecoder = (body: Uint8Array, critical: boolean, base: number) => Result<Payload>;

/** The payloads we decode inside a chain, by type (SK and SKF are handled apart). */
const DECODERS: Readonly<Record<number, BodyDecoder>> = {
  [T.SA]: decodeSa,
  [T.KE]: decodeKe,
  [T.IDI]: (b, c, o) => decodeId("idi", b, c, o),
  [T.IDR]: (b, c, o) => decodeId("idr", b, c, o),
  [T.CERT]: decodeCert,
  [T.CERTREQ]: decodeCertReq,
  [T.AUTH]: decodeAuth,
  [T.NONCE]: decodeNonce,
  [T.NOTIFY]: decodeNotify,
  [T.DELETE]: decodeDelete,
  [T.VENDOR]: decodeVendor,
  [T.TSI]: (b, c, o) => decodeTs("tsi", b, c, o),
  [T.TSR]: (b, c, o) => decodeTs("tsr", b, c, o),
  [T.CP]: decodeCp,
  [T.EAP]: decodeEap,
};

/** Payload type of each kind. */
export const KIND_TYPES: Readonly<Record<Exclude<PayloadKind, "unknown">, number>> = {
  sa: T.SA,
  ke: T.KE,
  idi: T.IDI,
  idr: T.IDR,
  cert: T.CERT,
  certreq: T.CERTREQ,
  auth: T.AUTH,
  nonce: T.NONCE,
  notify: T.NOTIFY,
  delete: T.DELETE,
  vendor: T.VENDOR,
  tsi: T.TSI,
  tsr: T.TSR,
  sk: T.SK,
  cp: T.CP,
  eap: T.EAP,
  skf: T.SKF,
};

/** The payload type number of `p`. */
export function payloadType(p: Payload): number {
  return p.kind === "unknown" ? p.type : KIND_TYPES[p.kind];
}

/**
 * Decodes the chain in `bytes[start..end)` whose first payload has type
 * `firstType`. Offsets in errors are indices into `bytes`. An SK or SKF
 * payload ends the chain and must end at `end`; inside an SK payload
 * (`inner`), neither may appear.
 */
export function decodePayloadChain(
  bytes: Uint8Array,
  start: number,
  end: number,
  firstType: number,
  inner: boolean,
): Result<Payload[]> {
  const payloads: Payload[] = [];
  let type = firstType;
  let off = start;
  while (type !== T.NONE) {
    if (payloads.length >= MAX_PAYLOADS) {
      return fail("limit", off, `more than ${MAX_PAYLOADS} payloads`);
    }
    if (end - off < GENERIC_HEADER_LENGTH) {
      return truncated(off, `payload ${type} header`, GENERIC_HEADER_LENGTH, end - off);
    }
    const next = bytes[off]!;
    const critical = (bytes[off + 1]! & CRITICAL_BIT) !== 0;
    const length = u16(bytes, off + 2);
    if (length < GENERIC_HEADER_LENGTH) {
      return syntaxError(off + 2, `payload ${type} length ${length} is below 4`, "length");
    }
    if (length > end - off) {
      return truncated(off + 2, `payload ${type} of length ${length}`, length, end - off);
    }
    const body = bytes.subarray(off + GENERIC_HEADER_LENGTH, off + length);
    if (type === T.SK || type === T.SKF) {
      if (inner) return syntaxError(off, `payload ${type} inside an Encrypted payload`);
      if (off + length !== end) {
        return syntaxError(off, `payload ${type} is not the last payload`);
      }
      if (type === T.SKF) {
        const r = decodeSkf(body, critical, next, off);
        if (!r.ok) return r;
        payloads.push(r.value);
      } else {
        payloads.push({ kind: "sk", critical, innerType: next, offset: off, body: body.slice() });
      }
      return ok(payloads);
    }
    const decode = DECODERS[type];
    if (decode) {
      const r = decode(body, critical, off + GENERIC_HEADER_LENGTH);
      if (!r.ok) return r;
      payloads.push(r.value);
    } else if (critical) {
      return fail("critical", off, `unknown payload ${type} marked critical`, {
        type: NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
        data: Uint8Array.of(type),
      });
    } else {
      payloads.push({ kind: "unknown", critical, type, data: body.slice() });
    }
    off += length;
    type = next;
  }
  if (off !== end) return syntaxError(off, `${end - off} bytes after the last payload`, "length");
  return ok(payloads);
}

/** Encodes one payload's body (without its generic header). */
export function encodePayloadBody(p: Payload): Uint8Array {
  switch (p.kind) {
    case "sa":
      return encodeSa(p);
    case "ke":
      return encodeKe(p);
    case "idi":
    case "idr":
      return encodeId(p);
    case "cert":
    case "certreq":
      return encodeCert(p);
    case "auth":
      return encodeAuth(p);
    case "nonce":
      return encodeNonce(p);
    case "notify":
      return encodeNotify(p);
    case "delete":
      return encodeDelete(p);
    case "vendor":
      return encodeVendor(p);
    case "tsi":
    case "tsr":
      return encodeTs(p);
    case "cp":
      return encodeCp(p);
    case "eap":
      return encodeEap(p);
    case "unknown":
      return p.data.slice();
    case "sk":
    case "skf":
      throw new IkeEncodeError(
        `Cannot encode a received ${p.kind} payload; protect the message instead`,
      );
  }
}

/** An encoded chain and the type of its first payload (0 when empty). */
export interface EncodedChain {
  bytes: Uint8Array;
  firstType: number;
}

/**
 * Encodes `payloads` as a chain; the last one's Next Payload is `lastNext`
 * (0, or SK/SKF when an Encrypted payload follows).
 */
export function encodePayloadChain(payloads: readonly Payload[], lastNext = 0): EncodedChain {
  const parts: Uint8Array[] = [];
  payloads.forEach((p, i) => {
    const body = encodePayloadBody(p);
    checkField("payload length", GENERIC_HEADER_LENGTH + body.length, 0xffff);
    const head = new Uint8Array(GENERIC_HEADER_LENGTH);
    const following = payloads[i + 1];
    head[0] = following ? payloadType(following) : lastNext;
    head[1] = p.critical ? CRITICAL_BIT : 0;
    put16(head, 2, GENERIC_HEADER_LENGTH + body.length);
    parts.push(head, body);
  });
  const first = payloads[0];
  return { bytes: concat(parts), firstType: first ? payloadType(first) : lastNext };
}
