/**
 * OpenSSL's libcrypto (3.x) through Deno FFI: the few EVP cipher and
 * SHA-1/SHA-2 functions the `openssl` provider needs. OpenSSL uses AES-NI,
 * PCLMULQDQ and the SHA extensions where the CPU has them; Deno's own
 * node:crypto and WebCrypto AES measured 10-13x slower per ESP packet on
 * the lab VM (BENCHMARKS.md), which made this provider worth its FFI.
 *
 * This is the one `Deno.dlopen` outside `kernel/`: `crypto/` depends on
 * nothing of ours, and these are pure computations (no syscalls, no I/O).
 *
 * - Loaded lazily, from the usual Debian/Ubuntu paths (absolute, so a
 *   scoped `--allow-ffi` works) and then by soname; when nothing loads,
 *   {@linkcode libcrypto} returns undefined and the registry falls back to
 *   the node:crypto and pure providers.
 * - Call cost matters (a packet makes 2-5 calls): Deno's fast FFI path is
 *   taken only when no `buffer` parameter gets `null` (those are declared
 *   `pointer`, in separate bindings of the same function) and sizes are
 *   32-bit (`u32`: 40 ns a call against 210 ns for a `usize` given a
 *   number, measured). `size_t` lengths are declared `u32`: on x86-64 and
 *   arm64 the 32-bit value reaches the callee zero-extended, and no length
 *   here comes near 2^32.
 * - Every call is synchronous: a few hundred nanoseconds each, on the
 *   calling thread (each Worker loads its own copy of the bindings).
 *
 * @module
 */

const SYMBOLS = {
  OpenSSL_version_num: { parameters: [], result: "u64" },
  EVP_CIPHER_CTX_new: { parameters: [], result: "pointer" },
  EVP_CIPHER_CTX_free: { parameters: ["pointer"], result: "void" },
  EVP_CIPHER_CTX_ctrl: { parameters: ["pointer", "i32", "i32", "buffer"], result: "i32" },
  EVP_CIPHER_CTX_set_padding: { parameters: ["pointer", "i32"], result: "i32" },
  EVP_CipherInit_ex: {
    parameters: ["pointer", "pointer", "pointer", "buffer", "pointer", "i32"],
    result: "i32",
  },
  EVP_CipherInit_iv: {
    name: "EVP_CipherInit_ex",
    parameters: ["pointer", "pointer", "pointer", "pointer", "buffer", "i32"],
    result: "i32",
  },
  EVP_CipherUpdate: { parameters: ["pointer", "buffer", "buffer", "buffer", "i32"], result: "i32" },
  EVP_CipherUpdate_aad: {
    name: "EVP_CipherUpdate",
    parameters: ["pointer", "pointer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_CipherFinal_ex: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  EVP_aes_128_cbc: { parameters: [], result: "pointer" },
  EVP_aes_192_cbc: { parameters: [], result: "pointer" },
  EVP_aes_256_cbc: { parameters: [], result: "pointer" },
  EVP_aes_128_ctr: { parameters: [], result: "pointer" },
  EVP_aes_192_ctr: { parameters: [], result: "pointer" },
  EVP_aes_256_ctr: { parameters: [], result: "pointer" },
  EVP_aes_128_gcm: { parameters: [], result: "pointer" },
  EVP_aes_192_gcm: { parameters: [], result: "pointer" },
  EVP_aes_256_gcm: { parameters: [], result: "pointer" },
  EVP_chacha20_poly1305: { parameters: [], result: "pointer" },
  SHA1_Init: { parameters: ["buffer"], result: "i32" },
  SHA1_Update: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  SHA1_Final: { parameters: ["buffer", "buffer"], result: "i32" },
  SHA256_Init: { parameters: ["buffer"], result: "i32" },
  SHA256_Update: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  SHA256_Final: { parameters: ["buffer", "buffer"], result: "i32" },
  SHA384_Init: { parameters: ["buffer"], result: "i32" },
  SHA384_Update: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  SHA384_Final: { parameters: ["buffer", "buffer"], result: "i32" },
  SHA512_Init: { parameters: ["buffer"], result: "i32" },
  SHA512_Update: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
  SHA512_Final: { parameters: ["buffer", "buffer"], result: "i32" },
} as const;

type Buf = ArrayBufferView | null;
type Ptr = Deno.PointerValue;

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

/** Where libcrypto is looked for, in order. */
export const LIBCRYPTO_PATHS = [
  "/lib/x86_64-linux-gnu/libcrypto.so.3",
  "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
  "/lib/aarch64-linux-gnu/libcrypto.so.3",
  "/usr/lib/aarch64-linux-gnu/libcrypto.so.3",
  "/usr/lib64/libcrypto.so.3",
  "/usr/lib/libcrypto.so.3",
  "libcrypto.so.3",
];

let loaded: LibCrypto | null | undefined;
let loadError = "";

function open(): LibCrypto | null {
  for (const path of LIBCRYPTO_PATHS) {
    try {
      const lib = Deno.dlopen(path, SYMBOLS);
      const s = lib.symbols;
      // OpenSSL 3.x only: the state layouts and ctrl codes used here are 3.x's.
      if (s.OpenSSL_version_num() >> 28n !== 3n) {
        loadError = `${path} is not OpenSSL 3`;
        lib.close();
        continue;
      }
      const sha = (n: ShaName): ShaFunctions => ({
        init: s[`${n}_Init`],
        update: s[`${n}_Update`] as unknown as ShaFunctions["update"],
        final: s[`${n}_Final`],
      });
      const shas = {
        SHA1: sha("SHA1"),
        SHA256: sha("SHA256"),
        SHA384: sha("SHA384"),
        SHA512: sha("SHA512"),
      };
      return {
        ...(s as unknown as Omit<LibCrypto, "cipher" | "sha">),
        cipher: (name) => s[name](),
        sha: (name) => shas[name],
      };
    } catch (e) {
      loadError = (e as Error).message;
    }
  }
  return null;
}

/** The bindings, or undefined when no OpenSSL 3 libcrypto can be loaded (or FFI is not permitted). */
export function libcrypto(): LibCrypto | undefined {
  if (loaded === undefined) loaded = open();
  return loaded ?? undefined;
}

/** Why {@linkcode libcrypto} returned undefined ("" when it loaded). */
export function libcryptoError(): string {
  libcrypto();
  return loaded ? "" : loadError || "no libcrypto found";
}
