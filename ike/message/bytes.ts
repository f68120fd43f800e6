/**
 * Small helpers shared by the payload codecs: result constructors, big-endian
 * reads (callers check the length first), writes, and concatenation.
 *
 * @module
 */
import { concatBytes } from "../../crypto/bytes.ts";
import { NotifyType } from "../constants.ts";
import type { DecodeError, DecodeErrorCode, ErrorNotify, Result } from "./types.ts";

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(
  code: DecodeErrorCode,
  offset: number,
  reason: string,
  notify?: ErrorNotify,
): Result<T> {
  const error: DecodeError = notify ? { code, offset, reason, notify } : { code, offset, reason };
  return { ok: false, error };
}

const NO_DATA = new Uint8Array(0);

/** The INVALID_SYNTAX notification (RFC 7296 §3.10.1; it carries no data). */
export function invalidSyntax(): ErrorNotify {
  return { type: NotifyType.INVALID_SYNTAX, data: NO_DATA };
}

/** A failure that the RFC answers with INVALID_SYNTAX. */
export function syntaxError<T>(
  offset: number,
  reason: string,
  code: DecodeErrorCode = "syntax",
): Result<T> {
  return fail(code, offset, reason, invalidSyntax());
}

/** A failure for a field that runs past its container (INVALID_SYNTAX). */
export function truncated<T>(offset: number, what: string, need: number, have: number): Result<T> {
  return fail(
    "truncated",
    offset,
    `${what} needs ${need} bytes, ${have} left`,
    invalidSyntax(),
  );
}

export function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** The concatenation of `parts` in a new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(...parts);
}

/** Thrown by encoders given a value that cannot go on the wire (a programmer error). */
export class IkeEncodeError extends Error {
  override name = "IkeEncodeError";
}

/** Checks an integer field before an encoder writes it. */
export function checkField(what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new IkeEncodeError(`Cannot encode ${what}: ${value} is out of range 0..${max}`);
  }
}

/** Checks a byte string's length before an encoder writes it. */
export function checkLength(what: string, bytes: Uint8Array, allowed: readonly number[]): void {
  if (!allowed.includes(bytes.length)) {
    throw new IkeEncodeError(
      `Cannot encode ${what}: length ${bytes.length} is not ${allowed.join(" or ")}`,
    );
  }
}
