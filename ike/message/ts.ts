/**
 * The Traffic Selector payloads TSi and TSr (RFC 7296 §3.13) and their
 * selectors (§3.13.1). IPv4 ranges are 16 octets, IPv6 ranges 40; other
 * selector types are kept whole so that the engine can refuse them with
 * TS_UNACCEPTABLE rather than the codec with INVALID_SYNTAX.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of TSs |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       <Traffic Selectors>                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   TS Type     |IP Protocol ID |       Selector Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Start Port          |           End Port            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Starting Address                      ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Ending Address                        ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { TS_IPV4_LENGTH, TS_IPV6_LENGTH, TsType } from "../constants.ts";
import {
  checkField,
  checkLength,
  concat,
  IkeEncodeError,
  ok,
  put16,
  syntaxError,
  truncated,
  u16,
} from "./bytes.ts";
import type { AddressRangeSelector, Result, TrafficSelector, TsPayload } from "./types.ts";

const HEADER = 4;
const SELECTOR_HEADER = 4;
const RANGE_HEADER = 8;

/** Selector lengths of the address-range types. */
const RANGE_LENGTHS: Record<number, number> = {
  [TsType.IPV4_ADDR_RANGE]: TS_IPV4_LENGTH,
  [TsType.IPV6_ADDR_RANGE]: TS_IPV6_LENGTH,
};

/** Whether a selector is an IPv4 or IPv6 address range. */
export function isAddressRange(ts: TrafficSelector): ts is AddressRangeSelector {
  return !("opaque" in ts);
}

export function decodeTs(
  kind: "tsi" | "tsr",
  body: Uint8Array,
  critical: boolean,
  base: number,
): Result<TsPayload> {
  if (body.length < HEADER) return truncated(base, "TS header", HEADER, body.length);
  const count = body[0]!;
  const selectors: TrafficSelector[] = [];
  let off = HEADER;
  for (let i = 0; i < count; i++) {
    const at = base + off;
    if (body.length - off < SELECTOR_HEADER) {
      return truncated(
        at,
        `traffic selector ${i + 1} of ${count}`,
        SELECTOR_HEADER,
        body.length - off,
      );
    }
    const type = body[off]!;
    const length = u16(body, off + 2);
    if (length < SELECTOR_HEADER || length > body.length - off) {
      return syntaxError(
        at + 2,
        `selector length ${length} outside 4..${body.length - off}`,
        "length",
      );
    }
    const want = RANGE_LENGTHS[type];
    if (want === undefined) {
      selectors.push({ type, opaque: body.slice(off, off + length) });
    } else {
      if (length !== want) {
        return syntaxError(
          at + 2,
          `selector type ${type} with length ${length}, expected ${want}`,
          "length",
        );
      }
      const half = (want - RANGE_HEADER) / 2;
      selectors.push({
        type,
        protocol: body[off + 1]!,
        startPort: u16(body, off + 4),
        endPort: u16(body, off + 6),
        start: body.slice(off + RANGE_HEADER, off + RANGE_HEADER + half),
        end: body.slice(off + RANGE_HEADER + half, off + want),
      });
    }
    off += length;
  }
  if (off !== body.length) {
    return syntaxError(base + off, `${body.length - off} bytes after ${count} selectors`, "length");
  }
  return ok({ kind, critical, selectors });
}

export function encodeTs(p: TsPayload): Uint8Array {
  checkField("TS count", p.selectors.length, 255);
  const head = new Uint8Array(HEADER);
  head[0] = p.selectors.length;
  return concat([head, ...p.selectors.map(encodeSelector)]);
}

function encodeSelector(ts: TrafficSelector): Uint8Array {
  if (!isAddressRange(ts)) {
    if (
      ts.opaque.length < SELECTOR_HEADER || ts.opaque[0] !== ts.type ||
      u16(ts.opaque, 2) !== ts.opaque.length
    ) {
      throw new IkeEncodeError(
        `Cannot encode selector of type ${ts.type}: its bytes do not start with its header`,
      );
    }
    return ts.opaque.slice();
  }
  const length = RANGE_LENGTHS[ts.type];
  if (length === undefined) {
    throw new IkeEncodeError(`Cannot encode selector type ${ts.type} as an address range`);
  }
  const half = (length - RANGE_HEADER) / 2;
  checkLength("selector start address", ts.start, [half]);
  checkLength("selector end address", ts.end, [half]);
  checkField("selector protocol", ts.protocol, 255);
  checkField("selector start port", ts.startPort, 0xffff);
  checkField("selector end port", ts.endPort, 0xffff);
  const out = new Uint8Array(length);
  out[0] = ts.type;
  out[1] = ts.protocol;
  put16(out, 2, length);
  put16(out, 4, ts.startPort);
  put16(out, 6, ts.endPort);
  out.set(ts.start, RANGE_HEADER);
  out.set(ts.end, RANGE_HEADER + half);
  return out;
}
