/**
 * Test support for the ESP dataplane: SAs with fixed keys and addresses,
 * built through the same constructor the dataplane uses.
 *
 * @module
 */
import { parseIp } from "../core/ip.ts";
import type { EncryptionAlgorithm, IntegrityAlgorithm } from "../crypto/types.ts";
import { type SaParams, SecurityAssociation } from "../esp/sa.ts";
import { AES128_CBC, HMAC_SHA1_96 } from "./esp_transforms.ts";

/** Key bytes 0x01, 0x02, … of `n` bytes, offset by `seed`. */
export function testKey(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i + 1 + seed) & 0xff);
}

/** Overrides of the defaults; `integrity: null` means none. */
export type TestSaParams = Omit<Partial<SaParams>, "integrity" | "encryption"> & {
  encryption?: EncryptionAlgorithm;
  integrity?: IntegrityAlgorithm | null;
};

/** A complete `SaParams` with defaults: tunnel mode, UDP 4500, AES-128-CBC + HMAC-SHA1-96. */
export function saParams(p: TestSaParams = {}): SaParams {
  const encryption = p.encryption ?? AES128_CBC;
  const integrity = p.integrity === null
    ? undefined
    : p.integrity ?? (encryption.aead ? undefined : HMAC_SHA1_96);
  const { integrity: _i, ...rest } = p;
  const base: SaParams = {
    spi: 0x1000,
    direction: "out",
    mode: "tunnel",
    encap: { kind: "udp", localPort: 4500, remotePort: 4500 },
    local: parseIp("192.0.2.1"),
    remote: parseIp("198.51.100.1"),
    encryption,
    encryptionKey: testKey(encryption.keyLength),
    ...(integrity ? { integrity, integrityKey: testKey(integrity.keyLength, 100) } : {}),
  };
  return { ...base, ...rest } as SaParams;
}

/** An SA from {@linkcode saParams} with a zero IV mask (so counter IVs equal the sequence number). */
export function testSa(p: TestSaParams = {}): SecurityAssociation {
  return new SecurityAssociation(saParams(p), new Uint8Array(8));
}
