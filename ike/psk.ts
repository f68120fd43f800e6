/**
 * Pre-shared keys looked up by identity (RFC 7296 §2.15), shaped like the
 * reference's `pre-shared-key NAME` contexts: a list of `id`s and one
 * `secret`. The engine only sees the {@linkcode PskLookup} port.
 *
 * @module
 */
import { type Identity, identityEquals } from "./identity.ts";

/** The port the engine asks for a secret. */
export interface PskLookup {
  /** The secret shared between `local` and `remote`, or undefined. */
  lookup(local: Identity, remote: Identity): Uint8Array | undefined;
}

/** One `pre-shared-key` entry. An entry without ids matches every pair (weakest). */
export interface PskEntry {
  readonly name: string;
  readonly ids: readonly Identity[];
  readonly secret: Uint8Array;
}

/**
 * In-memory PSK table. Best match wins, as in strongSwan: an entry naming
 * both identities beats one naming only the peer, which beats an entry
 * with no ids; an entry that names ids but not the peer never matches.
 */
export class PskTable implements PskLookup {
  #entries: PskEntry[];

  constructor(entries: readonly PskEntry[] = []) {
    this.#entries = [...entries];
  }

  set(entries: readonly PskEntry[]): void {
    this.#entries = [...entries];
  }

  lookup(local: Identity, remote: Identity): Uint8Array | undefined {
    let best: PskEntry | undefined;
    let bestScore = -1;
    for (const e of this.#entries) {
      let score: number;
      if (e.ids.length === 0) score = 0;
      else if (!e.ids.some((i) => identityEquals(i, remote))) continue;
      else score = e.ids.some((i) => identityEquals(i, local)) ? 2 : 1;
      if (score > bestScore) {
        best = e;
        bestScore = score;
      }
    }
    return best?.secret;
  }
}

/** Thrown by {@linkcode parsePskSecret}. */
export class PskSecretError extends Error {
  override name = "PskSecretError";
}

/** Decodes a `secret` value: `0x` hex, `0s` base64, otherwise the UTF-8 text itself. */
export function parsePskSecret(text: string): Uint8Array {
  if (text.startsWith("0x")) {
    const hex = text.slice(2);
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) {
      throw new PskSecretError(`Cannot parse secret: "0x" must be followed by hex byte pairs`);
    }
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  if (text.startsWith("0s")) {
    try {
      const bin = atob(text.slice(2));
      return Uint8Array.from(bin, (c) => c.charCodeAt(0));
    } catch {
      throw new PskSecretError(`Cannot parse secret: "0s" must be followed by base64`);
    }
  }
  if (text.length === 0) throw new PskSecretError(`Cannot parse secret: it is empty`);
  return new TextEncoder().encode(text);
}
