import { assert, assertEquals, assertNotEquals, assertThrows } from "../tests/assert.ts";
import { loadVectors } from "../tests/crypto_vectors.ts";
import { hex, toHex } from "../tests/pcap.ts";
import {
  childSaKeys,
  computeRekeySkeyseed,
  computeSkeyseed,
  ikeSaKeys,
  prfPlus,
  pskAuth,
  signedOctets,
  wipeKeys,
} from "./ikev2_keys.ts";
import { encryptionByName, integrityByName, prfByName } from "./registry.ts";
import { CryptoError } from "./types.ts";

interface PrfPlusCase {
  label: string;
  alg: string;
  key: string;
  seed: string;
  out: string;
}

Deno.test("prf+: NIST CAVP SP 800-135 IKEv2 vectors and the RFC 4868-derived one", () => {
  const cases = loadVectors<{ cases: PrfPlusCase[] }>("prf_plus.json").cases;
  assertEquals(cases.length, 7);
  for (const c of cases) {
    const out = prfPlus(prfByName(c.alg)!, hex(c.key), hex(c.seed), c.out.length / 2);
    assertEquals(toHex(out), c.out, c.label);
  }
});

Deno.test("prf+: T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02); at most 255 blocks", () => {
  const prf = prfByName("hmac-sha256")!;
  const k = new Uint8Array(32).fill(1), s = new Uint8Array([9, 8, 7]);
  const t1 = prf.compute(k, new Uint8Array([...s, 1]));
  const t2 = prf.compute(k, new Uint8Array([...t1, ...s, 2]));
  assertEquals(toHex(prfPlus(prf, k, s, 40)), toHex(new Uint8Array([...t1, ...t2])).slice(0, 80));
  assertEquals(prfPlus(prf, k, s, 255 * 32).length, 8160);
  assertThrows(() => prfPlus(prf, k, s, 255 * 32 + 1), CryptoError, "at most 255");
});

Deno.test("SKEYSEED: AES-XCBC/CMAC PRFs take only the first 64 bits of each nonce (RFC 7296 §2.14)", () => {
  const ni = new Uint8Array(32).fill(0x11),
    nr = new Uint8Array(32).fill(0x22),
    gir = new Uint8Array(64).fill(3);
  for (const name of ["aes-xcbc", "aes-cmac"]) {
    const prf = prfByName(name)!;
    const key = new Uint8Array([...ni.subarray(0, 8), ...nr.subarray(0, 8)]);
    assertEquals(toHex(computeSkeyseed(prf, ni, nr, gir)), toHex(prf.compute(key, gir)), name);
  }
  const sha = prfByName("hmac-sha1")!;
  assertEquals(
    toHex(computeSkeyseed(sha, ni, nr, gir)),
    toHex(sha.compute(new Uint8Array([...ni, ...nr]), gir)),
  );
  const skd = new Uint8Array(20).fill(5);
  assertEquals(
    toHex(computeRekeySkeyseed(sha, skd, gir, ni, nr)),
    toHex(sha.compute(skd, new Uint8Array([...gir, ...ni, ...nr]))),
  );
});

Deno.test("IKE SA keys: lengths per transform; AEAD has no SK_a and SK_e carries the salt", () => {
  const seed = {
    ni: new Uint8Array(32).fill(1),
    nr: new Uint8Array(32).fill(2),
    gir: new Uint8Array(32).fill(3),
    spiI: new Uint8Array(8).fill(4),
    spiR: new Uint8Array(8).fill(5),
  };
  const cbc = ikeSaKeys({
    prf: prfByName("hmac-sha384")!,
    encryption: encryptionByName("aes256-cbc")!,
    integrity: integrityByName("hmac-sha256")!,
  }, seed);
  assertEquals(
    [cbc.skeyseed, cbc.skD, cbc.skAi, cbc.skAr, cbc.skEi, cbc.skEr, cbc.skPi, cbc.skPr].map((k) =>
      k.length
    ),
    [48, 48, 32, 32, 32, 32, 48, 48],
  );
  const gcm = ikeSaKeys({
    prf: prfByName("aes-xcbc")!,
    encryption: encryptionByName("aes128-gcm-96")!,
  }, seed);
  assertEquals([gcm.skD.length, gcm.skAi.length, gcm.skEi.length, gcm.skPr.length], [
    16,
    0,
    20,
    16,
  ]);
  const chacha = ikeSaKeys({
    prf: prfByName("hmac-sha256")!,
    encryption: encryptionByName("chacha20-poly1305")!,
  }, seed);
  assertEquals(chacha.skEr.length, 36);
  assertThrows(
    () =>
      ikeSaKeys(
        { prf: prfByName("hmac-sha1")!, encryption: encryptionByName("aes128-cbc")! },
        seed,
      ),
    CryptoError,
    "needs an integrity transform",
  );
  assertThrows(
    () =>
      ikeSaKeys({
        prf: prfByName("hmac-sha1")!,
        encryption: encryptionByName("aes128-gcm-128")!,
        integrity: integrityByName("hmac-sha1")!,
      }, seed),
    CryptoError,
    "takes no integrity transform",
  );
  wipeKeys(cbc);
  assert(cbc.skD.every((b) => b === 0) && cbc.skeyseed.every((b) => b === 0));
});

Deno.test("CHILD SA keys: order encr_i, integ_i, encr_r, integ_r; PFS puts g^ir first (RFC 7296 §2.17)", () => {
  const prf = prfByName("hmac-sha256")!, skD = new Uint8Array(32).fill(7);
  const ni = new Uint8Array(16).fill(1),
    nr = new Uint8Array(16).fill(2),
    gir = new Uint8Array(32).fill(9);
  const t = {
    encryption: encryptionByName("aes128-ctr")!,
    integrity: integrityByName("aes-xcbc")!,
  };
  const k = childSaKeys(prf, skD, t, ni, nr);
  const km = prfPlus(prf, skD, new Uint8Array([...ni, ...nr]), 2 * (20 + 16));
  assertEquals(
    toHex(new Uint8Array([...k.encrI, ...k.integI, ...k.encrR, ...k.integR])),
    toHex(km),
  );
  const pfs = childSaKeys(prf, skD, t, ni, nr, gir);
  const kmPfs = prfPlus(prf, skD, new Uint8Array([...gir, ...ni, ...nr]), 72);
  assertEquals(toHex(pfs.encrI), toHex(kmPfs.subarray(0, 20)));
  assertNotEquals(toHex(pfs.encrI), toHex(k.encrI));
  const aead = childSaKeys(prf, skD, { encryption: encryptionByName("aes256-gcm-128")! }, ni, nr);
  assertEquals([aead.encrI.length, aead.integI.length, aead.encrR.length], [36, 0, 36]);
});

Deno.test('PSK AUTH: prf(prf(secret, "Key Pad for IKEv2"), octets) over message | nonce | prf(SK_p, ID)', () => {
  const prf = prfByName("hmac-sha1")!;
  const msg = new Uint8Array([1, 2, 3]),
    nonce = new Uint8Array([4, 5]),
    skP = new Uint8Array(20).fill(6);
  const id = new Uint8Array([1, 0, 0, 0, 10, 0, 0, 1]);
  const octets = signedOctets(prf, msg, nonce, skP, id);
  assertEquals(toHex(octets), "0102030405" + toHex(prf.compute(skP, id)));
  const secret = new TextEncoder().encode("s3cret");
  const pad = prf.compute(secret, new TextEncoder().encode("Key Pad for IKEv2"));
  assertEquals(toHex(pskAuth(prf, secret, octets)), toHex(prf.compute(pad, octets)));
});
