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
import { drawEcpScalar, ECP_GROUPS, normaliseEcpScalar } from "./ecp.ts";
import {
  GroupBase,
  type KeyExchangeGroup,
  PrivateBase,
  sharedSecretError,
} from "./key_exchange.ts";
import type { DhPrivate, RandomSource } from "./types.ts";
import { checkNotAllZero, importXdhScalar, XDH_GROUPS } from "./xdh.ts";

class NodeEcpPrivate extends PrivateBase {
  readonly #ecdh: ReturnType<typeof createECDH>;
  readonly #d: Buffer;

  constructor(group: KeyExchangeGroup, curve: string, d: Uint8Array) {
    super(group);
    this.#d = Buffer.from(d);
    this.#ecdh = createECDH(curve);
    this.#ecdh.setPrivateKey(this.#d);
  }

  protected computePublic(): Uint8Array {
    return new Uint8Array(this.#ecdh.getPublicKey().subarray(1));
  }

  protected agree(peerPublic: Uint8Array): Uint8Array {
    try {
      return new Uint8Array(this.#ecdh.computeSecret(Buffer.concat([Buffer.of(4), peerPublic])));
    } catch {
      throw sharedSecretError(
        this.group,
        "public value is not a point on the curve (RFC 6989 §2.3)",
      );
    }
  }

  protected wipe(): void {
    this.#d.fill(0);
    // Overwrite the key held inside the node ECDH object with the scalar 1.
    const one = Buffer.alloc(this.#d.length);
    one[one.length - 1] = 1;
    this.#ecdh.setPrivateKey(one);
  }
}

/** DER prefixes of PKCS#8 private and SPKI public keys for X25519 / X448 (RFC 8410). */
const XDH_DER: Record<string, { pkcs8: string; spki: string }> = {
  curve25519: { pkcs8: "302e020100300506032b656e04220420", spki: "302a300506032b656e032100" },
  curve448: { pkcs8: "3046020100300506032b656f043a0438", spki: "3042300506032b656f033900" },
};

class NodeXdhPrivate extends PrivateBase {
  readonly #der: { pkcs8: string; spki: string };
  readonly #key: KeyObject;
  readonly #raw: Uint8Array;

  constructor(group: KeyExchangeGroup, k: Uint8Array) {
    super(group);
    this.#der = XDH_DER[group.name]!;
    this.#raw = k;
    const der = Buffer.concat([Buffer.from(this.#der.pkcs8, "hex"), k]);
    this.#key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    der.fill(0);
  }

  protected computePublic(): Uint8Array {
    const spki = createPublicKey(this.#key).export({ format: "der", type: "spki" });
    return new Uint8Array(spki.subarray(spki.length - this.group.publicLength));
  }

  protected agree(peerPublic: Uint8Array): Uint8Array {
    let shared: Uint8Array;
    try {
      const publicKey = createPublicKey({
        key: Buffer.concat([Buffer.from(this.#der.spki, "hex"), peerPublic]),
        format: "der",
        type: "spki",
      });
      shared = new Uint8Array(diffieHellman({ privateKey: this.#key, publicKey }));
    } catch {
      shared = new Uint8Array(this.group.sharedLength);
    }
    return checkNotAllZero(this.group, shared);
  }

  protected wipe(): void {
    this.#raw.fill(0);
  }
}

/** A native group: the pure group's parameters, key drawing and import checks. */
class NodeGroup extends GroupBase {
  readonly #draw: (random: RandomSource) => Uint8Array;
  readonly #import: (secret: Uint8Array) => Uint8Array;
  readonly #make: (g: KeyExchangeGroup, secret: Uint8Array) => PrivateBase;

  constructor(
    pure: KeyExchangeGroup,
    draw: (random: RandomSource) => Uint8Array,
    importKey: (secret: Uint8Array) => Uint8Array,
    make: (g: KeyExchangeGroup, secret: Uint8Array) => PrivateBase,
  ) {
    super(pure.name, pure.transformId, pure.publicLength, pure.sharedLength);
    this.#draw = draw;
    this.#import = importKey;
    this.#make = make;
  }

  generate(random: RandomSource): DhPrivate {
    const k = this.#make(this, this.#draw(random));
    void k.publicValue;
    return k;
  }

  fromPrivate(secret: Uint8Array): DhPrivate {
    return this.#make(this, this.#import(secret));
  }
}

const pureGroup = (name: string) => [...ECP_GROUPS, ...XDH_GROUPS].find((g) => g.name === name)!;

function ecp(name: "ecp256" | "ecp384", curve: string): KeyExchangeGroup {
  const pure = pureGroup(name);
  return new NodeGroup(
    pure,
    (random) => drawEcpScalar(pure, random),
    (secret) => normaliseEcpScalar(pure, secret),
    (g, d) => new NodeEcpPrivate(g, curve, d),
  );
}

function xdh(name: "curve25519" | "curve448"): KeyExchangeGroup {
  const pure = pureGroup(name);
  return new NodeGroup(
    pure,
    (random) => random.fill(new Uint8Array(pure.publicLength)),
    (secret) => importXdhScalar(pure, secret),
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
