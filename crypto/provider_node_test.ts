import { assert, assertEquals } from "../tests/assert.ts";
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
import { NATIVE_ENCRYPTION, NATIVE_INTEGRITY } from "./provider_node.ts";
import { ENCRYPTION_ALGORITHMS, INTEGRITY_ALGORITHMS } from "./registry.ts";

const rng = new SeededRng(2024);
const bytes = (n: number) => rng.fill(new Uint8Array(n));
const LENGTHS = [0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 1400];

Deno.test("native provider: offers CBC/CTR/GCM (128/256, CTR also 192), ChaCha20-Poly1305, HMAC", () => {
  assertEquals(NATIVE_ENCRYPTION.map((a) => a.name).sort(), [
    "aes128-cbc",
    "aes128-ctr",
    "aes128-gcm-128",
    "aes128-gcm-64",
    "aes128-gcm-96",
    "aes192-ctr",
    "aes256-cbc",
    "aes256-ctr",
    "aes256-gcm-128",
    "aes256-gcm-64",
    "aes256-gcm-96",
    "chacha20-poly1305",
  ]);
  assertEquals(NATIVE_INTEGRITY.map((a) => a.name), [
    "hmac-sha1",
    "hmac-sha256",
    "hmac-sha384",
    "hmac-sha512",
  ]);
});

for (const nat of NATIVE_ENCRYPTION) {
  const pure = ENCRYPTION_ALGORITHMS.find((a) => a.name === nat.name)!;
  Deno.test(`native ${nat.name}: same published vectors, same bytes as pure for random inputs`, () => {
    for (const c of encryptionCases(nat.name)) checkEncryptionCase(nat, c);
    const { keyLength, ivLength, icvLength, blockSize } = pure;
    for (let round = 0; round < 4; round++) {
      const key = bytes(keyLength);
      const p = pure.create(key), n = nat.create(key);
      for (const len0 of LENGTHS) {
        const len = blockSize === 16 ? Math.ceil(len0 / 16) * 16 : len0;
        const iv = bytes(ivLength), aad = bytes(round % 2 ? 12 : 8), pt = bytes(len);
        const a = p.encrypt(iv, aad, pt), b = n.encrypt(iv, aad, pt);
        assertEquals(toHex(b), toHex(a), `${nat.name} encrypt ${len}`);
        assertEquals(toHex(n.decrypt(iv, aad, a)!), toHex(pt), `${nat.name} native decrypts pure`);
        assertEquals(toHex(p.decrypt(iv, aad, b)!), toHex(pt), `${nat.name} pure decrypts native`);
        if (icvLength > 0) {
          const bad = a.slice();
          bad[bad.length - 1 - (len % icvLength)]! ^= 4;
          assertEquals(n.decrypt(iv, aad, bad), null, `${nat.name} native accepted a bad ICV`);
          assertEquals(p.decrypt(iv, aad, bad), null, `${nat.name} pure accepted a bad ICV`);
        }
      }
      p.destroy();
      n.destroy();
    }
  });
}

Deno.test("native AEADs: Wycheproof AES-GCM (128/256, 8/12/16-byte ICVs) and ChaCha20-Poly1305", () => {
  for (const icv of [8, 12, 16]) {
    const n = runWycheproofAead(
      "wycheproof_aes_gcm.json",
      (bits) => NATIVE_ENCRYPTION.find((a) => a.keyBits === bits && a.icvLength === icv),
    );
    assert(n > 100, `icv ${icv}: ${n}`);
  }
  const chacha = NATIVE_ENCRYPTION.find((a) => a.name === "chacha20-poly1305")!;
  assert(runWycheproofAead("wycheproof_chacha20_poly1305.json", () => chacha) > 300);
});

for (const nat of NATIVE_INTEGRITY) {
  const pure = INTEGRITY_ALGORITHMS.find((a) => a.name === nat.name)!;
  Deno.test(`native ${nat.name}: same vectors and same ICVs as pure (with trailers)`, () => {
    for (const c of integrityCases(nat.name)) checkIntegrityCase(nat, c);
    assert(runWycheproofMac(`wycheproof_hmac_${nat.name.slice(5)}.json`, undefined, nat) > 70);
    const key = bytes(pure.keyLength);
    const p = pure.create(key), n = nat.create(key);
    for (const len of LENGTHS) {
      const data = bytes(len), trailer = bytes(4);
      assertEquals(toHex(n.mac(data)), toHex(p.mac(data)));
      assertEquals(toHex(n.mac(data, trailer)), toHex(p.mac(data, trailer)));
      assert(n.verify(data, p.mac(data, trailer), trailer));
    }
  });
}
