/**
 * The Certificate and Certificate Request payloads (RFC 7296 §3.6, §3.7),
 * which share one layout:
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Cert Encoding |                                               |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~        Certificate Data / Certification Authority             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { checkField, ok, truncated } from "./bytes.ts";
import type { CertPayload, CertReqPayload, Result } from "./types.ts";

export function decodeCert(body: Uint8Array, critical: boolean, base: number): Result<CertPayload> {
  if (body.length < 1) return truncated(base, "CERT encoding", 1, 0);
  return ok({ kind: "cert", critical, encoding: body[0]!, data: body.slice(1) });
}

export function decodeCertReq(
  body: Uint8Array,
  critical: boolean,
  base: number,
): Result<CertReqPayload> {
  if (body.length < 1) return truncated(base, "CERTREQ encoding", 1, 0);
  return ok({ kind: "certreq", critical, encoding: body[0]!, data: body.slice(1) });
}

export function encodeCert(p: CertPayload | CertReqPayload): Uint8Array {
  checkField("certificate encoding", p.encoding, 255);
  const out = new Uint8Array(1 + p.data.length);
  out[0] = p.encoding;
  out.set(p.data, 1);
  return out;
}
