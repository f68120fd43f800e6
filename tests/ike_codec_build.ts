/**
 * Hand-built IKE wire bytes for codec tests: a generic payload, a whole
 * message around raw payload bytes, and a default header.
 *
 * @module
 */
import { ExchangeType } from "../ike/constants.ts";
import type { IkeHeader, IkeMessage, Payload } from "../ike/message/types.ts";

/** A header with SPIs 01…08 / 11…18, IKEv2, message ID 1, initiator request. */
export function header(over: Partial<IkeHeader> = {}): IkeHeader {
  return {
    spiI: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    spiR: Uint8Array.of(0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18),
    nextPayload: 0,
    majorVersion: 2,
    minorVersion: 0,
    exchange: ExchangeType.IKE_AUTH,
    flags: { initiator: true, response: false, higherVersion: false },
    messageId: 1,
    length: 0,
    ...over,
  };
}

/** One payload: generic header (next, critical bit, length) + body. */
export function gp(
  next: number,
  body: ArrayLike<number>,
  critical?: boolean,
  length?: number,
): Uint8Array {
  const n = length ?? body.length + 4;
  return Uint8Array.of(next, critical ? 0x80 : 0, n >> 8, n & 0xff, ...Array.from(body));
}

/** A whole message: 28-byte header (exchange IKE_SA_INIT unless given) + the payload bytes. */
export function rawMessage(
  firstType: number,
  payloads: Uint8Array[],
  exchange = 34,
  flags = 0x08,
): Uint8Array {
  const body = payloads.flatMap((p) => Array.from(p));
  const out = new Uint8Array(28 + body.length);
  out.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
  out.set([firstType, 0x20, exchange, flags], 16);
  new DataView(out.buffer).setUint32(24, out.length);
  out.set(body, 28);
  return out;
}

/** An IKE_AUTH request with two 1000-byte certificates (about 2.3 kB of payloads). */
export function bigMessage(): IkeMessage {
  const payloads: Payload[] = [
    { kind: "idi", critical: false, idType: 2, data: new TextEncoder().encode("a.example") },
    { kind: "cert", critical: false, encoding: 4, data: new Uint8Array(1000).map((_, i) => i) },
    {
      kind: "cert",
      critical: false,
      encoding: 4,
      data: new Uint8Array(1000).map((_, i) => 255 - i),
    },
    { kind: "auth", critical: false, method: 1, data: new Uint8Array(256).fill(7) },
  ];
  return { header: header(), payloads };
}
