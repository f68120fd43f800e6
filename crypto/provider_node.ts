/**
 * The native provider's ciphers: the ESP encryption transforms on
 * node:crypto (OpenSSL-compatible primitives inside Deno), behind the same
 * interface as the pure ones and producing identical bytes (cross-tested).
 * Only what Deno's node:crypto offers: AES-128/256-CBC, AES-128/192/256-CTR,
 * AES-128/256-GCM (8/12/16-byte ICVs) and ChaCha20-Poly1305. AES-192-CBC
 * and -GCM come from the pure provider, and so does every integrity
 * transform: node's per-call HMAC measured slower than noble's keyed,
 * cloned HMAC state (BENCHMARKS.md).
 *
 * Decryption of an AEAD releases nothing unless the tag verifies: node's
 * `final()` checks the tag after `update()`; on failure the partial output
 * is wiped and `null` returned.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv } from "node:crypto";
import { checkAligned, checkAlive, checkLength, checkMinLength } from "./errors.ts";
import { AES_CBC } from "./aes_cbc.ts";
import { AES_CTR } from "./aes_ctr.ts";
import { AES_GCM } from "./aes_gcm.ts";
import { CHACHA20_POLY1305 } from "./chacha20_poly1305.ts";
import type { Cipher, EncryptionAlgorithm } from "./types.ts";

type Mode = "cbc" | "ctr" | "gcm" | "chacha";

/** The union of node's cipher and AEAD cipher methods used here. */
interface NodeStream {
  update(data: Uint8Array): Buffer;
  final(): Buffer;
  setAutoPadding(on: boolean): unknown;
  setAAD(aad: Uint8Array, options: { plaintextLength: number }): unknown;
  getAuthTag(): Buffer;
  setAuthTag(tag: Uint8Array): unknown;
}

function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function join(a: Buffer, b: Buffer, c?: Buffer): Uint8Array {
  if (b.length === 0 && !c) return bytes(a);
  const out = new Uint8Array(a.length + b.length + (c?.length ?? 0));
  out.set(a, 0);
  out.set(b, a.length);
  if (c) out.set(c, a.length + b.length);
  return out;
}

class NodeCipher implements Cipher {
  readonly #alg: EncryptionAlgorithm;
  readonly #mode: Mode;
  readonly #cipherName: string;
  readonly #key: Buffer;
  /** CTR: nonce | IV | counter 1; GCM/ChaCha: salt | IV. */
  readonly #nonce: Buffer;
  #destroyed = false;

  constructor(alg: EncryptionAlgorithm, mode: Mode, key: Uint8Array) {
    checkLength(`key ${alg.name}`, mode === "cbc" ? "key" : "keying material", key, alg.keyLength);
    this.#alg = alg;
    this.#mode = mode;
    const keyBytes = alg.keyLength - alg.saltLength;
    this.#cipherName = mode === "chacha" ? "chacha20-poly1305" : `aes-${keyBytes * 8}-${mode}`;
    this.#key = Buffer.from(key.subarray(0, keyBytes));
    this.#nonce = Buffer.alloc(mode === "ctr" ? 16 : 12);
    this.#nonce.set(key.subarray(keyBytes));
    if (mode === "ctr") this.#nonce[15] = 1;
  }

  #iv(verb: string, iv: Uint8Array, data: Uint8Array): Uint8Array {
    checkAlive(this.#alg.name, this.#destroyed);
    const action = `${verb} with ${this.#alg.name}`;
    checkLength(action, "IV", iv, this.#alg.ivLength);
    if (this.#mode === "cbc") {
      checkAligned(action, verb === "encrypt" ? "plaintext" : "ciphertext", data, 16);
      return iv;
    }
    this.#nonce.set(iv, 4);
    return this.#nonce;
  }

  #options(): { authTagLength: number } | undefined {
    return this.#alg.aead ? { authTagLength: this.#alg.icvLength } : undefined;
  }

  encrypt(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const nonce = this.#iv("encrypt", iv, plaintext);
    const c = createCipheriv(
      this.#cipherName,
      this.#key,
      nonce,
      this.#options() as never,
    ) as unknown as NodeStream;
    if (this.#mode === "cbc") c.setAutoPadding(false);
    if (this.#alg.aead) c.setAAD(aad, { plaintextLength: plaintext.length });
    const body = c.update(plaintext), tail = c.final();
    return this.#alg.aead ? join(body, tail, c.getAuthTag()) : join(body, tail);
  }

  decrypt(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const nonce = this.#iv("decrypt", iv, ciphertext);
    const icv = this.#alg.icvLength;
    if (this.#alg.aead) {
      checkMinLength(`decrypt with ${this.#alg.name}`, "ciphertext", ciphertext, icv);
    }
    const d = createDecipheriv(
      this.#cipherName,
      this.#key,
      nonce,
      this.#options() as never,
    ) as unknown as NodeStream;
    if (this.#mode === "cbc") d.setAutoPadding(false);
    const n = ciphertext.length - icv;
    if (this.#alg.aead) {
      d.setAuthTag(ciphertext.subarray(n));
      d.setAAD(aad, { plaintextLength: n });
    }
    const body = d.update(ciphertext.subarray(0, n));
    try {
      return join(body, d.final());
    } catch {
      body.fill(0);
      return null;
    }
  }

  destroy(): void {
    this.#destroyed = true;
    this.#key.fill(0);
    this.#nonce.fill(0);
  }
}

function native(pure: EncryptionAlgorithm, mode: Mode): EncryptionAlgorithm {
  const alg: EncryptionAlgorithm = { ...pure, create: (key) => new NodeCipher(alg, mode, key) };
  return alg;
}

const UNSUPPORTED = new Set(["aes192-cbc", "aes192-gcm-64", "aes192-gcm-96", "aes192-gcm-128"]);

/** The encryption transforms node:crypto provides in Deno. */
export const NATIVE_ENCRYPTION: readonly EncryptionAlgorithm[] = [
  ...AES_CBC.map((a) => native(a, "cbc")),
  ...AES_CTR.map((a) => native(a, "ctr")),
  ...AES_GCM.map((a) => native(a, "gcm")),
  native(CHACHA20_POLY1305, "chacha"),
].filter((a) => !UNSUPPORTED.has(a.name));
