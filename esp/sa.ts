/**
 * An ESP Security Association as the dataplane holds it (RFC 4301 §4.4.2):
 * SPI, direction, mode, encapsulation (RFC 3948 UDP or raw protocol 50),
 * outer addresses, the keyed transforms, ESN (RFC 4304), the replay window
 * (inbound), byte/packet lifetimes, counters, the inner traffic selectors
 * checked after decapsulation, and the bindings that pick it for outbound
 * traffic: a `reqid` (policy-based tunnels) or an interface id (route-based
 * SVTI tunnels, the reference's `svti-id-in`/`svti-id-out`).
 *
 * Sequence numbers are JavaScript numbers: exact integers up to 2^53 - 1.
 * Without ESN the outbound counter stops at 2^32 - 1 (RFC 4303 §3.3.3: it
 * must not cycle); with ESN it stops at 2^53 - 1 instead of 2^64 - 1, a
 * limit no SA reaches (2^53 packets at 10 Mpps take 28 years). The wire
 * carries the low 32 bits; the high 32 bits are `Math.floor(seq / 2^32)`.
 *
 * The SA keeps no raw keys: it keeps the transform objects created from
 * them (which hold their own copies) and zeroes those in
 * {@linkcode SecurityAssociation.destroy} when the SA is removed.
 *
 * @module
 */
import { formatIp, type IpAddress } from "../core/ip.ts";
import type {
  Cipher,
  EncryptionAlgorithm,
  Integrity,
  IntegrityAlgorithm,
} from "../crypto/types.ts";
import {
  DEFAULT_PATH_MTU,
  DEFAULT_REPLAY_WINDOW,
  ESP_MIN_ALIGN,
  SEQ_MAX_32,
  SEQ_SOFT_MARGIN,
  SPI_MIN,
} from "./constants.ts";
import { ReplayWindow } from "./replay.ts";
import { makeSelector, type Selector, type SelectorSpec } from "./selector.ts";
import { maxInnerLength } from "./mtu.ts";

export type Direction = "in" | "out";
export type Mode = "tunnel" | "transport";
export type Encapsulation =
  | { readonly kind: "udp"; readonly localPort: number; readonly remotePort: number }
  | { readonly kind: "raw" };

/** Byte and packet limits (RFC 4301 §4.4.2.1 "SA Lifetime"); time limits are IKE's. */
export interface Lifetime {
  readonly softBytes: number;
  readonly hardBytes: number;
  readonly softPackets: number;
  readonly hardPackets: number;
}

/** What IKE (or a test) gives to install an SA. Keys are copied by the transforms. */
export interface SaParams {
  readonly spi: number;
  readonly direction: Direction;
  readonly mode: Mode;
  readonly encap: Encapsulation;
  /** Our outer address (the destination of inbound packets). */
  readonly local: IpAddress;
  /** The peer's outer address (the destination of outbound packets). */
  readonly remote: IpAddress;
  readonly encryption: EncryptionAlgorithm;
  readonly encryptionKey: Uint8Array;
  /** Required unless the encryption is an AEAD (RFC 4303 §3.2 forbids NULL + none). */
  readonly integrity?: IntegrityAlgorithm;
  readonly integrityKey?: Uint8Array;
  readonly esn?: boolean;
  /** Inbound only; default {@linkcode DEFAULT_REPLAY_WINDOW}, 0 turns the check off. */
  readonly replayWindow?: number;
  readonly lifetime?: Partial<Lifetime>;
  /**
   * Inner traffic this SA carries, written in the SA's direction (inbound:
   * source = the peer's side). Empty or omitted: anything.
   */
  readonly selectors?: readonly (Selector | SelectorSpec)[];
  /** Handle that protect-policies name (outbound SAs of one CHILD SA share it). */
  readonly reqid?: number;
  /** Route-based tunnel: SVTI interface id (outbound: traffic of that TUN; inbound: deliver to it). */
  readonly ifaceId?: number;
  /** Link MTU toward the peer; sets the largest inner packet (default 1500). */
  readonly pathMtu?: number;
  /** For logs and `show`. */
  readonly name?: string;
}

/** Per-SA counters: plain numbers, read directly by `show ipsec sa`. */
export interface SaCounters {
  /** Packets and inner bytes protected (out) or accepted (in). */
  packets: number;
  bytes: number;
  replayDrops: number;
  icvFailures: number;
  paddingErrors: number;
  /** Inbound: decrypted packets outside the SA's selectors. Outbound: refused packets. */
  policyDrops: number;
  /** Packets too big for the path MTU (ICMP sent back or dropped). */
  mtuExceeded: number;
  /** Malformed after decryption (bad inner packet, unsupported header). */
  malformed: number;
}

/** Thrown by {@linkcode createSa} for parameters that cannot make an SA. */
export class SaError extends Error {
  override name = "SaError";
}

/** Whether the SA is still usable. */
export type SaState = "live" | "removed";

export class SecurityAssociation {
  readonly spi: number;
  readonly direction: Direction;
  readonly mode: Mode;
  /** Changed only by `Dataplane.updateRemote` (a NAT mapping that moved, RFC 7296 §2.23). */
  encap: Encapsulation;
  readonly local: IpAddress;
  /** Changed only by `Dataplane.updateRemote`. */
  remote: IpAddress;
  readonly name: string;
  readonly esn: boolean;
  readonly reqid: number | undefined;
  readonly ifaceId: number | undefined;
  readonly selectors: readonly Selector[];
  readonly lifetime: Lifetime;
  readonly encryptionName: string;
  readonly integrityName: string;
  readonly aead: boolean;
  readonly ivLength: number;
  /** ICV bytes on the wire (AEAD tag or truncated MAC). */
  readonly icvLength: number;
  /** The plaintext (payload + padding + trailer) is a multiple of this (RFC 4303 §2.4). */
  readonly align: number;
  /** IVs from the sequence number (counter modes, RFC 4106 §3.1) or random (CBC). */
  readonly counterIv: boolean;
  readonly cipher: Cipher;
  readonly integrity: Integrity | undefined;
  readonly replay: ReplayWindow | undefined;
  pathMtu: number;
  /** Largest inner packet that fits the path MTU (tunnel mode: whole packet; transport: payload). */
  maxInner: number;
  readonly counters: SaCounters = {
    packets: 0,
    bytes: 0,
    replayDrops: 0,
    icvFailures: 0,
    paddingErrors: 0,
    policyDrops: 0,
    mtuExceeded: 0,
    malformed: 0,
  };
  state: SaState = "live";
  /** Outbound: the last sequence number sent (0 = none yet). */
  seqOut = 0;
  /** Outbound: the last usable sequence number. */
  readonly seqMax: number;
  /** Outbound: sending this sequence number asks for a rekey (soft limit of the counter). */
  readonly seqSoft: number;
  /** The soft limit fired (the rekey event is sent once). */
  softExpired = false;
  /** Per-SA scratch: AEAD AAD (8 or 12 bytes), ESN high bits for the ICV, the IV. */
  readonly aad: Uint8Array;
  readonly seqHi = new Uint8Array(4);
  readonly iv: Uint8Array;
  /** XOR mask of counter IVs: unique per install, so two HA nodes never share an IV stream. */
  readonly ivMask: Uint8Array;
  /** Next value of the synced counter (seq or replay top) that triggers a progress report. */
  syncAt = Infinity;
  /** Value last reported to listeners (HA). */
  syncedSeq = 0;
  /** Queued for a progress report. */
  syncPending = false;
  /** Another SA installed with the same SPI (different local address). */
  nextSameSpi: SecurityAssociation | undefined = undefined;

  constructor(p: SaParams, ivMask: Uint8Array) {
    const where = `Cannot install SA 0x${(p.spi >>> 0).toString(16).padStart(8, "0")}`;
    if (!Number.isInteger(p.spi) || p.spi < SPI_MIN || p.spi > 0xffffffff) {
      throw new SaError(`${where}: SPI ${p.spi} is out of range ${SPI_MIN}..4294967295`);
    }
    if (p.local.family !== p.remote.family) {
      throw new SaError(`${where}: local and remote addresses are of different families`);
    }
    if (p.encap.kind === "udp") {
      for (const port of [p.encap.localPort, p.encap.remotePort]) {
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
          throw new SaError(`${where}: UDP port ${port} is out of range 1..65535`);
        }
      }
    }
    const enc = p.encryption;
    if (enc.aead && p.integrity) {
      throw new SaError(`${where}: ${enc.name} is an AEAD and takes no integrity algorithm`);
    }
    if (!enc.aead && !p.integrity && enc.name === "null") {
      throw new SaError(`${where}: NULL encryption needs an integrity algorithm (RFC 4303 §3.2)`);
    }
    if (p.integrity && !p.integrityKey) throw new SaError(`${where}: integrity key missing`);
    const esn = p.esn ?? false;
    const window = p.direction === "in" ? p.replayWindow ?? DEFAULT_REPLAY_WINDOW : 0;
    const lt: Lifetime = {
      softBytes: p.lifetime?.softBytes ?? Infinity,
      hardBytes: p.lifetime?.hardBytes ?? Infinity,
      softPackets: p.lifetime?.softPackets ?? Infinity,
      hardPackets: p.lifetime?.hardPackets ?? Infinity,
    };
    for (const [k, v] of Object.entries(lt)) {
      if (!(v > 0)) throw new SaError(`${where}: lifetime ${k} must be positive, got ${v}`);
    }
    this.spi = p.spi >>> 0;
    this.direction = p.direction;
    this.mode = p.mode;
    this.encap = p.encap;
    this.local = p.local;
    this.remote = p.remote;
    this.name = p.name ?? `${p.direction}-0x${this.spi.toString(16)}`;
    this.esn = esn;
    this.reqid = p.reqid;
    this.ifaceId = p.ifaceId;
    this.lifetime = lt;
    try {
      this.selectors = (p.selectors ?? []).map((s) => ("srcLo" in s ? s : makeSelector(s)));
      this.replay = p.direction === "in" ? new ReplayWindow(window, esn) : undefined;
    } catch (e) {
      throw new SaError(`${where}: ${(e as Error).message}`);
    }
    this.encryptionName = enc.name;
    this.integrityName = p.integrity?.name ?? (enc.aead ? "(aead)" : "none");
    this.aead = enc.aead;
    this.ivLength = enc.ivLength;
    this.icvLength = enc.aead ? enc.icvLength : p.integrity?.icvLength ?? 0;
    this.align = Math.max(enc.blockSize, ESP_MIN_ALIGN);
    this.counterIv = enc.aead || enc.blockSize === 1;
    this.aad = new Uint8Array(esn ? 12 : 8);
    this.iv = new Uint8Array(enc.ivLength);
    this.ivMask = ivMask;
    this.seqMax = esn ? Number.MAX_SAFE_INTEGER : SEQ_MAX_32;
    this.seqSoft = esn ? Number.MAX_SAFE_INTEGER - SEQ_SOFT_MARGIN : SEQ_MAX_32 - SEQ_SOFT_MARGIN;
    this.pathMtu = p.pathMtu ?? DEFAULT_PATH_MTU;
    this.maxInner = maxInnerLength(this, this.pathMtu);
    if (this.maxInner < 1) throw new SaError(`${where}: path MTU ${this.pathMtu} leaves no room`);
    let cipher: Cipher | undefined;
    try {
      cipher = enc.create(p.encryptionKey);
      this.cipher = cipher;
      this.integrity = p.integrity ? p.integrity.create(p.integrityKey!) : undefined;
    } catch (e) {
      cipher?.destroy();
      throw new SaError(`${where}: ${(e as Error).message}`);
    }
    this.aad[0] = this.spi >>> 24;
    this.aad[1] = (this.spi >>> 16) & 0xff;
    this.aad[2] = (this.spi >>> 8) & 0xff;
    this.aad[3] = this.spi & 0xff;
  }

  /** The counter HA synchronises: last sent (out) or highest accepted (in). */
  get syncValue(): number {
    return this.direction === "out" ? this.seqOut : this.replay!.top;
  }

  /** Marks the SA removed and zeroes its keys (the transforms' copies). */
  destroy(): void {
    if (this.state === "removed") return;
    this.state = "removed";
    this.cipher.destroy();
    this.integrity?.destroy();
    this.iv.fill(0);
    this.ivMask.fill(0);
  }

  /** `in 0x1234abcd tunnel udp 10.0.0.1:4500 <- 10.0.0.2:4500 aes128-cbc/hmac-sha1` */
  describe(): string {
    const arrow = this.direction === "out" ? "->" : "<-";
    const e = this.encap;
    const l = formatIp(this.local) + (e.kind === "udp" ? `:${e.localPort}` : "");
    const r = formatIp(this.remote) + (e.kind === "udp" ? `:${e.remotePort}` : "");
    const spi = this.spi.toString(16).padStart(8, "0");
    const algs = `${this.encryptionName}/${this.integrityName}${this.esn ? " esn" : ""}`;
    return `${this.direction} 0x${spi} ${this.mode} ${e.kind} ${l} ${arrow} ${r} ${algs}`;
  }
}
