/**
 * What the daemon hands the IKE engine per VPN: the reference CLI's `vpn`,
 * `ike-policy-template`, `ipsec-policy-template` and `pre-shared-key`
 * contexts, flattened into plain values. Names of algorithms are the
 * reference's CLI names from `crypto/types.ts`. Durations are seconds.
 *
 * Defaults the reference does not print are strongSwan's (charon.opt,
 * swanctl.opt): IKE rekey 4 h, CHILD rekey 1 h, no reauthentication,
 * keying-tries 1, unique-sa `no`, no DPD, a 32-packet replay window,
 * retransmits 4 s × 1.8^n with 5 retries, half-open timeout 30 s, DoS
 * protection on (cookies from 30 half-open SAs, or 3 from one address; at
 * most 5 half-open SAs per address), NAT-T keepalives every 20 s while
 * behind a NAT. A rekey-time of 0 means never.
 *
 * @module
 */
import type { IpAddress, IpPrefix } from "../core/ip.ts";
import { encryptionByName } from "../crypto/registry.ts";
import type { DhGroupName, EncryptionName, IntegrityName, PrfName } from "../crypto/types.ts";
import type { Identity } from "./identity.ts";

/** RFC 7296 §2.9 traffic selector as configured (`local-ts` / `remote-ts`). */
export interface TsConfig {
  /** `subnet`; absent = the endpoint's own address (`local-ts protocol 47` in transport mode). */
  readonly prefix?: IpPrefix;
  /** IP protocol number; 0 = any. */
  readonly protocol: number;
  /** Port range; absent = all ports. */
  readonly ports?: { readonly start: number; readonly end: number };
}

/** One `ike-proposal`: every list is in preference order. */
export interface IkeProposalConfig {
  readonly enc: readonly EncryptionName[];
  /** Empty for AEAD-only proposals. */
  readonly integ: readonly IntegrityName[];
  /** Empty = derived from `integ` by {@linkcode ikeProposalPrfs}. */
  readonly prf: readonly PrfName[];
  readonly dh: readonly DhGroupName[];
}

/** One `esp-proposal`. */
export interface EspProposalConfig {
  readonly enc: readonly EncryptionName[];
  readonly integ: readonly IntegrityName[];
  /** PFS groups for CREATE_CHILD_SA; empty = no PFS. */
  readonly dh: readonly DhGroupName[];
  /** Acceptable ESN settings in preference order: `[true]` = ESN only, `[false]` = none, both = either. */
  readonly esn: readonly boolean[];
}

export type ChildMode = "tunnel" | "transport";

/** A `security-policy` with its `ipsec-policy-template`: one CHILD SA configuration. */
export interface ChildConfig {
  readonly name: string;
  readonly localTs: readonly TsConfig[];
  readonly remoteTs: readonly TsConfig[];
  readonly mode: ChildMode;
  readonly proposals: readonly EspProposalConfig[];
  /** Seconds until rekeying (jittered down by up to 10 %); 0 = never. */
  readonly rekeyTime: number;
  /** Seconds until hard expiry; absent = rekeyTime + 10 %. */
  readonly lifeTime?: number;
  /** Soft byte / packet limits signalled by the dataplane; absent = none. */
  readonly rekeyBytes?: number;
  readonly rekeyPackets?: number;
  readonly replayWindow: number;
  readonly svtiIdIn?: number;
  readonly svtiIdOut?: number;
}

/** `unique-sa`: what to do with an older IKE SA of the same peer identity (strongSwan `unique`). */
export type UniqueSa = "no" | "never" | "keep" | "replace";

/** An `ike-policy-template`. */
export interface IkePolicy {
  readonly proposals: readonly IkeProposalConfig[];
  /** Seconds until rekeying (jittered); 0 = never. */
  readonly rekeyTime: number;
  /** Seconds until reauthentication; 0 = never. */
  readonly reauthTime: number;
  /** Attempts to establish before giving up; 0 = forever. */
  readonly keyingTries: number;
  readonly uniqueSa: UniqueSa;
  /** Seconds of inbound silence before a liveness check; 0 = off. */
  readonly dpdDelay: number;
}

/** A `vpn`. */
export interface VpnConfig {
  readonly name: string;
  /** Handle of the VRF whose sockets carry this VPN (opaque to the engine). */
  readonly vrf: string;
  readonly localAddress: IpAddress;
  /** Absent = accept from any address (responder only). */
  readonly remoteAddress?: IpAddress;
  /** Absent = the local address as an identity. */
  readonly localId?: Identity;
  /** Absent = the remote address as an identity (any identity when remoteAddress is absent). */
  readonly remoteId?: Identity;
  readonly ike: IkePolicy;
  readonly children: readonly ChildConfig[];
  /** `vip`: ask the responder for a virtual IP (CP request, RFC 7296 §3.15). */
  readonly requestVip: boolean;
  /** `vip-pool`: name of the pool to assign virtual IPs from as responder. */
  readonly vipPool?: string;
}

/** `global-options` plus the engine's tunables. */
export interface GlobalOptions {
  /**
   * `dos-protection` (strongSwan's `dos_protection`): COOKIE challenges
   * (RFC 7296 §2.6) from the thresholds below on, and per-peer blocking.
   */
  readonly dosProtection: boolean;
  /** Half-open SAs from which every new IKE_SA_INIT gets a COOKIE challenge (0: always). */
  readonly cookieThreshold: number;
  /** Half-open SAs of one peer address from which its IKE_SA_INITs get a COOKIE challenge. */
  readonly cookieThresholdIp: number;
  /** Half-open SAs per peer address above which its new IKE_SA_INITs are dropped. */
  readonly blockThreshold: number;
  /** Half-open SAs beyond which every new IKE_SA_INIT is dropped (0: no limit; always applies). */
  readonly initLimitHalfOpen: number;
  /** Seconds a half-open SA may live. */
  readonly halfOpenTimeout: number;
  readonly retransmit: RetransmitConfig;
  /** Largest IKE datagram before IKE_AUTH and later messages are fragmented (RFC 7383). */
  readonly fragmentSize: number;
  /** Seconds between NAT-T keepalives while we are behind a NAT (RFC 3948 §2.3); 0 = none. */
  readonly natKeepalive: number;
}

/** Exponential backoff: timeout × base^n for n = 0..tries, then give up. */
export interface RetransmitConfig {
  /** First timeout in seconds. */
  readonly timeout: number;
  readonly base: number;
  /** Retransmissions after the first send. */
  readonly tries: number;
}

export const DEFAULT_GLOBAL_OPTIONS: GlobalOptions = {
  dosProtection: true,
  cookieThreshold: 30,
  cookieThresholdIp: 3,
  blockThreshold: 5,
  initLimitHalfOpen: 0,
  halfOpenTimeout: 30,
  retransmit: { timeout: 4, base: 1.8, tries: 5 },
  fragmentSize: 1280,
  natKeepalive: 20,
};

export const DEFAULT_IKE_POLICY: Omit<IkePolicy, "proposals"> = {
  rekeyTime: 4 * 3600,
  reauthTime: 0,
  keyingTries: 1,
  uniqueSa: "no",
  dpdDelay: 0,
};

export const DEFAULT_CHILD: Pick<ChildConfig, "rekeyTime" | "replayWindow" | "mode"> = {
  rekeyTime: 3600,
  replayWindow: 32,
  mode: "tunnel",
};

const PRF_OF_INTEG: Readonly<Record<IntegrityName, PrfName>> = {
  "hmac-sha1": "hmac-sha1",
  "hmac-sha256": "hmac-sha256",
  "hmac-sha384": "hmac-sha384",
  "hmac-sha512": "hmac-sha512",
  "aes-xcbc": "aes-xcbc",
  "aes-cmac": "aes-cmac",
};

/** Whether an encryption algorithm is an AEAD (GCM, ChaCha20-Poly1305). */
export function isAeadName(name: EncryptionName): boolean {
  return encryptionByName(name)?.aead === true;
}

/**
 * The PRFs of an IKE proposal: the configured ones, or (as strongSwan does)
 * one per integrity algorithm, or HMAC-SHA2-256 for an AEAD-only proposal.
 */
export function ikeProposalPrfs(p: IkeProposalConfig): PrfName[] {
  if (p.prf.length > 0) return [...p.prf];
  const out: PrfName[] = [];
  for (const i of p.integ) if (!out.includes(PRF_OF_INTEG[i])) out.push(PRF_OF_INTEG[i]);
  return out.length > 0 ? out : ["hmac-sha256"];
}

/** Checks a VPN for what the engine cannot run; returns messages in the project's voice. */
export function validateVpn(vpn: VpnConfig): string[] {
  const errs: string[] = [];
  const where = `vpn "${vpn.name}"`;
  if (vpn.ike.proposals.length === 0) errs.push(`Cannot use ${where}: no ike-proposal`);
  vpn.ike.proposals.forEach((p, i) => {
    if (p.enc.length === 0) errs.push(`Cannot use ${where}: ike-proposal ${i + 1} has no enc-alg`);
    if (p.dh.length === 0) errs.push(`Cannot use ${where}: ike-proposal ${i + 1} has no dh-group`);
    if (p.enc.includes("null")) {
      errs.push(`Cannot use ${where}: ike-proposal ${i + 1}: enc-alg null is ESP only`);
    }
    const aead = p.enc.filter(isAeadName).length;
    if (aead > 0 && aead < p.enc.length) {
      errs.push(`Cannot use ${where}: ike-proposal ${i + 1} mixes AEAD and non-AEAD enc-alg`);
    }
    if (aead === 0 && p.integ.length === 0) {
      errs.push(`Cannot use ${where}: ike-proposal ${i + 1} needs an auth-alg`);
    }
  });
  if (vpn.ike.keyingTries < 0) errs.push(`Cannot use ${where}: keying-tries is negative`);
  for (const c of vpn.children) {
    const cw = `${where} security-policy "${c.name}"`;
    if (c.proposals.length === 0) errs.push(`Cannot use ${cw}: no esp-proposal`);
    c.proposals.forEach((p, i) => {
      if (p.enc.length === 0) errs.push(`Cannot use ${cw}: esp-proposal ${i + 1} has no enc-alg`);
      if (p.esn.length === 0) {
        errs.push(`Cannot use ${cw}: esp-proposal ${i + 1} has no esn setting`);
      }
      const aead = p.enc.filter(isAeadName).length;
      if (aead > 0 && aead < p.enc.length) {
        errs.push(`Cannot use ${cw}: esp-proposal ${i + 1} mixes AEAD and non-AEAD enc-alg`);
      }
      if (aead === 0 && p.integ.length === 0 && !p.enc.every((e) => e === "null")) {
        errs.push(`Cannot use ${cw}: esp-proposal ${i + 1} needs an auth-alg`);
      }
    });
    if (c.localTs.length === 0 || c.remoteTs.length === 0) {
      errs.push(`Cannot use ${cw}: local-ts and remote-ts are both required`);
    }
    if (c.rekeyTime < 0) errs.push(`Cannot use ${cw}: rekey-time is negative`);
    if (c.lifeTime !== undefined && c.lifeTime <= c.rekeyTime) {
      errs.push(`Cannot use ${cw}: life time must exceed rekey-time`);
    }
  }
  return errs;
}
