/**
 * The `openssl` provider: ESP encryption and integrity transforms on
 * OpenSSL's libcrypto through FFI (`libcrypto.ts`), behind the same
 * interfaces as the pure ones and producing identical bytes (cross-tested
 * against the pure reference and the published vectors).
 *
 * - Ciphers: AES-128/192/256 in CBC (RFC 3602), CTR (RFC 3686) and GCM
 *   with 8/12/16-byte ICVs (RFC 4106), ChaCha20-Poly1305 (RFC 7634). One
 *   EVP context per direction is keyed once; a packet only sets the IV
 *   (2-5 FFI calls). `encryptInto`/`decryptInto` write into the caller's
 *   buffer, in place if asked, and allocate nothing.
 * - Integrity: HMAC-SHA1-96 (RFC 2404) and HMAC-SHA2-256/384/512
 *   (RFC 4868). The keyed inner and outer hash states (RFC 2104: key XOR
 *   ipad, key XOR opad) are computed once; a packet copies them and runs
 *   `SHA*_Update`/`SHA*_Final` (4 FFI calls, 5 with an ESN trailer).
 * - An AEAD's `decrypt` releases nothing unless the tag verifies: the
 *   plaintext written before `EVP_CipherFinal_ex` fails is zeroed again.
 * - `destroy()` frees the EVP contexts (OpenSSL cleanses their key
 *   schedules) and zeroes the HMAC states; contexts of objects dropped
 *   without `destroy()` are freed by a finalizer.
 *
 * @module
 */
import { checkAligned, checkAlive, checkLength, checkMinLength } from "./errors.ts";
import {
  EVP_CTRL_AEAD_GET_TAG,
  EVP_CTRL_AEAD_SET_TAG,
  type EvpCipherName,
  type LibCrypto,
  libcrypto,
  type ShaFunctions,
  type ShaName,
} from "./libcrypto.ts";
import { AES_CBC } from "./aes_cbc.ts";
import { AES_CTR } from "./aes_ctr.ts";
import { AES_GCM } from "./aes_gcm.ts";
import { CHACHA20_POLY1305 } from "./chacha20_poly1305.ts";
import { HMAC_INTEGRITY } from "./hmac.ts";
import {
  type Cipher,
  CryptoError,
  type EncryptionAlgorithm,
  type Integrity,
  type IntegrityAlgorithm,
} from "./types.ts";

type Mode = "cbc" | "ctr" | "gcm" | "chacha";
type Ptr = Deno.PointerValue;

const contexts = new FinalizationRegistry<{ L: LibCrypto; ctxs: Ptr[] }>(({ L, ctxs }) => {
  for (const c of ctxs) L.EVP_CIPHER_CTX_free(c);
});

function evpName(alg: EncryptionAlgorithm, mode: Mode): EvpCipherName {
  return mode === "chacha"
    ? "EVP_chacha20_poly1305"
    : `EVP_aes_${alg.keyBits}_${mode}` as EvpCipherName;
}

function keyedContext(L: LibCrypto, cipher: Ptr, key: Uint8Array, enc: 0 | 1, cbc: boolean): Ptr {
  const ctx = L.EVP_CIPHER_CTX_new();
  if (ctx === null) throw new CryptoError("Cannot create an OpenSSL cipher context");
  if (L.EVP_CipherInit_ex(ctx, cipher, null, key, null, enc) !== 1) {
    L.EVP_CIPHER_CTX_free(ctx);
    throw new CryptoError("Cannot key an OpenSSL cipher context");
  }
  if (cbc) L.EVP_CIPHER_CTX_set_padding(ctx, 0);
  return ctx;
}

class OpensslCipher implements Cipher {
  readonly #L: LibCrypto;
  readonly #alg: EncryptionAlgorithm;
  readonly #mode: Mode;
  readonly #enc: Ptr;
  readonly #dec: Ptr;
  /** CTR: salt | IV | counter 1; GCM/ChaCha: salt | IV. */
  readonly #nonce: Uint8Array;
  readonly #outl = new Uint8Array(4);
  readonly #tag = new Uint8Array(16);
  readonly #token = {};
  #destroyed = false;

  constructor(L: LibCrypto, alg: EncryptionAlgorithm, mode: Mode, key: Uint8Array) {
    checkLength(`key ${alg.name}`, mode === "cbc" ? "key" : "keying material", key, alg.keyLength);
    this.#L = L;
    this.#alg = alg;
    this.#mode = mode;
    const keyBytes = alg.keyLength - alg.saltLength;
    this.#nonce = new Uint8Array(mode === "ctr" ? 16 : 12);
    this.#nonce.set(key.subarray(keyBytes));
    if (mode === "ctr") this.#nonce[15] = 1;
    const cipher = L.cipher(evpName(alg, mode));
    const k = key.subarray(0, keyBytes);
    this.#enc = keyedContext(L, cipher, k, 1, mode === "cbc");
    try {
      this.#dec = keyedContext(L, cipher, k, 0, mode === "cbc");
    } catch (e) {
      L.EVP_CIPHER_CTX_free(this.#enc);
      throw e;
    }
    contexts.register(this, { L, ctxs: [this.#enc, this.#dec] }, this.#token);
  }

  /** Checks the inputs and returns the IV block to hand OpenSSL (no allocation unless it throws). */
  #iv(verb: "encrypt" | "decrypt", iv: Uint8Array, data: Uint8Array): Uint8Array {
    const alg = this.#alg;
    const cbc = this.#mode === "cbc";
    if (this.#destroyed || iv.length !== alg.ivLength || (cbc && data.length % 16 !== 0)) {
      checkAlive(alg.name, this.#destroyed);
      const action = `${verb} with ${alg.name}`;
      checkLength(action, "IV", iv, alg.ivLength);
      checkAligned(action, verb === "encrypt" ? "plaintext" : "ciphertext", data, 16);
    }
    if (cbc) return iv;
    this.#nonce.set(iv, 4);
    return this.#nonce;
  }

  encryptInto(
    iv: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    outOffset: number,
  ): number {
    const L = this.#L;
    const ctx = this.#enc;
    const n = plaintext.length;
    const icv = this.#alg.icvLength;
    L.EVP_CipherInit_iv(ctx, null, null, null, this.#iv("encrypt", iv, plaintext), 1);
    if (this.#alg.aead && aad.length > 0) {
      L.EVP_CipherUpdate_aad(ctx, null, this.#outl, aad, aad.length);
    }
    if (n > 0) {
      L.EVP_CipherUpdate(
        ctx,
        outOffset === 0 ? out : out.subarray(outOffset),
        this.#outl,
        plaintext,
        n,
      );
    }
    if (!this.#alg.aead) return n;
    L.EVP_CipherFinal_ex(ctx, this.#tag, this.#outl);
    L.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, icv, this.#tag);
    const tag = this.#tag;
    const at = outOffset + n;
    for (let i = 0; i < icv; i++) out[at + i] = tag[i]!;
    tag.fill(0);
    return n + icv;
  }

  decryptInto(
    iv: Uint8Array,
    aad: Uint8Array,
    ciphertext: Uint8Array,
    out: Uint8Array,
    outOffset: number,
  ): number {
    const L = this.#L;
    const ctx = this.#dec;
    const icv = this.#alg.icvLength;
    const nonce = this.#iv("decrypt", iv, ciphertext);
    if (this.#alg.aead && ciphertext.length < icv) {
      checkMinLength(`decrypt with ${this.#alg.name}`, "ciphertext", ciphertext, icv);
    }
    const n = ciphertext.length - icv;
    L.EVP_CipherInit_iv(ctx, null, null, null, nonce, 0);
    if (this.#alg.aead) {
      const tag = this.#tag;
      for (let i = 0; i < icv; i++) tag[i] = ciphertext[n + i]!;
      L.EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, icv, tag);
      if (aad.length > 0) L.EVP_CipherUpdate_aad(ctx, null, this.#outl, aad, aad.length);
    }
    if (n > 0) {
      L.EVP_CipherUpdate(
        ctx,
        outOffset === 0 ? out : out.subarray(outOffset),
        this.#outl,
        ciphertext,
        n,
      );
    }
    if (!this.#alg.aead) return n;
    const ok = L.EVP_CipherFinal_ex(ctx, this.#tag, this.#outl) > 0;
    this.#tag.fill(0);
    if (ok) return n;
    out.fill(0, outOffset, outOffset + n);
    return -1;
  }

  encrypt(iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const out = new Uint8Array(plaintext.length + this.#alg.icvLength);
    this.encryptInto(iv, aad, plaintext, out, 0);
    return out;
  }

  decrypt(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
    const out = new Uint8Array(Math.max(0, ciphertext.length - this.#alg.icvLength));
    return this.decryptInto(iv, aad, ciphertext, out, 0) < 0 ? null : out;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    contexts.unregister(this.#token);
    this.#L.EVP_CIPHER_CTX_free(this.#enc);
    this.#L.EVP_CIPHER_CTX_free(this.#dec);
    this.#nonce.fill(0);
  }
}

/** Largest hash state of the SHA-1/SHA-2 family in OpenSSL 3 (SHA512_CTX: 216 bytes), rounded up. */
const STATE_BYTES = 256;

class OpensslHmac implements Integrity {
  readonly #name: string;
  readonly #F: ShaFunctions;
  readonly #outLen: number;
  readonly #icv: number;
  readonly #inner = new Uint8Array(STATE_BYTES);
  readonly #outer = new Uint8Array(STATE_BYTES);
  readonly #work = new Uint8Array(STATE_BYTES);
  readonly #md = new Uint8Array(64);
  #destroyed = false;

  constructor(
    name: string,
    F: ShaFunctions,
    blockLen: number,
    outLen: number,
    icv: number,
    key: Uint8Array,
  ) {
    checkLength(`key ${name}`, "key", key, outLen);
    this.#name = name;
    this.#F = F;
    this.#outLen = outLen;
    this.#icv = icv;
    // RFC 2104 §2: keys no longer than the block are zero-padded, then XORed with ipad/opad.
    const pad = new Uint8Array(blockLen);
    for (const [state, x] of [[this.#inner, 0x36], [this.#outer, 0x5c]] as const) {
      pad.fill(x);
      for (let i = 0; i < key.length; i++) pad[i] = key[i]! ^ x;
      F.init(state);
      F.update(state, pad, blockLen);
    }
    pad.fill(0);
  }

  #compute(data: Uint8Array, trailer: Uint8Array | undefined): void {
    checkAlive(this.#name, this.#destroyed);
    const F = this.#F;
    const w = this.#work;
    const md = this.#md;
    w.set(this.#inner);
    if (data.length > 0) F.update(w, data, data.length);
    if (trailer !== undefined && trailer.length > 0) F.update(w, trailer, trailer.length);
    F.final(md, w);
    w.set(this.#outer);
    F.update(w, md, this.#outLen);
    F.final(md, w);
  }

  macInto(data: Uint8Array, out: Uint8Array, outOffset: number, trailer?: Uint8Array): void {
    this.#compute(data, trailer);
    const md = this.#md;
    for (let i = 0; i < this.#icv; i++) out[outOffset + i] = md[i]!;
    md.fill(0);
  }

  mac(data: Uint8Array, trailer?: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.#icv);
    this.macInto(data, out, 0, trailer);
    return out;
  }

  verify(data: Uint8Array, icv: Uint8Array, trailer?: Uint8Array): boolean {
    if (icv.length !== this.#icv) checkLength(`verify with ${this.#name}`, "ICV", icv, this.#icv);
    this.#compute(data, trailer);
    const md = this.#md;
    let diff = 0;
    for (let i = 0; i < this.#icv; i++) diff |= md[i]! ^ icv[i]!;
    md.fill(0);
    return diff === 0;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#inner.fill(0);
    this.#outer.fill(0);
    this.#work.fill(0);
  }
}

function modeOf(a: EncryptionAlgorithm): Mode | undefined {
  if (a.name === "null") return undefined;
  if (a.name.includes("gcm")) return "gcm";
  if (a.name === "chacha20-poly1305") return "chacha";
  return a.name.endsWith("-ctr") ? "ctr" : "cbc";
}

const SHA: Record<string, { sha: ShaName; block: number }> = {
  "hmac-sha1": { sha: "SHA1", block: 64 },
  "hmac-sha256": { sha: "SHA256", block: 64 },
  "hmac-sha384": { sha: "SHA384", block: 128 },
  "hmac-sha512": { sha: "SHA512", block: 128 },
};

let encryption: readonly EncryptionAlgorithm[] | undefined;
let integrity: readonly IntegrityAlgorithm[] | undefined;

/**
 * The encryption transforms of the openssl provider (AES-CBC/CTR/GCM of
 * every key size, ChaCha20-Poly1305), or none when libcrypto is missing.
 */
export function opensslEncryption(): readonly EncryptionAlgorithm[] {
  if (encryption) return encryption;
  const L = libcrypto();
  if (!L) return encryption = [];
  const out: EncryptionAlgorithm[] = [];
  for (const p of [...AES_CBC, ...AES_CTR, ...AES_GCM, CHACHA20_POLY1305]) {
    const mode = modeOf(p);
    if (!mode) continue;
    const alg: EncryptionAlgorithm = {
      ...p,
      create: (key) => new OpensslCipher(L, alg, mode, key),
    };
    out.push(alg);
  }
  return encryption = out;
}

/** The HMAC integrity transforms of the openssl provider, or none when libcrypto is missing. */
export function opensslIntegrity(): readonly IntegrityAlgorithm[] {
  if (integrity) return integrity;
  const L = libcrypto();
  if (!L) return integrity = [];
  return integrity = HMAC_INTEGRITY.map((p) => {
    const { sha, block } = SHA[p.name]!;
    const F = L.sha(sha);
    const outLen = p.keyLength;
    return {
      ...p,
      create: (key: Uint8Array) => new OpensslHmac(p.name, F, block, outLen, p.icvLength, key),
    };
  });
}
