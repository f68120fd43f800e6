import { assert, assertEquals } from "../tests/assert.ts";
import {
  dhGroupById,
  dhGroupByName,
  encryptionById,
  encryptionByName,
  integrityById,
  integrityByName,
  prfById,
  prfByName,
} from "./registry.ts";
import { DH_GROUP_NAMES, ENCRYPTION_NAMES, INTEGRITY_NAMES, PRF_NAMES } from "./types.ts";

Deno.test("registry: every reference CLI name resolves, and to a transform of that name", () => {
  for (const n of ENCRYPTION_NAMES) assertEquals(encryptionByName(n)?.name, n);
  for (const n of INTEGRITY_NAMES) assertEquals(integrityByName(n)?.name, n);
  for (const n of PRF_NAMES) assertEquals(prfByName(n)?.name, n);
  for (const n of DH_GROUP_NAMES) assertEquals(dhGroupByName(n)?.name, n);
  assertEquals(encryptionByName("aes512-cbc"), undefined);
  assertEquals(encryptionByName("AES128-CBC")?.name, "aes128-cbc");
});

Deno.test("registry: x25519 and x448 are aliases of curve25519 and curve448", () => {
  assertEquals(dhGroupByName("x25519")?.name, "curve25519");
  assertEquals(dhGroupByName("x448")?.name, "curve448");
});

Deno.test("registry: IANA transform IDs (RFC 7296 §3.3.2) with the Key Length rule (§3.3.5)", () => {
  const enc = (id: number, bits?: number) => encryptionById(id, bits)?.name;
  assertEquals(
    [
      enc(11),
      enc(12, 128),
      enc(12, 192),
      enc(12, 256),
      enc(13, 128),
      enc(18, 256),
      enc(19, 192),
      enc(20, 128),
      enc(28),
    ],
    [
      "null",
      "aes128-cbc",
      "aes192-cbc",
      "aes256-cbc",
      "aes128-ctr",
      "aes256-gcm-64",
      "aes192-gcm-96",
      "aes128-gcm-128",
      "chacha20-poly1305",
    ],
  );
  assertEquals([enc(12), enc(12, 512), enc(28, 256), enc(3, 192)], [
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
  assertEquals([2, 12, 13, 14, 5, 8].map((id) => integrityById(id)?.name), [...INTEGRITY_NAMES]);
  assertEquals([2, 5, 6, 7, 4, 8].map((id) => prfById(id)?.name), [...PRF_NAMES]);
  assertEquals(
    [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 31, 32].map((id) => dhGroupById(id)?.name),
    [...DH_GROUP_NAMES],
  );
  assertEquals(dhGroupById(1), undefined);
});

Deno.test("registry: transform sizes the key schedule and ESP rely on", () => {
  const sizes = (n: string) => {
    const a = encryptionByName(n)!;
    return [a.keyLength, a.saltLength, a.ivLength, a.blockSize, a.icvLength, a.aead];
  };
  assertEquals(sizes("null"), [0, 0, 0, 4, 0, false]);
  assertEquals(sizes("aes192-cbc"), [24, 0, 16, 16, 0, false]);
  assertEquals(sizes("aes256-ctr"), [36, 4, 8, 1, 0, false]);
  assertEquals(sizes("aes128-gcm-64"), [20, 4, 8, 1, 8, true]);
  assertEquals(sizes("chacha20-poly1305"), [36, 4, 8, 1, 16, true]);
  const integ = (n: string) => [integrityByName(n)!.keyLength, integrityByName(n)!.icvLength];
  assertEquals(INTEGRITY_NAMES.map(integ), [[20, 12], [32, 16], [48, 24], [64, 32], [16, 12], [
    16,
    12,
  ]]);
  assertEquals(PRF_NAMES.map((n) => [prfByName(n)!.keyLength, prfByName(n)!.outputLength]), [
    [20, 20],
    [32, 32],
    [48, 48],
    [64, 64],
    [16, 16],
    [16, 16],
  ]);
  assertEquals(
    DH_GROUP_NAMES.map((n) => dhGroupByName(n)!.publicLength),
    [128, 192, 256, 384, 512, 768, 1024, 64, 96, 132, 32, 56],
  );
});

Deno.test("registry: the native provider is chosen on request and falls back to pure", () => {
  const pure = encryptionByName("aes128-gcm-128")!,
    native = encryptionByName("aes128-gcm-128", { provider: "native" })!;
  assert(pure !== native, "native aes128-gcm-128 exists");
  assertEquals(native.name, pure.name);
  assert(encryptionByName("aes192-cbc", { provider: "native" }) === encryptionByName("aes192-cbc"));
  assert(integrityByName("aes-xcbc", { provider: "native" }) === integrityByName("aes-xcbc"));
  assert(integrityByName("hmac-sha1", { provider: "native" }) === integrityByName("hmac-sha1"));
  assert(dhGroupByName("x25519", { provider: "native" }) !== dhGroupByName("x25519"));
  assert(dhGroupByName("modp2048", { provider: "native" }) === dhGroupByName("modp2048"));
  assert(dhGroupById(21, { provider: "native" }) === dhGroupById(21));
  assertEquals(encryptionById(20, 256, { provider: "native" })?.name, "aes256-gcm-128");
});
