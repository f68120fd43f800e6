/**
 * SA payload proposals (RFC 7296 §3.3): built from configuration, and
 * selected as responder in *our* preference order (strongSwan's
 * `prefer_configured_proposals`): for each configured proposal, the first
 * peer proposal that shares one transform of every type wins, and inside a
 * type our order decides. §3.3.6: a responder that finds nothing answers
 * NO_PROPOSAL_CHOSEN; §1.3 / §2.7: a KE payload of a group other than the
 * selected one is answered with INVALID_KE_PAYLOAD naming the group we want.
 *
 * @module
 */
import type { DhGroupName, EncryptionName, IntegrityName, PrfName } from "../crypto/types.ts";
import {
  type EspProposalConfig,
  type IkeProposalConfig,
  ikeProposalPrfs,
  isAeadName,
} from "./config.ts";
import { ProtocolId, TransformType } from "./constants.ts";
import {
  dhGroupName,
  dhId,
  encryptionId,
  encryptionName,
  integrityId,
  integrityName,
  prfId,
  prfName,
} from "./transforms.ts";

/** Transform ID 0: "NONE" for integrity and key exchange (RFC 7296 §3.3.2). */
const NONE = 0;

/** One transform as it travels (key length only for ciphers that take the attribute). */
export interface WireTransform {
  readonly type: number;
  readonly id: number;
  readonly keyLength?: number;
}

/** One proposal substructure. */
export interface WireProposal {
  readonly number: number;
  readonly protocol: number;
  readonly spi: Uint8Array;
  readonly transforms: readonly WireTransform[];
}

/** The algorithms agreed on, by name. */
export interface ChosenAlgorithms {
  readonly protocol: "ike" | "esp";
  readonly enc: EncryptionName;
  readonly integ?: IntegrityName;
  readonly prf?: PrfName;
  readonly dh?: DhGroupName;
  readonly esn?: boolean;
}

/** A selected proposal: the peer's proposal number and SPI, and what we picked. */
export interface Selection {
  readonly number: number;
  readonly spi: Uint8Array;
  readonly chosen: ChosenAlgorithms;
}

function encTransform(name: EncryptionName): WireTransform {
  const e = encryptionId(name);
  return e.keyBits !== undefined
    ? { type: TransformType.ENCR, id: e.id, keyLength: e.keyBits }
    : { type: TransformType.ENCR, id: e.id };
}

/** IKE proposals numbered 1.. from configuration (`spi` empty in IKE_SA_INIT, 8 bytes for a rekey). */
export function buildIkeProposals(
  configs: readonly IkeProposalConfig[],
  spi: Uint8Array = new Uint8Array(0),
): WireProposal[] {
  return configs.map((c, i) => {
    const t: WireTransform[] = c.enc.map(encTransform);
    for (const p of ikeProposalPrfs(c)) t.push({ type: TransformType.PRF, id: prfId(p) });
    if (!c.enc.every(isAeadName)) {
      for (const a of c.integ) t.push({ type: TransformType.INTEG, id: integrityId(a) });
    }
    for (const g of c.dh) t.push({ type: TransformType.KE, id: dhId(g) });
    return { number: i + 1, protocol: ProtocolId.IKE, spi, transforms: t };
  });
}

/**
 * ESP proposals from configuration. `pfs` includes the DH groups (a
 * CREATE_CHILD_SA with KE); in IKE_AUTH there is no KE, so none are sent.
 */
export function buildEspProposals(
  configs: readonly EspProposalConfig[],
  spi: Uint8Array,
  pfs: boolean,
): WireProposal[] {
  return configs.map((c, i) => {
    const t: WireTransform[] = c.enc.map(encTransform);
    if (!c.enc.every(isAeadName)) {
      for (const a of c.integ) t.push({ type: TransformType.INTEG, id: integrityId(a) });
    }
    if (pfs) { for (const g of c.dh) t.push({ type: TransformType.KE, id: dhId(g) }); }
    for (const e of c.esn) t.push({ type: TransformType.ESN, id: e ? 1 : 0 });
    return { number: i + 1, protocol: ProtocolId.ESP, spi, transforms: t };
  });
}

/** The single-proposal answer carrying `sel` with our `spi`. */
export function chosenToWire(sel: ChosenAlgorithms, number: number, spi: Uint8Array): WireProposal {
  const t: WireTransform[] = [encTransform(sel.enc)];
  if (sel.prf) t.push({ type: TransformType.PRF, id: prfId(sel.prf) });
  if (sel.integ) t.push({ type: TransformType.INTEG, id: integrityId(sel.integ) });
  if (sel.dh) t.push({ type: TransformType.KE, id: dhId(sel.dh) });
  if (sel.esn !== undefined) t.push({ type: TransformType.ESN, id: sel.esn ? 1 : 0 });
  return {
    number,
    protocol: sel.protocol === "ike" ? ProtocolId.IKE : ProtocolId.ESP,
    spi,
    transforms: t,
  };
}

const sameTransform = (a: WireTransform, b: WireTransform) =>
  a.type === b.type && a.id === b.id && a.keyLength === b.keyLength;

export interface SelectOptions {
  /** The group of the peer's KE payload: preferred when both sides allow it. */
  readonly keGroup?: number;
  /** Ignore DH transforms (IKE_AUTH's first CHILD SA has no KE, RFC 7296 §1.2). */
  readonly ignoreDh?: boolean;
}

/** Picks transforms of one proposal pair, or undefined when they do not match. */
function matchPair(
  ours: WireProposal,
  theirs: WireProposal,
  opts: SelectOptions,
): ChosenAlgorithms | undefined {
  if (ours.protocol !== theirs.protocol) return undefined;
  const ike = ours.protocol === ProtocolId.IKE;
  const pick = (type: number, prefer?: number): WireTransform | undefined => {
    const cands = ours.transforms.filter((o) =>
      o.type === type && theirs.transforms.some((t) => sameTransform(o, t))
    );
    return cands.find((c) => c.id === prefer) ?? cands[0];
  };
  const has = (p: WireProposal, type: number) => p.transforms.some((t) => t.type === type);
  // A type the peer lists that we cannot satisfy fails the pair (RFC 7296 §3.3.6).
  const enc = pick(TransformType.ENCR);
  if (!enc) return undefined;
  const encName = encryptionName(enc.id, enc.keyLength);
  if (!encName) return undefined;
  const aead = isAeadName(encName);
  let integ: IntegrityName | undefined;
  if (aead) {
    if (theirs.transforms.some((t) => t.type === TransformType.INTEG && t.id !== NONE)) {
      return undefined;
    }
  } else if (encName !== "null" || has(theirs, TransformType.INTEG)) {
    const i = pick(TransformType.INTEG);
    if (!i) return undefined;
    integ = integrityName(i.id);
  }
  let prf: PrfName | undefined;
  if (ike) {
    const p = pick(TransformType.PRF);
    if (!p) return undefined;
    prf = prfName(p.id);
  }
  let dh: DhGroupName | undefined;
  if (!opts.ignoreDh) {
    if (has(ours, TransformType.KE)) {
      const g = pick(TransformType.KE, opts.keGroup);
      if (!g) return undefined;
      dh = dhGroupName(g.id);
    } else if (theirs.transforms.some((t) => t.type === TransformType.KE && t.id !== NONE)) {
      // The peer insists on PFS but we have none configured.
      if (!theirs.transforms.some((t) => t.type === TransformType.KE && t.id === NONE)) {
        return undefined;
      }
    }
    if (ike && dh === undefined) return undefined;
  }
  let esn: boolean | undefined;
  if (!ike) {
    if (has(theirs, TransformType.ESN)) {
      const e = pick(TransformType.ESN);
      if (!e) return undefined;
      esn = e.id === 1;
    } else {
      if (!ours.transforms.some((t) => t.type === TransformType.ESN && t.id === 0)) {
        return undefined;
      }
      esn = false;
    }
  }
  return {
    protocol: ike ? "ike" : "esp",
    enc: encName,
    ...(integ ? { integ } : {}),
    ...(prf ? { prf } : {}),
    ...(dh ? { dh } : {}),
    ...(esn !== undefined ? { esn } : {}),
  };
}

/**
 * Responder selection: our proposals in order, then theirs in order. Returns
 * undefined for NO_PROPOSAL_CHOSEN.
 */
export function selectProposal(
  ours: readonly WireProposal[],
  theirs: readonly WireProposal[],
  opts: SelectOptions = {},
): Selection | undefined {
  for (const o of ours) {
    for (const t of theirs) {
      const chosen = matchPair(o, t, opts);
      if (chosen) return { number: t.number, spi: t.spi, chosen };
    }
  }
  return undefined;
}

/**
 * Initiator check of the responder's answer (RFC 7296 §2.7): exactly one
 * proposal, one transform of each type, all of them from the proposal of
 * ours that it names. Returns undefined when the answer is unacceptable.
 */
export function acceptAnswer(
  ours: readonly WireProposal[],
  answer: readonly WireProposal[],
  opts: SelectOptions = {},
): Selection | undefined {
  if (answer.length !== 1) return undefined;
  const a = answer[0]!;
  const types = a.transforms.map((t) => t.type);
  if (new Set(types).size !== types.length) return undefined;
  const mine = ours.find((o) => o.number === a.number);
  if (!mine) return undefined;
  for (const t of a.transforms) {
    if (t.type === TransformType.KE && opts.ignoreDh) continue;
    if (!mine.transforms.some((m) => sameTransform(m, t))) return undefined;
  }
  const chosen = matchPair(mine, a, opts);
  return chosen ? { number: a.number, spi: a.spi, chosen } : undefined;
}

/**
 * The INVALID_KE_PAYLOAD check: undefined when the KE group equals the
 * selected one, otherwise the group number to ask for.
 */
export function wantedKeGroup(sel: ChosenAlgorithms, keGroup: number): number | undefined {
  if (!sel.dh) return undefined;
  const want = dhId(sel.dh);
  return want === keGroup ? undefined : want;
}

/** `AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024`-like display, in our CLI names. */
export function formatChosen(c: ChosenAlgorithms): string {
  const parts: string[] = [c.enc];
  if (c.integ) parts.push(c.integ);
  if (c.prf) parts.push(`prf-${c.prf}`);
  if (c.dh) parts.push(c.dh);
  if (c.esn) parts.push("esn");
  return parts.join("/");
}
