import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  checkIntegrityCase,
  integrityCases,
  prfCases,
  runWycheproofMac,
} from "../tests/crypto_vectors.ts";
import { hex, toHex } from "../tests/pcap.ts";
import { HMAC_INTEGRITY, HMAC_PRF } from "./hmac.ts";
import { CryptoError } from "./types.ts";

for (const alg of HMAC_INTEGRITY) {
  Deno.test(`${alg.name} integrity: RFC 2202 / RFC 4868 §2.7.2 vectors, data | trailer splits`, () => {
    const cases = integrityCases(alg.name);
    assert(cases.length >= 3);
    for (const c of cases) checkIntegrityCase(alg, c);
  });
  const bits = alg.name.slice(8);
  Deno.test(`${alg.name} integrity: Wycheproof hmac_sha${bits}_test truncated to ${alg.icvLength} bytes`, () => {
    assert(runWycheproofMac(`wycheproof_hmac_sha${bits}.json`, undefined, alg) > 70);
  });
}

for (const prf of HMAC_PRF) {
  Deno.test(`prf ${prf.name}: RFC 2202 / RFC 4231 vectors`, () => {
    const cases = prfCases(prf.name);
    assert(cases.length >= 7);
    for (const c of cases) {
      const out = toHex(prf.compute(hex(c.key), hex(c.data)));
      // RFC 4231 Test Case 5 publishes only the first 128 bits.
      assertEquals(out.slice(0, c.out.length), c.out, c.label);
    }
  });
  Deno.test(`prf ${prf.name}: Wycheproof (all key lengths, full tags)`, () => {
    assert(runWycheproofMac(`wycheproof_hmac_${prf.name.slice(5)}.json`, prf, undefined) > 80);
  });
}

Deno.test("hmac-sha256 integrity: wrong key and ICV lengths fail loudly; destroy stops use", () => {
  const alg = HMAC_INTEGRITY[1]!;
  assertEquals([alg.transformId, alg.keyLength, alg.icvLength], [12, 32, 16]);
  assertThrows(() => alg.create(new Uint8Array(20)), CryptoError, "key is 20 bytes, expected 32");
  const i = alg.create(new Uint8Array(32));
  assertThrows(
    () => i.verify(new Uint8Array(4), new Uint8Array(12)),
    CryptoError,
    "ICV is 12 bytes, expected 16",
  );
  i.destroy();
  assertThrows(() => i.mac(new Uint8Array(4)), CryptoError, "destroyed");
});
