/**
 * What the `openssl` provider needs from OpenSSL 3's libcrypto: the EVP
 * cipher and SHA-1/SHA-2 functions, as an interface. `crypto/` does no I/O
 * and no FFI: `kernel/libcrypto.ts` loads the library and hands an object of
 * this shape to {@linkcode useOpenssl} in `provider_openssl.ts`; tests and
 * the gateway do that wiring.
 *
 * @module
 */

export type Buf = ArrayBufferView | null;
export type Ptr = Deno.PointerValue;

/** `SHA*_Init`, `SHA*_Update`, `SHA*_Final` of one hash over an opaque state buffer. */
export interface ShaFunctions {
  init(state: Buf): number;
  update(state: Buf, data: Buf, len: number): number;
  final(md: Buf, state: Buf): number;
}

/** The bound functions (C names; sizes as plain numbers). */
export interface LibCrypto {
  OpenSSL_version_num(): bigint;
  EVP_CIPHER_CTX_new(): Ptr;
  EVP_CIPHER_CTX_free(ctx: Ptr): void;
  EVP_CIPHER_CTX_ctrl(ctx: Ptr, type: number, arg: number, ptr: Buf): number;
  EVP_CIPHER_CTX_set_padding(ctx: Ptr, pad: number): number;
  /** Keys a context (`iv` null). */
  EVP_CipherInit_ex(ctx: Ptr, cipher: Ptr, engine: Ptr, key: Buf, iv: Ptr, enc: number): number;
  /** The same C function, to set only the IV of a keyed context (the rest null). */
  EVP_CipherInit_iv(ctx: Ptr, cipher: Ptr, engine: Ptr, key: Ptr, iv: Buf, enc: number): number;
  EVP_CipherUpdate(ctx: Ptr, out: Buf, outl: Buf, input: Buf, inl: number): number;
  /** The same C function with `out` null: additional authenticated data. */
  EVP_CipherUpdate_aad(ctx: Ptr, out: Ptr, outl: Buf, input: Buf, inl: number): number;
  EVP_CipherFinal_ex(ctx: Ptr, out: Buf, outl: Buf): number;
  /** `EVP_aes_128_cbc()` and friends by name. */
  cipher(name: EvpCipherName): Ptr;
  sha(name: ShaName): ShaFunctions;
}

export type EvpCipherName =
  | "EVP_aes_128_cbc"
  | "EVP_aes_192_cbc"
  | "EVP_aes_256_cbc"
  | "EVP_aes_128_ctr"
  | "EVP_aes_192_ctr"
  | "EVP_aes_256_ctr"
  | "EVP_aes_128_gcm"
  | "EVP_aes_192_gcm"
  | "EVP_aes_256_gcm"
  | "EVP_chacha20_poly1305";

export type ShaName = "SHA1" | "SHA256" | "SHA384" | "SHA512";

/** `EVP_CIPHER_CTX_ctrl` codes for AEADs (shared by GCM and ChaCha20-Poly1305). */
export const EVP_CTRL_AEAD_GET_TAG = 0x10;
export const EVP_CTRL_AEAD_SET_TAG = 0x11;
