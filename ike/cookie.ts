/**
 * Stateless cookies (RFC 7296 §2.6): Cookie = VersionIDofSecret |
 * Hash(Ni | IPi | SPIi | secret). The secret rotates on a timer; a cookie
 * made with the previous secret is still accepted, so a rotation between
 * the challenge and the retry does not fail the peer.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { Clock } from "../core/clock.ts";
import type { IpAddress } from "../core/ip.ts";
import type { Rng } from "../core/rng.ts";

const VERSION_BYTES = 4;

interface Secret {
  version: number;
  bytes: Uint8Array;
}

/** Makes and checks cookies; one per IKE instance. */
export class CookieJar {
  #current: Secret;
  #previous: Secret | undefined;
  #rotatedAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    /** Milliseconds a secret is used before a new one replaces it. */
    private readonly lifetimeMs = 300_000,
  ) {
    this.#current = { version: 1, bytes: rng.fill(new Uint8Array(32)) };
    this.#rotatedAt = clock.now();
  }

  #rotate(): void {
    if (this.clock.now() - this.#rotatedAt < this.lifetimeMs) return;
    this.#previous?.bytes.fill(0);
    this.#previous = this.#current;
    this.#current = {
      version: (this.#current.version + 1) >>> 0,
      bytes: this.rng.fill(new Uint8Array(32)),
    };
    this.#rotatedAt = this.clock.now();
  }

  #compute(s: Secret, ni: Uint8Array, ip: IpAddress, spiI: Uint8Array): Uint8Array {
    const buf = new Uint8Array(ni.length + ip.bytes.length + spiI.length + s.bytes.length);
    let o = 0;
    for (const part of [ni, ip.bytes, spiI, s.bytes]) {
      buf.set(part, o);
      o += part.length;
    }
    const out = new Uint8Array(VERSION_BYTES + 32);
    new DataView(out.buffer).setUint32(0, s.version);
    out.set(sha256(buf), VERSION_BYTES);
    buf.fill(0);
    return out;
  }

  /** The cookie for an initiator's nonce, address and SPI. */
  make(ni: Uint8Array, ip: IpAddress, spiI: Uint8Array): Uint8Array {
    this.#rotate();
    return this.#compute(this.#current, ni, ip, spiI);
  }

  /** Whether `cookie` was made by us, with the current or previous secret, for these inputs. */
  verify(cookie: Uint8Array, ni: Uint8Array, ip: IpAddress, spiI: Uint8Array): boolean {
    this.#rotate();
    if (cookie.length !== VERSION_BYTES + 32) return false;
    const version = new DataView(cookie.buffer, cookie.byteOffset).getUint32(0);
    const s = version === this.#current.version
      ? this.#current
      : version === this.#previous?.version
      ? this.#previous
      : undefined;
    if (!s) return false;
    const want = this.#compute(s, ni, ip, spiI);
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff |= want[i]! ^ cookie[i]!;
    return diff === 0;
  }

  /** Zeroes both secrets. */
  destroy(): void {
    this.#current.bytes.fill(0);
    this.#previous?.bytes.fill(0);
  }
}
