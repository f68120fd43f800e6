import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkIntegrityCase,
  integrityCases,
  prfCases,
  runWycheproofMac,
} from "../tests/crypto_vectors.ts";
import { hex, toHex } from "../tests/pcap.ts";
import { AES_CMAC_96, AES_XCBC_96, PRF_AES128_CMAC, PRF_AES128_XCBC } from "./aes_mac.ts";
import { CryptoError } from "./types.ts";

Deno.test("aes-xcbc integrity: RFC 3566 §4 test cases 1-5, data | trailer splits", () => {
  const cases = integrityCases("aes-xcbc");
  assertEquals(cases.length, 5);
  for (const c of cases) checkIntegrityCase(AES_XCBC_96, c);
});

Deno.test("aes-cmac integrity: RFC 4494 §4 test cases 1-4, data | trailer splits", () => {
  const cases = integrityCases("aes-cmac");
  assertEquals(cases.length, 4);
  for (const c of cases) checkIntegrityCase(AES_CMAC_96, c);
});

Deno.test("prf aes-xcbc: RFC 3566 full outputs and RFC 4434 10- and 18-byte keys", () => {
  const cases = prfCases("aes-xcbc");
  assertEquals(cases.length, 7);
  for (const c of cases) {
    assertEquals(toHex(PRF_AES128_XCBC.compute(hex(c.key), hex(c.data))), c.out, c.label);
  }
});

Deno.test("prf aes-cmac: RFC 4493 examples and RFC 4615 18-, 16- and 10-byte keys", () => {
  const cases = prfCases("aes-cmac");
  assertEquals(cases.length, 7);
  for (const c of cases) {
    assertEquals(toHex(PRF_AES128_CMAC.compute(hex(c.key), hex(c.data))), c.out, c.label);
  }
});

Deno.test("aes-cmac: Wycheproof aes_cmac_test (128-bit keys) as PRF and as CMAC-96", () => {
  assert(runWycheproofMac("wycheproof_aes_cmac.json", PRF_AES128_CMAC, AES_CMAC_96) > 200);
});

Deno.test("aes-xcbc / aes-cmac integrity: the key must be 16 bytes", () => {
  assertThrows(
    () => AES_XCBC_96.create(new Uint8Array(10)),
    CryptoError,
    "key is 10 bytes, expected 16",
  );
  assertThrows(
    () => AES_CMAC_96.create(new Uint8Array(32)),
    CryptoError,
    "key is 32 bytes, expected 16",
  );
});
