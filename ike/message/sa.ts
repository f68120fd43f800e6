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
  TransformAttribute as Attr,
} from "../constants.ts";
import { checkField, concat, ok, put16, syntaxError, truncated, u16 } from "./bytes.ts";
import type { Proposal, Result, SaPayload, Transform, TransformAttribute } from "./types.ts";

const PROPOSAL_HEADER = 8;
const TRANSFORM_HEADER = 8;
const ATTRIBUTE_HEADER = 4;

/** SPI sizes each protocol allows in a proposal (RFC 7296 §3.3.1); others are not checked. */
const PROPOSAL_SPI_SIZES: Record<number, readonly number[]> = {
  [ProtocolId.IKE]: [0, IKE_SPI_LENGTH],
  [ProtocolId.AH]: [CHILD_SPI_LENGTH],
  [ProtocolId.ESP]: [CHILD_SPI_LENGTH],
};

/** Decodes an SA payload body; `base` is the body's offset in the message. */
export function decodeSa(body: Uint8Array, critical: boolean, base: number): Result<SaPayload> {
  const proposals: Proposal[] = [];
  if (body.length === 0) return syntaxError(base, "SA payload without proposals");
  let off = 0;
  for (;;) {
    const at = base + off;
    if (body.length - off < PROPOSAL_HEADER) {
      return truncated(at, "proposal header", PROPOSAL_HEADER, body.length - off);
    }
    const last = body[off]!;
    const length = u16(body, off + 2);
    if (length < PROPOSAL_HEADER || length > body.length - off) {
      return syntaxError(
        at + 2,
        `proposal length ${length} outside 8..${body.length - off}`,
        "length",
      );
    }
    const r = decodeProposal(body.subarray(off, off + length), at);
    if (!r.ok) return r;
    const p = r.value;
    const expected = proposals.length === 0 ? 1 : proposals[proposals.length - 1]!.number + 1;
    if (p.number === 0 || (proposals.length > 0 && p.number !== expected)) {
      return syntaxError(at + 4, `proposal number ${p.number}, expected ${expected}`);
    }
    proposals.push(p);
    off += length;
    const more = off < body.length;
    if (last !== (more ? MORE_PROPOSALS : LAST_SUBSTRUCTURE)) {
      return syntaxError(
        at,
        `proposal Last Substruc ${last} but ${more ? "more follow" : "none follows"}`,
      );
    }
    if (!more) break;
  }
  // RFC 7296 §3.3.1: a single proposal in a request must be number 1 as well.
  if (proposals.length > 1 && proposals[0]!.number !== 1) {
    return syntaxError(base + 4, `first proposal number ${proposals[0]!.number}, expected 1`);
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
  if (p.length - PROPOSAL_HEADER < spiSize) {
    return truncated(base + 8, "proposal SPI", spiSize, p.length - PROPOSAL_HEADER);
  }
  const spi = p.slice(PROPOSAL_HEADER, PROPOSAL_HEADER + spiSize);
  const transforms: Transform[] = [];
  let off = PROPOSAL_HEADER + spiSize;
  while (off < p.length) {
    const at = base + off;
    if (p.length - off < TRANSFORM_HEADER) {
      return truncated(at, "transform header", TRANSFORM_HEADER, p.length - off);
    }
    const last = p[off]!;
    const length = u16(p, off + 2);
    if (length < TRANSFORM_HEADER || length > p.length - off) {
      return syntaxError(
        at + 2,
        `transform length ${length} outside 8..${p.length - off}`,
        "length",
      );
    }
    const t = decodeTransform(p.subarray(off, off + length), at);
    if (!t.ok) return t;
    transforms.push(t.value);
    off += length;
    const more = off < p.length;
    if (last !== (more ? MORE_TRANSFORMS : LAST_SUBSTRUCTURE)) {
      return syntaxError(
        at,
        `transform Last Substruc ${last} but ${more ? "more follow" : "none follows"}`,
      );
    }
  }
  if (transforms.length !== count) {
    return syntaxError(
      base + 7,
      `proposal says ${count} transforms, carries ${transforms.length}`,
      "length",
    );
  }
  return ok({ number, protocol, spi, transforms });
}

function decodeTransform(t: Uint8Array, base: number): Result<Transform> {
  const type = t[4]!;
  const id = u16(t, 6);
  let keyLength: number | undefined;
  const otherAttributes: TransformAttribute[] = [];
  let off = TRANSFORM_HEADER;
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
  const head = new Uint8Array(PROPOSAL_HEADER);
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
  const out = concat([new Uint8Array(TRANSFORM_HEADER), ...attrs.map(encodeAttribute)]);
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
