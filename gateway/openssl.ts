/**
 * Wires OpenSSL's libcrypto, loaded by `kernel/`, into the `openssl`
 * crypto provider (`crypto/` does no FFI itself). Idempotent; when the
 * library is missing, lookups with `{ provider: "openssl" }` fall back to
 * node:crypto, then pure.
 *
 * @module
 */
import { useOpenssl } from "../crypto/provider_openssl.ts";
import { libcrypto } from "../kernel/libcrypto.ts";

let installed: boolean | undefined;

/** Hands libcrypto to the `openssl` provider once; returns whether it loaded. */
export function installOpenssl(): boolean {
  if (installed === undefined) {
    const lib = libcrypto();
    useOpenssl(lib);
    installed = lib !== undefined;
  }
  return installed;
}
