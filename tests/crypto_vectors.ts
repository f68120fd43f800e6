/**
 * Loads the crypto test vectors of `tests/vectors/crypto/` (see
 * `tests/vectors/SOURCES.md`) and runs the checks every cipher shares.
 * Test support only.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { hex, toHex } from "./pcap.ts";
import {
  CryptoError,
  type EncryptionAlgorithm,
  type IntegrityAlgorithm,
  type PrfAlgorithm,
  type RandomSource,
} from "../crypto/types.ts";
import type { KeyExchangeGroup } from "../crypto/key_exchange.ts";

/** Parses `tests/vectors/crypto/<file>`. */
export function loadVectors<T>(file: string): T {
  return JSON.parse(Deno.readTextFileSync(new URL(`./vectors/crypto/${file}`, import.meta.url)));
}

/** One published encryption case in the IPsec layout (key | salt, IV, ciphertext | ICV). */
export interface EncryptionCase {
  label: string;
  alg: string;
  key: string;
  iv: string;
  aad: string;
  plaintext: string;
  ciphertext: string;
}

/** The cases of `encryption.json` for algorithm `name`. */
export function encryptionCases(name: string): EncryptionCase[] {
  return loadVectors<{ cases: EncryptionCase[] }>("encryption.json").cases.filter((c) =>
    c.alg === name
  );
}

/**
 * Checks one case both ways: encrypt gives the published bytes, decrypt
 * gives the plaintext back; for an AEAD, every single-bit flip of the ICV
 * and of the ciphertext makes decrypt return null.
 */
export function checkEncryptionCase(alg: EncryptionAlgorithm, c: EncryptionCase): void {
  const cipher = alg.create(hex(c.key));
  const iv = hex(c.iv), aad = hex(c.aad), pt = hex(c.plaintext), ct = hex(c.ciphertext);
  assertEquals(toHex(cipher.encrypt(iv, aad, pt)), c.ciphertext, `${c.label}: encrypt`);
  const back = cipher.decrypt(iv, aad, ct);
  assert(back !== null, `${c.label}: decrypt rejected a valid ICV`);
  assertEquals(toHex(back), c.plaintext, `${c.label}: decrypt`);
  if (alg.aead) {
    for (const pos of [0, ct.length - 1, ct.length - alg.icvLength]) {
      const bad = ct.slice();
      bad[pos]! ^= 1;
      assertEquals(cipher.decrypt(iv, aad, bad), null, `${c.label}: flipped byte ${pos} accepted`);
    }
    if (aad.length > 0) {
      const badAad = aad.slice();
      badAad[0]! ^= 0x80;
      assertEquals(cipher.decrypt(iv, badAad, ct), null, `${c.label}: changed AAD accepted`);
    }
  }
  cipher.destroy();
}

/** One Wycheproof test (the fields a given file carries). */
export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: "valid" | "invalid" | "acceptable";
  [field: string]: unknown;
}

/** A Wycheproof file trimmed to what the tests use. */
export interface WycheproofFile {
  testGroups: { keySize?: number; tagSize?: number; ivSize?: number; tests: WycheproofTest[] }[];
}

/**
 * Runs Wycheproof AEAD tests with 96-bit nonces through an IPsec AEAD:
 * the nonce splits into salt (first 4 bytes, appended to the key) and the
 * 8-byte IV. Valid cases must encrypt to ct | tag[0..icv) and decrypt back;
 * invalid ones must be refused by decrypt (unless truncating the ICV drops
 * the bytes the case modified). Returns the number of cases run.
 */
export function runWycheproofAead(
  file: string,
  algFor: (keyBits: number) => EncryptionAlgorithm | undefined,
): number {
  let n = 0;
  for (const g of loadVectors<WycheproofFile>(file).testGroups) {
    const alg = algFor(g.keySize!);
    if (!alg) continue;
    for (const t of g.tests) {
      const label = `${file} tcId ${t.tcId} (${t.comment || t.flags.join(",")})`;
      const nonce = hex(t.iv as string);
      const cipher = alg.create(new Uint8Array([...hex(t.key as string), ...nonce.subarray(0, 4)]));
      const iv = nonce.subarray(4), aad = hex(t.aad as string), msg = hex(t.msg as string);
      const ct = hex(t.ct as string), tag = hex(t.tag as string).subarray(0, alg.icvLength);
      const sealed = new Uint8Array([...ct, ...tag]);
      if (t.result === "valid") {
        assertEquals(toHex(cipher.encrypt(iv, aad, msg)), toHex(sealed), `${label}: encrypt`);
        const back = cipher.decrypt(iv, aad, sealed);
        assert(back !== null, `${label}: valid ICV refused`);
        assertEquals(toHex(back), toHex(msg), `${label}: decrypt`);
      } else {
        const out = cipher.decrypt(iv, aad, sealed);
        // A tag modified only beyond the truncated ICV is a valid truncated ICV.
        const same = toHex(cipher.encrypt(iv, aad, msg)) === toHex(sealed);
        assertEquals(out === null, !same, `${label}: invalid case accepted`);
      }
      cipher.destroy();
      n++;
    }
  }
  return n;
}

/** One published integrity case (ICV already truncated). */
export interface IntegrityCase {
  label: string;
  alg: string;
  key: string;
  data: string;
  icv: string;
}

/** The cases of `integrity.json` for algorithm `name`. */
export function integrityCases(name: string): IntegrityCase[] {
  return loadVectors<{ cases: IntegrityCase[] }>("integrity.json").cases.filter((c) =>
    c.alg === name
  );
}

/** One published PRF case. */
export interface PrfCase {
  label: string;
  alg: string;
  key: string;
  data: string;
  out: string;
}

/** The cases of `prf.json` for algorithm `name`. */
export function prfCases(name: string): PrfCase[] {
  return loadVectors<{ cases: PrfCase[] }>("prf.json").cases.filter((c) => c.alg === name);
}

/**
 * Checks one integrity case: mac() gives the ICV, verify() accepts it and
 * refuses it with any bit of it flipped, and every split of the data into
 * data | trailer gives the same ICV as the whole.
 */
export function checkIntegrityCase(alg: IntegrityAlgorithm, c: IntegrityCase): void {
  const integ = alg.create(hex(c.key));
  const data = hex(c.data), icv = hex(c.icv);
  assertEquals(toHex(integ.mac(data)), c.icv, `${c.label}: mac`);
  assert(integ.verify(data, icv), `${c.label}: verify`);
  for (let bit = 0; bit < icv.length * 8; bit += 7) {
    const bad = icv.slice();
    bad[bit >> 3]! ^= 1 << (bit & 7);
    assert(!integ.verify(data, bad), `${c.label}: flipped ICV bit ${bit} verified`);
  }
  for (let cut = 0; cut <= data.length; cut += Math.max(1, Math.floor(data.length / 7))) {
    const head = data.subarray(0, cut), tail = data.subarray(cut);
    assertEquals(toHex(integ.mac(head, tail)), c.icv, `${c.label}: split at ${cut}`);
    assert(integ.verify(head, icv, tail), `${c.label}: verify split at ${cut}`);
  }
  integ.destroy();
}

/**
 * Runs Wycheproof MAC tests: through `prf` (full tag, any key length)
 * and/or through `integ` (groups whose key is the transform's key length;
 * the tag truncated to its ICV). Returns the number of checks made.
 */
export function runWycheproofMac(
  file: string,
  prf: PrfAlgorithm | undefined,
  integ: IntegrityAlgorithm | undefined,
): number {
  let n = 0;
  for (const g of loadVectors<WycheproofFile>(file).testGroups) {
    for (const t of g.tests) {
      const label = `${file} tcId ${t.tcId} (${t.comment || t.flags.join(",")})`;
      const key = hex(t.key as string), msg = hex(t.msg as string), tag = t.tag as string;
      if (prf && g.tagSize === prf.outputLength * 8) {
        assertEquals(toHex(prf.compute(key, msg)) === tag, t.result === "valid", `${label}: prf`);
        n++;
      }
      if (integ && g.keySize === integ.keyLength * 8 && g.tagSize! >= integ.icvLength * 8) {
        const i = integ.create(key);
        const icv = hex(tag).subarray(0, integ.icvLength);
        const expect = t.result === "valid" || toHex(i.mac(msg)) === toHex(icv);
        assertEquals(i.verify(msg, icv), expect, `${label}: verify`);
        if (t.result === "valid") assertEquals(toHex(i.mac(msg)), toHex(icv), `${label}: mac`);
        i.destroy();
        n++;
      }
    }
  }
  return n;
}

/** A random source that hands out `bytes` in order (for known-answer key generation). */
export function scriptedRandom(...chunks: Uint8Array[]): RandomSource & { left(): number } {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) all.set(c, off), off += c.length;
  let pos = 0;
  return {
    fill(out: Uint8Array): Uint8Array {
      if (pos + out.length > all.length) throw new Error("scripted random source exhausted");
      out.set(all.subarray(pos, pos + out.length));
      pos += out.length;
      return out;
    },
    left: () => all.length - pos,
  };
}

/** One key-exchange known answer: both private keys, both public values, g^ir. */
export interface KeyExchangePair {
  label: string;
  group: string;
  privI: string;
  pubI: string;
  privR: string;
  pubR: string;
  shared: string;
}

/** `key_exchange.json`. */
export interface KeyExchangeVectors {
  pairs: KeyExchangePair[];
  scalarMult: { label: string; group: string; scalar: string; u: string; out: string }[];
  iterated: { label: string; group: string; iterations: number; out: string }[];
}

/** Checks a known pair through `fromPrivate`: both public values and g^ir from both ends. */
export function checkKeyExchangePair(group: KeyExchangeGroup, c: KeyExchangePair): void {
  const i = group.fromPrivate(hex(c.privI)), r = group.fromPrivate(hex(c.privR));
  assertEquals(toHex(i.publicValue), c.pubI, `${c.label}: initiator public value`);
  assertEquals(toHex(r.publicValue), c.pubR, `${c.label}: responder public value`);
  assertEquals(toHex(i.computeShared(hex(c.pubR))), c.shared, `${c.label}: g^ir at the initiator`);
  assertEquals(toHex(r.computeShared(hex(c.pubI))), c.shared, `${c.label}: g^ir at the responder`);
  i.destroy();
  r.destroy();
}

/** Fails unless `fn` throws a CryptoError. */
export function expectCryptoError(fn: () => unknown, label: string): void {
  try {
    fn();
  } catch (e) {
    assert(e instanceof CryptoError, `${label}: threw ${String(e)}, not a CryptoError`);
    return;
  }
  throw new Error(`${label}: accepted, expected a CryptoError`);
}

/**
 * Runs Wycheproof ECDH tests with SEC 1 point encodings through an ECP
 * group: uncompressed points are handed over as IKE's x | y; compressed
 * ones cannot occur in IKE (RFC 5903 §7) and are skipped. Valid and
 * acceptable cases must give the published shared secret, invalid ones
 * must throw a CryptoError. Returns [run, refused].
 */
export function runWycheproofEcdh(file: string, group: KeyExchangeGroup): [number, number] {
  let run = 0, refused = 0;
  for (const g of loadVectors<WycheproofFile>(file).testGroups) {
    for (const t of g.tests) {
      if (t.flags.includes("CompressedPoint")) continue;
      const label = `${file} tcId ${t.tcId} (${t.comment || t.flags.join(",")})`;
      const pub = hex(t.public as string);
      const wire = pub[0] === 4 && pub.length === 1 + group.publicLength ? pub.subarray(1) : pub;
      const priv = group.fromPrivate(hex(t.private as string));
      if (t.result === "invalid") {
        expectCryptoError(() => priv.computeShared(wire), label);
        refused++;
      } else {
        assertEquals(toHex(priv.computeShared(wire)), t.shared, label);
      }
      priv.destroy();
      run++;
    }
  }
  return [run, refused];
}

/**
 * Runs Wycheproof X25519/X448 tests: valid and acceptable cases must give
 * the published secret, except those whose secret is all zeros (low-order
 * public values), which must throw like the invalid ones (RFC 8031 §2.3).
 * Returns [run, refused].
 */
export function runWycheproofXdh(file: string, group: KeyExchangeGroup): [number, number] {
  let run = 0, refused = 0;
  for (const tg of loadVectors<WycheproofFile>(file).testGroups) {
    for (const t of tg.tests) {
      const label = `${file} tcId ${t.tcId} (${t.comment || t.flags.join(",")})`;
      const k = group.fromPrivate(hex(t.private as string));
      const pub = hex(t.public as string);
      if (t.result === "invalid" || /^(00)+$/.test(t.shared as string)) {
        expectCryptoError(() => k.computeShared(pub), label);
        refused++;
      } else {
        assertEquals(toHex(k.computeShared(pub)), t.shared, label);
      }
      k.destroy();
      run++;
    }
  }
  return [run, refused];
}
