/**
 * The Security Association payload (RFC 7296 §3.3): proposals, each with
 * its transforms, each with its attributes. Lengths nest: every inner
 * length and count is checked against its container before it is read
 * (RFC 7296 §3.3: "check that the total Payload Length is consistent with
 * the payload's internal lengths and counts").
 *
 * Proposal substructure (§3.3.1):
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        <Transforms>                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * Transform substructure (§3.3.2):
 * ```
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Transform Attributes                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * Transform attribute (§3.3.5), AF=1 is TV (value in the length field):
 * ```
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |F|                             |    AF=1  Attribute Value      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   AF=0  Attribute Value                       |
 * |                   AF=1  Not Transmitted                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import {
  ATTRIBUTE_TV_BIT,
  CHILD_SPI_LENGTH,
  IKE_SPI_LENGTH,
  LAST_SUBSTRUCTURE,
  MORE_PROPOSALS,
  MORE_TRANSFORMS,
  ProtocolId,
  TransformAttributeType as Attr,
} from "../constants.ts";
import { checkField, concat, ok, put16, syntaxError, truncated, u16 } from "./bytes.ts";
import type { Proposal, Result, SaPayload, Transform, TransformAttribute } from "./types.ts";

/** Proposal and transform headers are both 8 octets. */
const SUBSTRUCTURE_HEADER = 8;
const ATTRIBUTE_HEADER = 4;

/** SPI sizes each protocol allows in a proposal (RFC 7296 §3.3.1); others are not checked. */
const PROPOSAL_SPI_SIZES: Record<number, readonly number[]> = {
  [ProtocolId.IKE]: [0, IKE_SPI_LENGTH],
  [ProtocolId.AH]: [CHILD_SPI_LENGTH],
  [ProtocolId.ESP]: [CHILD_SPI_LENGTH],
};

/**
 * Walks proposals or transforms (§3.3.1, §3.3.2): each starts with Last
 * Substruc (`more` when another follows, 0 for the last), a reserved octet
 * and its 2-octet length, which must cover its 8-octet header and stay
 * inside `b`.
 */
function decodeSubstructures<T>(
  b: Uint8Array,
  start: number,
  base: number,
  what: string,
  more: number,
  decode: (s: Uint8Array, at: number) => Result<T>,
): Result<T[]> {
  const out: T[] = [];
  for (let off = start; off < b.length;) {
    const at = base + off;
    if (b.length - off < SUBSTRUCTURE_HEADER) {
      return truncated(at, `${what} header`, SUBSTRUCTURE_HEADER, b.length - off);
    }
    const last = b[off]!;
    const length = u16(b, off + 2);
    if (length < SUBSTRUCTURE_HEADER || length > b.length - off) {
      return syntaxError(at + 2, `${what} length ${length} outside 8..${b.length - off}`, "length");
    }
    const r = decode(b.subarray(off, off + length), at);
    if (!r.ok) return r;
    out.push(r.value);
    off += length;
    const follows = off < b.length;
    if (last !== (follows ? more : LAST_SUBSTRUCTURE)) {
      return syntaxError(
        at,
        `${what} Last Substruc ${last} but ${follows ? "more follow" : "none follows"}`,
      );
    }
  }
  return ok(out);
}

/** Decodes an SA payload body; `base` is the body's offset in the message. */
export function decodeSa(body: Uint8Array, critical: boolean, base: number): Result<SaPayload> {
  if (body.length === 0) return syntaxError(base, "SA payload without proposals");
  const r = decodeSubstructures(body, 0, base, "proposal", MORE_PROPOSALS, decodeProposal);
  if (!r.ok) return r;
  // RFC 7296 §3.3.1: numbered 1, 2, 3…; a lone proposal (a response) may carry any number.
  const proposals = r.value;
  let at = base;
  for (let i = 0; i < proposals.length; i++) {
    const n = proposals[i]!.number;
    const expected = i === 0 ? 1 : proposals[i - 1]!.number + 1;
    if (n === 0 || (proposals.length > 1 && n !== expected)) {
      return syntaxError(at + 4, `proposal number ${n}, expected ${expected}`);
    }
    at += u16(body, at - base + 2);
  }
  return ok({ kind: "sa", critical, proposals });
}

function decodeProposal(p: Uint8Array, base: number): Result<Proposal> {
  const number = p[4]!;
  const protocol = p[5]!;
  const spiSize = p[6]!;
  const count = p[7]!;
  const allowed = PROPOSAL_SPI_SIZES[protocol];
  if (allowed && !allowed.includes(spiSize)) {
    return syntaxError(base + 6, `SPI size ${spiSize} for protocol ${protocol}`);
  }
  if (p.length - SUBSTRUCTURE_HEADER < spiSize) {
    return truncated(base + 8, "proposal SPI", spiSize, p.length - SUBSTRUCTURE_HEADER);
  }
  const spi = p.slice(SUBSTRUCTURE_HEADER, SUBSTRUCTURE_HEADER + spiSize);
  const t = decodeSubstructures(
    p,
    SUBSTRUCTURE_HEADER + spiSize,
    base,
    "transform",
    MORE_TRANSFORMS,
    decodeTransform,
  );
  if (!t.ok) return t;
  if (t.value.length !== count) {
    return syntaxError(
      base + 7,
      `proposal says ${count} transforms, carries ${t.value.length}`,
      "length",
    );
  }
  return ok({ number, protocol, spi, transforms: t.value });
}

function decodeTransform(t: Uint8Array, base: number): Result<Transform> {
  const type = t[4]!;
  const id = u16(t, 6);
  let keyLength: number | undefined;
  const otherAttributes: TransformAttribute[] = [];
  let off = SUBSTRUCTURE_HEADER;
  while (off < t.length) {
    const at = base + off;
    if (t.length - off < ATTRIBUTE_HEADER) {
      return truncated(at, "transform attribute", ATTRIBUTE_HEADER, t.length - off);
    }
    const word = u16(t, off);
    const attrType = word & ~ATTRIBUTE_TV_BIT & 0xffff;
    if (word & ATTRIBUTE_TV_BIT) {
      const value = u16(t, off + 2);
      if (attrType === Attr.KEY_LENGTH) {
        if (keyLength !== undefined) return syntaxError(at, "Key Length attribute twice");
        keyLength = value;
      } else {
        otherAttributes.push({ format: "tv", type: attrType, value });
      }
      off += ATTRIBUTE_HEADER;
    } else {
      const length = u16(t, off + 2);
      if (length > t.length - off - ATTRIBUTE_HEADER) {
        return truncated(
          at,
          "transform attribute value",
          length,
          t.length - off - ATTRIBUTE_HEADER,
        );
      }
      if (attrType === Attr.KEY_LENGTH) return syntaxError(at, "Key Length attribute in TLV form");
      const value = t.slice(off + ATTRIBUTE_HEADER, off + ATTRIBUTE_HEADER + length);
      otherAttributes.push({ format: "tlv", type: attrType, value });
      off += ATTRIBUTE_HEADER + length;
    }
  }
  return ok({ type, id, keyLength, otherAttributes });
}

/** Encodes an SA payload body. Throws {@linkcode IkeEncodeError} on out-of-range fields. */
export function encodeSa(p: SaPayload): Uint8Array {
  return concat(p.proposals.map((prop, i) => encodeProposal(prop, i === p.proposals.length - 1)));
}

function encodeProposal(p: Proposal, last: boolean): Uint8Array {
  checkField("proposal number", p.number, 255);
  checkField("protocol ID", p.protocol, 255);
  checkField("SPI size", p.spi.length, 255);
  checkField("transform count", p.transforms.length, 255);
  const transforms = p.transforms.map((t, i) => encodeTransform(t, i === p.transforms.length - 1));
  const head = new Uint8Array(SUBSTRUCTURE_HEADER);
  const out = concat([head, p.spi, ...transforms]);
  checkField("proposal length", out.length, 0xffff);
  out[0] = last ? LAST_SUBSTRUCTURE : MORE_PROPOSALS;
  put16(out, 2, out.length);
  out[4] = p.number;
  out[5] = p.protocol;
  out[6] = p.spi.length;
  out[7] = p.transforms.length;
  return out;
}

function encodeTransform(t: Transform, last: boolean): Uint8Array {
  checkField("transform type", t.type, 255);
  checkField("transform ID", t.id, 0xffff);
  const attrs: TransformAttribute[] = t.keyLength === undefined
    ? t.otherAttributes
    : [{ format: "tv", type: Attr.KEY_LENGTH, value: t.keyLength }, ...t.otherAttributes];
  const out = concat([new Uint8Array(SUBSTRUCTURE_HEADER), ...attrs.map(encodeAttribute)]);
  checkField("transform length", out.length, 0xffff);
  out[0] = last ? LAST_SUBSTRUCTURE : MORE_TRANSFORMS;
  put16(out, 2, out.length);
  out[4] = t.type;
  put16(out, 6, t.id);
  return out;
}

function encodeAttribute(a: TransformAttribute): Uint8Array {
  checkField("attribute type", a.type, 0x7fff);
  if (a.format === "tv") {
    checkField("attribute value", a.value, 0xffff);
    const out = new Uint8Array(ATTRIBUTE_HEADER);
    put16(out, 0, ATTRIBUTE_TV_BIT | a.type);
    put16(out, 2, a.value);
    return out;
  }
  checkField("attribute length", a.value.length, 0xffff);
  const out = new Uint8Array(ATTRIBUTE_HEADER + a.value.length);
  put16(out, 0, a.type);
  put16(out, 2, a.value.length);
  out.set(a.value, ATTRIBUTE_HEADER);
  return out;
}
