/**
 * From negotiated algorithm names to `crypto/` objects: the IKE SA's suite
 * and SK protection of both directions (RFC 7296 §2.14: SK_ei/SK_ai protect
 * what the original initiator sends), and the CHILD SA's transforms.
 *
 * @module
 */
import { dhGroupByName, encryptionByName, integrityByName, prfByName } from "../crypto/registry.ts";
import type { DhGroup, EncryptionAlgorithm, IntegrityAlgorithm } from "../crypto/types.ts";
import type { IkeKeys, IkeSaCrypto } from "./ike_sa.ts";
import type { IkeSuite } from "./keys.ts";
import { createSkProtection } from "./message/sk.ts";
import type { ChosenAlgorithms } from "./proposal.ts";

/**
 * SK protection takes the fastest provider installed: OpenSSL when the
 * gateway installed it (`gateway/openssl.ts`), else node:crypto where it
 * is faster, else pure; all are cross-tested byte for byte against pure.
 * A pure AES-GCM key pays for its GHASH tables up front, which an IKE SA
 * that protects a handful of messages never earns back.
 */
const FASTEST = { provider: "openssl" } as const;

/** Suites by `enc/integ/prf`: every SA of a proposal shares one (the objects are stateless). */
const ikeSuites = new Map<string, IkeSuite>();

/** The IKE SA algorithms of a chosen proposal (names come from our own tables, so they resolve). */
export function ikeSuite(c: ChosenAlgorithms): IkeSuite {
  const key = `${c.enc}/${c.integ}/${c.prf}`;
  const known = ikeSuites.get(key);
  if (known) return known;
  const enc = encryptionByName(c.enc, FASTEST);
  const prf = c.prf ? prfByName(c.prf) : undefined;
  const integ = c.integ ? integrityByName(c.integ, FASTEST) : undefined;
  if (!enc || !prf || (c.integ && !integ)) {
    throw new Error(`Cannot build IKE suite for ${c.enc}/${c.integ}/${c.prf}: unknown algorithm`);
  }
  const suite = { enc, integ, prf };
  ikeSuites.set(key, suite);
  return suite;
}

/** ESP transforms of a chosen proposal. */
export function childSuite(c: ChosenAlgorithms): {
  enc: EncryptionAlgorithm;
  integ: IntegrityAlgorithm | undefined;
} {
  const enc = encryptionByName(c.enc);
  const integ = c.integ ? integrityByName(c.integ) : undefined;
  if (!enc || (c.integ && !integ)) throw new Error(`Cannot build ESP suite for ${c.enc}`);
  return { enc, integ };
}

/**
 * The DH group called `name`, from the native provider: node:crypto for
 * ECP 256/384 and Curve25519/448 (1.3–7.7× the pure ones, BENCHMARKS.md),
 * the pure implementation for everything else (MODP is faster pure here).
 * Both draw private keys from the injected Rng alike.
 */
export function dhGroup(name: string): DhGroup {
  const g = dhGroupByName(name, { provider: "native" });
  if (!g) throw new Error(`Cannot use DH group ${name}: unknown`);
  return g;
}

/** Keyed SK protection for an IKE SA; `initiator` = we are the SA's original initiator. */
export function ikeCrypto(suite: IkeSuite, keys: IkeKeys, initiator: boolean): IkeSaCrypto {
  const i = createSkProtection(
    suite.enc,
    keys.skEi,
    suite.integ,
    suite.integ ? keys.skAi : undefined,
  );
  const r = createSkProtection(
    suite.enc,
    keys.skEr,
    suite.integ,
    suite.integ ? keys.skAr : undefined,
  );
  return initiator ? { suite, out: i, in: r } : { suite, out: r, in: i };
}
