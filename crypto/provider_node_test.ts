import { assert, assertEquals } from "../tests/assert.ts";
import {
  checkEncryptionCase,
  encryptionCases,
  runWycheproofAead,
} from "../tests/crypto_vectors.ts";
import { toHex } from "../tests/pcap.ts";
import { SeededRng } from "../core/rng.ts";
import { NATIVE_ENCRYPTION } from "./provider_node.ts";
import { ENCRYPTION_ALGORITHMS } from "./registry.ts";

const rng = new SeededRng(2024);
const bytes = (n: number) => rng.fill(new Uint8Array(n));
const LENGTHS = [0, 1, 15, 16, 17, 31, 32, 33, 64, 100, 1400];

Deno.test("native provider: offers CBC/CTR/GCM (128/256, CTR also 192) and ChaCha20-Poly1305", () => {
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
