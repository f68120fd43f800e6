/**
 * OpenSSL's libcrypto (3.x) through Deno FFI: the few EVP cipher and
 * SHA-1/SHA-2 functions the `openssl` provider needs. OpenSSL uses AES-NI,
 * PCLMULQDQ and the SHA extensions where the CPU has them; Deno's own
 * node:crypto and WebCrypto AES measured 10-13x slower per ESP packet on
 * the lab VM (BENCHMARKS.md), which made this provider worth its FFI.
 *
 * `crypto/` defines what it needs (`crypto/openssl_abi.ts`) and does no FFI
 * itself: this file is the loader; whoever wires the kernel into the rest
 * (the gateway, tests) hands {@linkcode libcrypto}'s bindings to the
 * provider with `useOpenssl`.
 *
 * - Loaded lazily, from the usual Debian/Ubuntu paths (absolute, so a
 *   scoped `--allow-ffi` works) and then by soname; when nothing loads,
 *   {@linkcode libcrypto} returns undefined and the registry falls back to
 *   the node:crypto and pure providers.
 * - Call cost matters (a packet makes 2-5 calls): Deno's fast FFI path is
 *   taken only when no `buffer` parameter gets `null` (those are declared
 *   `pointer`, in separate bindings of the same function) and sizes are
 *   64-bit sizes get BigInts (`usize` given a number deoptimises the caller).
 *   `int` lengths (`EVP_CipherUpdate`) are `i32`; the `size_t` length of
 *   `SHA*_Update` goes through `sizeArg` (`libc.ts`): ready BigInts, as fast
 *   as a 32-bit argument and exact in the whole register.
 * - Every call is synchronous: a few hundred nanoseconds each, on the
 *   calling thread (each Worker loads its own copy of the bindings).
 *
 * @module
 */

import type { LibCrypto, ShaFunctions, ShaName } from "../crypto/openssl_abi.ts";
import { sizeArg } from "./libc.ts";

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
  SHA1_Update: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
  SHA1_Final: { parameters: ["buffer", "buffer"], result: "i32" },
  SHA256_Init: { parameters: ["buffer"], result: "i32" },
  SHA256_Update: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
  SHA256_Final: { parameters: ["buffer", "buffer"], result: "i32" },
  SHA384_Init: { parameters: ["buffer"], result: "i32" },
  SHA384_Update: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
  SHA384_Final: { parameters: ["buffer", "buffer"], result: "i32" },
  SHA512_Init: { parameters: ["buffer"], result: "i32" },
  SHA512_Update: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
  SHA512_Final: { parameters: ["buffer", "buffer"], result: "i32" },
} as const;

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
        update: (state, data, len) => s[`${n}_Update`](state, data, sizeArg(len)),
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
