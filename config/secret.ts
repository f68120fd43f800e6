/**
 * Pre-shared secrets in the reference's three forms, as strongSwan writes
 * them: `0s` + base64, `0x` + hex, or plain text (quoted when it holds
 * spaces). The form the operator used is kept; {@linkcode secretBytes}
 * gives the key bytes. Displays redact secrets unless asked
 * ({@linkcode REDACTED} is what they print instead, and is refused as input).
 *
 * @module
 */
import type { ValueType } from "./schema.ts";

/** What `show config` prints instead of a secret unless secrets are asked for. */
export const REDACTED = "<hidden>";

function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    return undefined;
  }
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function decodeHex(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The key bytes of a stored secret (its form decides the decoding). */
export function secretBytes(stored: string): Uint8Array {
  if (stored.startsWith("0s")) return decodeBase64(stored.slice(2))!;
  if (stored.startsWith("0x")) return decodeHex(stored.slice(2))!;
  return new TextEncoder().encode(stored);
}

/** The secret leaf type. */
export const secret: ValueType<string> = {
  syntax: "<0sBASE64|0xHEX|text>",
  parse(text) {
    if (text === REDACTED) {
      return {
        ok: false,
        reason: `${REDACTED} is a redacted value (show config secrets shows it)`,
      };
    }
    if (text.startsWith("0s") && !decodeBase64(text.slice(2))) {
      return { ok: false, reason: "the text after 0s is not valid base64" };
    }
    if (text.startsWith("0x") && !decodeHex(text.slice(2))) {
      return { ok: false, reason: "the text after 0x is not an even number of hex digits" };
    }
    if (text.length === 0) return { ok: false, reason: "a secret cannot be empty" };
    return { ok: true, value: text };
  },
  format: (v) => v,
};
