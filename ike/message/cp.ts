/**
 * The Configuration payload (RFC 7296 §3.15) and its attributes (§3.15.1).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C| RESERVED    |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   CFG Type    |                    RESERVED                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Configuration Attributes                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|         Attribute Type      |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                             Value                             ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * The R bit is reserved: ignored on receipt, sent as zero.
 *
 * @module
 */
import { CP_ATTRIBUTE_RESERVED_BIT } from "../constants.ts";
import { checkField, concat, ok, put16, truncated, u16 } from "./bytes.ts";
import type { CpAttributeValue, CpPayload, Result } from "./types.ts";

const HEADER = 4;
const ATTRIBUTE_HEADER = 4;

export function decodeCp(body: Uint8Array, critical: boolean, base: number): Result<CpPayload> {
  if (body.length < HEADER) return truncated(base, "CP header", HEADER, body.length);
  const attributes: CpAttributeValue[] = [];
  let off = HEADER;
  while (off < body.length) {
    const at = base + off;
    if (body.length - off < ATTRIBUTE_HEADER) {
      return truncated(at, "configuration attribute", ATTRIBUTE_HEADER, body.length - off);
    }
    const type = u16(body, off) & ~CP_ATTRIBUTE_RESERVED_BIT;
    const length = u16(body, off + 2);
    if (length > body.length - off - ATTRIBUTE_HEADER) {
      return truncated(
        at + 2,
        `attribute ${type} value`,
        length,
        body.length - off - ATTRIBUTE_HEADER,
      );
    }
    attributes.push({
      type,
      value: body.slice(off + ATTRIBUTE_HEADER, off + ATTRIBUTE_HEADER + length),
    });
    off += ATTRIBUTE_HEADER + length;
  }
  return ok({ kind: "cp", critical, cfgType: body[0]!, attributes });
}

export function encodeCp(p: CpPayload): Uint8Array {
  checkField("CFG type", p.cfgType, 255);
  const head = new Uint8Array(HEADER);
  head[0] = p.cfgType;
  return concat([head, ...p.attributes.map(encodeAttribute)]);
}

function encodeAttribute(a: CpAttributeValue): Uint8Array {
  checkField("configuration attribute type", a.type, 0x7fff);
  checkField("configuration attribute length", a.value.length, 0xffff);
  const out = new Uint8Array(ATTRIBUTE_HEADER + a.value.length);
  put16(out, 0, a.type);
  put16(out, 2, a.value.length);
  out.set(a.value, ATTRIBUTE_HEADER);
  return out;
}
