/**
 * The Delete payload (RFC 7296 §3.11): IKE SA deletes carry no SPI (SPI
 * Size 0, zero SPIs); ESP and AH deletes carry 4-octet SPIs.
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */
import { CHILD_SPI_LENGTH, ProtocolId } from "../constants.ts";
import { checkField, IkeEncodeError, ok, put16, syntaxError, u16 } from "./bytes.ts";
import type { DeletePayload, Result } from "./types.ts";

const HEADER = 4;

/** SPI size each protocol's delete must use. */
const DELETE_SPI_SIZES: Record<number, number> = {
  [ProtocolId.IKE]: 0,
  [ProtocolId.AH]: CHILD_SPI_LENGTH,
  [ProtocolId.ESP]: CHILD_SPI_LENGTH,
};

export function decodeDelete(
  body: Uint8Array,
  critical: boolean,
  base: number,
): Result<DeletePayload> {
  if (body.length < HEADER) {
    return syntaxError(base, `delete header needs 4 bytes, ${body.length} left`, "truncated");
  }
  const protocol = body[0]!;
  const spiSize = body[1]!;
  const count = u16(body, 2);
  const want = DELETE_SPI_SIZES[protocol];
  if (want === undefined) return syntaxError(base, `delete for protocol ${protocol}`);
  if (spiSize !== want) {
    return syntaxError(base + 1, `delete SPI size ${spiSize} for protocol ${protocol}`);
  }
  if (protocol === ProtocolId.IKE && count !== 0) {
    return syntaxError(base + 2, `IKE delete with ${count} SPIs`);
  }
  if (body.length - HEADER !== count * spiSize) {
    return syntaxError(
      base + 2,
      `${count} SPIs of ${spiSize} bytes in ${body.length - HEADER} bytes`,
      "length",
    );
  }
  const spis: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const o = HEADER + i * spiSize;
    spis.push(body.slice(o, o + spiSize));
  }
  return ok({ kind: "delete", critical, protocol, spiSize, spis });
}

export function encodeDelete(p: DeletePayload): Uint8Array {
  checkField("delete protocol", p.protocol, 255);
  checkField("delete SPI size", p.spiSize, 255);
  checkField("delete SPI count", p.spis.length, 0xffff);
  const out = new Uint8Array(HEADER + p.spiSize * p.spis.length);
  out[0] = p.protocol;
  out[1] = p.spiSize;
  put16(out, 2, p.spis.length);
  p.spis.forEach((spi, i) => {
    if (spi.length !== p.spiSize) {
      throw new IkeEncodeError(
        `Cannot encode delete SPI ${i}: ${spi.length} bytes, SPI size is ${p.spiSize}`,
      );
    }
    out.set(spi, HEADER + i * p.spiSize);
  });
  return out;
}
