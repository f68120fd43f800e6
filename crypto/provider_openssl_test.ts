import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkEncryptionCase,
  checkIntegrityCase,
  encryptionCases,
  integrityCases,
  runWycheproofAead,
  runWycheproofMac,
} from "../tests/crypto_vectors.ts";
import { toHex } from "../tests/pcap.ts";
import { SeededRng } from "../core/rng.ts";
import { libcrypto, libcryptoError } from "./libcrypto.ts";
import { opensslEncryption, opensslIntegrity } from "./provider_openssl.ts";
import { encryptionByName, INTEGRITY_ALGORITHMS, integrityByName } from "./registry.ts";
import { ENCRYPTION_ALGORITHMS } from "./registry.ts";
import { CryptoError } from "./types.ts";

const rng = new SeededRng(4303);
const bytes = (n: number) => rng.fill(new Uint8Array(n));
const LENGTHS = [0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 1400];
const have = libcrypto() !== undefined;
if (!have) console.error(`SKIP openssl provider tests: ${libcryptoError()}`);
const test = (name: string, fn: () => void) => Deno.test({ name, ignore: !have, fn });

test("openssl provider: every AES-CBC/CTR/GCM and ChaCha20-Poly1305 transform, every HMAC", () => {
  assertEquals(
    opensslEncryption().map((a) => a.name).sort(),
    ENCRYPTION_ALGORITHMS.map((a) => a.name).filter((n) => n !== "null").sort(),
  );
  assertEquals(
    opensslIntegrity().map((a) => a.name).sort(),
    ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"],
  );
  // The registry hands them out for provider "openssl"; the others fall back to pure.
  assert(
    encryptionByName("aes128-gcm-128", { provider: "openssl" }) ===
      opensslEncryption().find((a) => a.name === "aes128-gcm-128"),
  );
  assert(integrityByName("hmac-sha1", { provider: "openssl" }) === opensslIntegrity()[0]);
  assert(
    integrityByName("aes-xcbc", { provider: "openssl" }) ===
      INTEGRITY_ALGORITHMS.find((a) => a.name === "aes-xcbc"),
  );
});

for (const ossl of have ? opensslEncryption() : []) {
  const pure = ENCRYPTION_ALGORITHMS.find((a) => a.name === ossl.name)!;
  test(`openssl ${ossl.name}: published vectors, same bytes as pure, in place and at offsets`, () => {
    for (const c of encryptionCases(ossl.name)) checkEncryptionCase(ossl, c);
    const { keyLength, ivLength, icvLength, blockSize } = pure;
    for (let round = 0; round < 4; round++) {
      const key = bytes(keyLength);
      const p = pure.create(key), o = ossl.create(key);
      for (const len0 of LENGTHS) {
        const len = blockSize === 16 ? Math.ceil(len0 / 16) * 16 : len0;
        const iv = bytes(ivLength), aad = bytes(round % 2 ? 12 : 8), pt = bytes(len);
        const a = p.encrypt(iv, aad, pt), b = o.encrypt(iv, aad, pt);
        assertEquals(toHex(b), toHex(a), `${ossl.name} encrypt ${len}`);
        assertEquals(toHex(o.decrypt(iv, aad, a)!), toHex(pt), `${ossl.name} decrypts pure`);
        assertEquals(toHex(p.decrypt(iv, aad, b)!), toHex(pt), `${ossl.name} pure decrypts`);
        // In place inside a larger buffer, at an offset, as the ESP path does.
        const buf = new Uint8Array(len + icvLength + 40).fill(0xee);
        buf.set(pt, 24);
        const n = o.encryptInto!(iv, aad, buf.subarray(24, 24 + len), buf, 24);
        assertEquals(n, len + icvLength);
        assertEquals(toHex(buf.subarray(24, 24 + n)), toHex(a), `${ossl.name} in place ${len}`);
        assertEquals(buf[23], 0xee, "nothing written before the offset");
        assertEquals(buf[24 + n], 0xee, "nothing written after the ICV");
        const m = o.decryptInto!(iv, aad, buf.subarray(24, 24 + n), buf, 24);
        assertEquals(m, len);
        assertEquals(toHex(buf.subarray(24, 24 + len)), toHex(pt), `${ossl.name} open in place`);
        if (icvLength > 0 && len > 0) {
          const bad = a.slice();
          bad[bad.length - 1 - (len % icvLength)]! ^= 4;
          assertEquals(o.decrypt(iv, aad, bad), null, `${ossl.name} accepted a bad ICV`);
          const out = new Uint8Array(len).fill(0x55);
          assertEquals(o.decryptInto!(iv, aad, bad, out, 0), -1);
          assert(out.every((x) => x === 0), `${ossl.name}: plaintext of a bad ICV released`);
        }
      }
      p.destroy();
      o.destroy();
      assertThrows(
        () => o.encrypt(bytes(ivLength), new Uint8Array(8), new Uint8Array(16)),
        CryptoError,
      );
    }
  });
}

test("openssl AEADs: Wycheproof AES-GCM (all key sizes, 8/12/16-byte ICVs) and ChaCha20-Poly1305", () => {
  for (const icv of [8, 12, 16]) {
    const n = runWycheproofAead(
      "wycheproof_aes_gcm.json",
      (bits) => opensslEncryption().find((a) => a.keyBits === bits && a.icvLength === icv),
    );
    assert(n > 100, `icv ${icv}: ${n}`);
  }
  const chacha = opensslEncryption().find((a) => a.name === "chacha20-poly1305")!;
  assert(runWycheproofAead("wycheproof_chacha20_poly1305.json", () => chacha) > 300);
});

for (const alg of have ? opensslIntegrity() : []) {
  const bits = alg.name.slice(8);
  test(`openssl ${alg.name}: RFC 2202 / RFC 4868 vectors, Wycheproof, same ICVs as pure`, () => {
    for (const c of integrityCases(alg.name)) checkIntegrityCase(alg, c);
    assert(runWycheproofMac(`wycheproof_hmac_sha${bits}.json`, undefined, alg) > 70);
    const pure = INTEGRITY_ALGORITHMS.find((a) => a.name === alg.name)!;
    const key = bytes(alg.keyLength);
    const p = pure.create(key), o = alg.create(key);
    for (const len of LENGTHS) {
      const data = bytes(len), trailer = bytes(4);
      assertEquals(toHex(o.mac(data)), toHex(p.mac(data)), `${alg.name} ${len}`);
      assertEquals(toHex(o.mac(data, trailer)), toHex(p.mac(data, trailer)), `${alg.name} trailer`);
      const out = new Uint8Array(alg.icvLength + 8);
      o.macInto!(data, out, 8, trailer);
      assertEquals(toHex(out.subarray(8)), toHex(p.mac(data, trailer)), `${alg.name} macInto`);
    }
    o.destroy();
    assertThrows(() => o.mac(new Uint8Array(4)), CryptoError);
  });
}
