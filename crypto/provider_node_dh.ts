/**
 * The native provider's key-exchange groups: ECP 19/20 (RFC 5903) and
 * Curve25519/448 (RFC 8031) on node:crypto, several times faster than the
 * pure ones in Deno (BENCHMARKS.md). MODP stays pure (faster here), and
 * P-521 too (Deno's node:crypto lacks it).
 *
 * Private keys are drawn from the injected random source exactly as the
 * pure groups draw them, so both providers give the same key pair for the
 * same random bytes (cross-tested); peer values get the same checks and
 * errors (length, on the curve, no all-zero X25519/X448 result).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
} from "node:crypto";
import { drawEcpScalar, ECP_GROUPS } from "./ecp.ts";
import type { KeyExchangeGroup } from "./key_exchange.ts";
import { CryptoError, type DhGroupName, type DhPrivate, type RandomSource } from "./types.ts";
import { XDH_GROUPS } from "./xdh.ts";

function destroyed(name: string): CryptoError {
  return new CryptoError(`Cannot use ${name} private key: it was destroyed`);
}

function checkPeerLength(g: KeyExchangeGroup, peer: Uint8Array): void {
  if (peer.length !== g.publicLength) {
    throw new CryptoError(
      `Cannot compute ${g.name} shared secret: public value is ${peer.length} bytes, expected ${g.publicLength}`,
    );
  }
}

class NodeEcpPrivate implements DhPrivate {
  readonly group: KeyExchangeGroup;
  readonly publicValue: Uint8Array;
  readonly #ecdh: ReturnType<typeof createECDH>;
  readonly #d: Buffer;
  #destroyed = false;

  constructor(group: KeyExchangeGroup, curve: string, d: Uint8Array) {
    this.group = group;
    this.#d = Buffer.from(d);
    this.#ecdh = createECDH(curve);
    this.#ecdh.setPrivateKey(this.#d);
    this.publicValue = new Uint8Array(this.#ecdh.getPublicKey().subarray(1));
  }

  computeShared(peerPublic: Uint8Array): Uint8Array {
    const g = this.group;
    if (this.#destroyed) throw destroyed(g.name);
    checkPeerLength(g, peerPublic);
    try {
      return new Uint8Array(this.#ecdh.computeSecret(Buffer.concat([Buffer.of(4), peerPublic])));
    } catch {
      throw new CryptoError(
        `Cannot compute ${g.name} shared secret: public value is not a point on the curve (RFC 6989 §2.3)`,
      );
    }
  }

  destroy(): void {
    this.#destroyed = true;
    this.#d.fill(0);
    // Overwrite the key held inside the node ECDH object with the scalar 1.
    const one = Buffer.alloc(this.#d.length);
    one[one.length - 1] = 1;
    this.#ecdh.setPrivateKey(one);
  }
}

/** DER prefixes of PKCS#8 private and SPKI public keys for X25519 / X448 (RFC 8410). */
const XDH_DER = {
  curve25519: { pkcs8: "302e020100300506032b656e04220420", spki: "302a300506032b656e032100" },
  curve448: { pkcs8: "3046020100300506032b656f043a0438", spki: "3042300506032b656f033900" },
} as const;

class NodeXdhPrivate implements DhPrivate {
  readonly group: KeyExchangeGroup;
  readonly publicValue: Uint8Array;
  readonly #der: (typeof XDH_DER)[keyof typeof XDH_DER];
  readonly #key: KeyObject;
  readonly #raw: Uint8Array;
  #destroyed = false;

  constructor(group: KeyExchangeGroup, k: Uint8Array) {
    this.group = group;
    this.#der = XDH_DER[group.name as keyof typeof XDH_DER];
    this.#raw = k;
    const der = Buffer.concat([Buffer.from(this.#der.pkcs8, "hex"), k]);
    this.#key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    der.fill(0);
    const spki = createPublicKey(this.#key).export({ format: "der", type: "spki" });
    this.publicValue = new Uint8Array(spki.subarray(spki.length - group.publicLength));
  }

  computeShared(peerPublic: Uint8Array): Uint8Array {
    const g = this.group;
    if (this.#destroyed) throw destroyed(g.name);
    checkPeerLength(g, peerPublic);
    let shared: Uint8Array;
    try {
      const publicKey = createPublicKey({
        key: Buffer.concat([Buffer.from(this.#der.spki, "hex"), peerPublic]),
        format: "der",
        type: "spki",
      });
      shared = new Uint8Array(diffieHellman({ privateKey: this.#key, publicKey }));
    } catch {
      shared = new Uint8Array(g.sharedLength);
    }
    if (shared.every((b) => b === 0)) {
      throw new CryptoError(
        `Cannot compute ${g.name} shared secret: the result is all zeros, a low-order public value (RFC 8031 §2.3)`,
      );
    }
    return shared;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#raw.fill(0);
  }
}

/** A native group wrapping the pure one's parameters and key drawing. */
class NodeGroup implements KeyExchangeGroup {
  readonly name: DhGroupName;
  readonly transformId: number;
  readonly publicLength: number;
  readonly sharedLength: number;
  readonly #pure: KeyExchangeGroup;
  readonly #make: (g: KeyExchangeGroup, secret: Uint8Array) => DhPrivate;
  readonly #draw: (random: RandomSource) => Uint8Array;

  constructor(
    pure: KeyExchangeGroup,
    draw: (random: RandomSource) => Uint8Array,
    make: (g: KeyExchangeGroup, secret: Uint8Array) => DhPrivate,
  ) {
    this.name = pure.name;
    this.transformId = pure.transformId;
    this.publicLength = pure.publicLength;
    this.sharedLength = pure.sharedLength;
    this.#pure = pure;
    this.#draw = draw;
    this.#make = make;
  }

  generate(random: RandomSource): DhPrivate {
    return this.#make(this, this.#draw(random));
  }

  fromPrivate(secret: Uint8Array): DhPrivate {
    // The pure group checks and normalises the encoding (range, length).
    const checked = this.#pure.fromPrivate(secret);
    checked.destroy();
    return this.#make(
      this,
      this.#pure.name.startsWith("ecp")
        ? normaliseScalar(secret, this.sharedLength)
        : secret.slice(),
    );
  }
}

function normaliseScalar(secret: Uint8Array, length: number): Uint8Array {
  const d = new Uint8Array(length);
  const s = secret.length > length ? secret.subarray(secret.length - length) : secret;
  d.set(s, length - s.length);
  return d;
}

const pureGroup = (name: string) => [...ECP_GROUPS, ...XDH_GROUPS].find((g) => g.name === name)!;

function ecp(name: "ecp256" | "ecp384", curve: string): KeyExchangeGroup {
  const pure = pureGroup(name);
  return new NodeGroup(
    pure,
    (random) => drawEcpScalar(pure, random),
    (g, d) => new NodeEcpPrivate(g, curve, d),
  );
}

function xdh(name: "curve25519" | "curve448"): KeyExchangeGroup {
  const pure = pureGroup(name);
  return new NodeGroup(
    pure,
    (random) => random.fill(new Uint8Array(pure.publicLength)),
    (g, k) => new NodeXdhPrivate(g, k),
  );
}

/** The key-exchange groups node:crypto speeds up in Deno. */
export const NATIVE_DH_GROUPS: readonly KeyExchangeGroup[] = [
  ecp("ecp256", "prime256v1"),
  ecp("ecp384", "secp384r1"),
  xdh("curve25519"),
  xdh("curve448"),
];
