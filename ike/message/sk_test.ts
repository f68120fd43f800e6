import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { bigMessage } from "../../tests/ike_codec_build.ts";
import { SeededRng } from "../../core/rng.ts";
import {
  ENCRYPTION_ALGORITHMS,
  type EncryptionAlgorithm,
  encryptionByName,
  INTEGRITY_ALGORITHMS,
  type IntegrityAlgorithm,
  integrityByName,
} from "../../crypto/mod.ts";
import { IkeEncodeError } from "./bytes.ts";
import { FragmentReassembler } from "./reassembly.ts";
import { fragmentMessage } from "./fragment.ts";
import { decodeMessage, protect, unprotect } from "./message.ts";
import { createSkProtection, padLengthFor } from "./sk.ts";
import type { RawMessage } from "./types.ts";

function raw(bytes: Uint8Array): RawMessage {
  const r = decodeMessage(bytes);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

Deno.test("sk: padding reaches the block with the Pad Length octet (RFC 7296 §3.14)", () => {
  const cases: [number, number, number][] = [
    [0, 16, 15],
    [15, 16, 0],
    [16, 16, 15],
    [47, 16, 0],
    [5, 8, 2],
    [9, 1, 0],
    [0, 1, 0],
  ];
  for (const [plain, block, pad] of cases) {
    assertEquals(padLengthFor(plain, block), pad, `${plain}/${block}`);
  }
});

Deno.test("sk: AEAD ciphers take no integrity transform, the others need one", () => {
  const gcm = encryptionByName("aes256-gcm-128")!;
  const cbc = encryptionByName("aes128-cbc")!;
  const sha1 = integrityByName("hmac-sha1")!;
  assertThrows(
    () => createSkProtection(gcm, new Uint8Array(gcm.keyLength), sha1, new Uint8Array(20)),
    IkeEncodeError,
    "Cannot combine",
  );
  assertThrows(
    () => createSkProtection(cbc, new Uint8Array(cbc.keyLength)),
    IkeEncodeError,
    "without an integrity",
  );
  const sk = createSkProtection(gcm, new Uint8Array(gcm.keyLength));
  assertEquals([sk.ivLength, sk.blockSize, sk.icvLength, sk.integrity], [8, 1, 16, undefined]);
});

Deno.test("sk: every IKE cipher of crypto/ protects, detects tampering and fragments", () => {
  const rng = new SeededRng(42);
  const msg = bigMessage();
  const suites: [EncryptionAlgorithm, IntegrityAlgorithm | undefined][] = [];
  for (const e of ENCRYPTION_ALGORITHMS) {
    if (e.name === "null") continue; // ESP only
    if (e.aead) suites.push([e, undefined]);
    else for (const i of INTEGRITY_ALGORITHMS) suites.push([e, i]);
  }
  assertEquals(suites.length > 20, true);
  for (const [enc, integ] of suites) {
    const label = `${enc.name}${integ ? " + " + integ.name : ""}`;
    const sk = createSkProtection(
      enc,
      rng.fill(new Uint8Array(enc.keyLength)),
      integ,
      integ ? rng.fill(new Uint8Array(integ.keyLength)) : undefined,
    );
    const bytes = protect(msg, sk, rng);
    const r = unprotect(raw(bytes), sk);
    assertEquals(r.ok && r.value.message.payloads, msg.payloads, label);
    const bad = bytes.slice();
    bad[bad.length - sk.icvLength - 1]! ^= 0x80;
    const b = unprotect(raw(bad), sk);
    assertEquals(b.ok ? "ok" : b.error.code, "integrity", label);
    const re = new FragmentReassembler();
    const results = fragmentMessage(msg, sk, rng, 544).map((f) => re.add(raw(f), sk, 0));
    const last = results[results.length - 1]!;
    assertEquals(last.status === "complete" && last.message.payloads, msg.payloads, label);
  }
});
