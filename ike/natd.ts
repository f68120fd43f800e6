/**
 * NAT detection hashes (RFC 7296 §2.23): SHA-1 over SPIi | SPIr | IP | port.
 * In the IKE_SA_INIT request SPIr is all zeros. A mismatch of the
 * destination hash means we are behind a NAT; of the source hash, the peer.
 *
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import type { Endpoint } from "./ports.ts";

/** The NAT_DETECTION_*_IP notification data for `ep`. */
export function natdHash(spiI: Uint8Array, spiR: Uint8Array, ep: Endpoint): Uint8Array {
  const ip = ep.address.bytes;
  const buf = new Uint8Array(16 + ip.length + 2);
  buf.set(spiI, 0);
  buf.set(spiR, 8);
  buf.set(ip, 16);
  buf[16 + ip.length] = ep.port >> 8;
  buf[17 + ip.length] = ep.port & 0xff;
  return sha1(buf);
}

/** What the NAT-D notifications of a received message say. */
export interface NatState {
  /** Our own address is translated (the peer saw another source than we sent from). */
  readonly local: boolean;
  /** The peer's address is translated. */
  readonly remote: boolean;
}

/**
 * Compares received NAT-D hashes with what we see: `sourceHashes` from
 * NAT_DETECTION_SOURCE_IP (any may match, §2.23), `destHash` from
 * NAT_DETECTION_DESTINATION_IP. Undefined when the peer sent none (no NAT-T).
 */
export function detectNat(
  spiI: Uint8Array,
  spiR: Uint8Array,
  local: Endpoint,
  remote: Endpoint,
  sourceHashes: readonly Uint8Array[],
  destHash: Uint8Array | undefined,
): NatState | undefined {
  if (sourceHashes.length === 0 || destHash === undefined) return undefined;
  const wantSrc = natdHash(spiI, spiR, remote);
  const wantDst = natdHash(spiI, spiR, local);
  const eq = (a: Uint8Array, b: Uint8Array) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  return { local: !eq(destHash, wantDst), remote: !sourceHashes.some((h) => eq(h, wantSrc)) };
}
