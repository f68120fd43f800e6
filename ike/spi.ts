/**
 * SPI and nonce allocation from the injected Rng. IKE SPIs are 8 non-zero
 * bytes (RFC 7296 §3.1); ESP SPIs are 32-bit values of 256 and up (RFC 4303
 * §2.1 reserves 1–255, 0 means "none"). Nonces are at least half the PRF key
 * size and 16–256 bytes (§2.10); we always send 32.
 *
 * @module
 */
import type { Rng } from "../core/rng.ts";

/** Bytes of every nonce we send. */
export const NONCE_SIZE = 32;
/** §3.9: a received nonce must be 16..256 bytes. */
export const NONCE_MIN = 16;
export const NONCE_MAX = 256;

/** Hex text of an SPI, the key of SA tables and the display form. */
export function spiHex(spi: Uint8Array): string {
  let s = "";
  for (const b of spi) s += b.toString(16).padStart(2, "0");
  return s;
}

/** A fresh 8-byte IKE SPI for which `taken` is false. */
export function allocateIkeSpi(
  rng: Rng,
  taken: (hex: string) => boolean = () => false,
): Uint8Array {
  for (;;) {
    const spi = rng.fill(new Uint8Array(8));
    if (spi.every((b) => b === 0)) continue;
    if (!taken(spiHex(spi))) return spi;
  }
}

/** A fresh ESP SPI (≥ 256) for which `taken` is false. */
export function allocateEspSpi(rng: Rng, taken: (spi: number) => boolean = () => false): number {
  const buf = new Uint8Array(4);
  for (;;) {
    rng.fill(buf);
    const v = ((buf[0]! << 24) | (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!) >>> 0;
    if (v >= 256 && !taken(v)) return v;
  }
}

/** The 4 wire bytes of an ESP SPI. */
export function espSpiBytes(spi: number): Uint8Array {
  return new Uint8Array([spi >>> 24, (spi >>> 16) & 0xff, (spi >>> 8) & 0xff, spi & 0xff]);
}

/** An ESP SPI from 4 wire bytes, or undefined for another size. */
export function espSpiFromBytes(b: Uint8Array): number | undefined {
  if (b.length !== 4) return undefined;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** A nonce of {@linkcode NONCE_SIZE} bytes. */
export function newNonce(rng: Rng): Uint8Array {
  return rng.fill(new Uint8Array(NONCE_SIZE));
}
