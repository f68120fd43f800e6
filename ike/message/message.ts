/**
 * Whole IKEv2 messages (RFC 7296 §3): decoding in two stages, because the
 * keys to open an Encrypted payload are found through the header's SPIs:
 *
 * 1. {@linkcode decodeMessage}: header and unprotected payloads; an SK or
 *    SKF payload stays an encrypted blob with its offset.
 * 2. {@linkcode unprotect}: checks the ICV, decrypts, and decodes the
 *    inner payloads (for SKF, see `reassembly.ts`).
 *
 * Building: {@linkcode encodeMessage} for messages in clear (IKE_SA_INIT,
 * unprotected error notifications), {@linkcode protect} for all others.
 *
 * @module
 */
import type { Rng } from "../../core/rng.ts";
import {
  GENERIC_HEADER_LENGTH,
  IKE_HEADER_LENGTH,
  MAX_MESSAGE_SIZE,
  PayloadType,
} from "../constants.ts";
import { checkField, fail, IkeEncodeError, ok, put16 } from "./bytes.ts";
import { decodePayloadChain, encodePayloadChain } from "./chain.ts";
import { decodeHeader, writeHeader } from "./header.ts";
import { openBody, padLengthFor, sealBody, type SkProtection } from "./sk.ts";
import type { IkeMessage, Payload, RawMessage, Result } from "./types.ts";

/** Stage 1: the header and unprotected payloads of the message in `bytes`. Never throws. */
export function decodeMessage(bytes: Uint8Array): Result<RawMessage> {
  const h = decodeHeader(bytes);
  if (!h.ok) return h;
  const chain = decodePayloadChain(
    bytes,
    IKE_HEADER_LENGTH,
    bytes.length,
    h.value.nextPayload,
    false,
  );
  if (!chain.ok) return chain;
  return ok({ header: h.value, payloads: chain.value, bytes });
}

/** Encodes a message in clear. Throws {@linkcode IkeEncodeError} on fields out of range. */
export function encodeMessage(msg: IkeMessage): Uint8Array {
  const chain = encodePayloadChain(msg.payloads);
  const out = new Uint8Array(IKE_HEADER_LENGTH + chain.bytes.length);
  writeHeader(out, msg.header, chain.firstType, out.length);
  out.set(chain.bytes, IKE_HEADER_LENGTH);
  return out;
}

/** Choices for {@linkcode protect}. */
export interface ProtectOptions {
  /**
   * The padding octets to use instead of the fewest zero octets, e.g. to
   * reproduce a captured message; the length must align the cipher's block.
   */
  padding?: Uint8Array;
}

/**
 * Encodes `msg` with all its payloads inside an Encrypted payload (RFC 7296
 * §3.14): a fresh IV from `rng`, minimal zero padding unless
 * `options.padding` says otherwise, then the ICV. Throws
 * {@linkcode IkeEncodeError} on fields out of range or a message over
 * {@linkcode MAX_MESSAGE_SIZE} (fragment it instead, `fragment.ts`).
 */
export function protect(
  msg: IkeMessage,
  sk: SkProtection,
  rng: Rng,
  options: ProtectOptions = {},
): Uint8Array {
  const inner = encodePayloadChain(msg.payloads);
  const padding = options.padding ?? new Uint8Array(padLengthFor(inner.bytes.length, sk.blockSize));
  const bodyOffset = IKE_HEADER_LENGTH + GENERIC_HEADER_LENGTH;
  const skLength = GENERIC_HEADER_LENGTH + sk.ivLength + inner.bytes.length + padding.length + 1 +
    sk.icvLength;
  checkField("Encrypted payload length", skLength, 0xffff);
  const out = new Uint8Array(IKE_HEADER_LENGTH + skLength);
  if (out.length > MAX_MESSAGE_SIZE) {
    throw new IkeEncodeError(
      `Cannot protect a ${out.length}-byte message: limit is ${MAX_MESSAGE_SIZE}`,
    );
  }
  writeHeader(out, msg.header, PayloadType.SK, out.length);
  out[IKE_HEADER_LENGTH] = inner.firstType;
  put16(out, IKE_HEADER_LENGTH + 2, skLength);
  sealBody(out, bodyOffset, inner.bytes, padding, rng.fill(new Uint8Array(sk.ivLength)), sk);
  return out;
}

/** A decrypted message. */
export interface Unprotected {
  /** Header, and the payloads in clear before SK followed by the inner ones. */
  message: IkeMessage;
  /** The padding the sender used (see {@linkcode ProtectOptions.padding}). */
  padding: Uint8Array;
}

/**
 * Stage 2: verifies and decrypts the SK payload of `raw` and decodes the
 * inner payloads. Nothing inside is parsed unless the ICV verifies. Offsets
 * in inner-payload errors count from the start of the decrypted plaintext.
 * A message with an SKF payload goes to `FragmentReassembler` instead.
 * Never throws.
 */
export function unprotect(raw: RawMessage, sk: SkProtection): Result<Unprotected> {
  const last = raw.payloads[raw.payloads.length - 1];
  if (!last || last.kind !== "sk") {
    return fail(
      last?.kind === "skf" ? "fragment" : "syntax",
      IKE_HEADER_LENGTH,
      last?.kind === "skf" ? "message is a fragment" : "message has no Encrypted payload",
    );
  }
  const opened = openBody(raw.bytes, last.offset + GENERIC_HEADER_LENGTH, sk);
  if (!opened.ok) return opened;
  const { plain, padding } = opened.value;
  const inner = decodePayloadChain(plain, 0, plain.length, last.innerType, true);
  if (!inner.ok) return inner;
  const payloads: Payload[] = [...raw.payloads.slice(0, -1), ...inner.value];
  return ok({ message: { header: raw.header, payloads }, padding });
}
