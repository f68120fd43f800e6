/**
 * Creating a CHILD SA (RFC 7296 §1.3, §2.9, §2.17): inside IKE_AUTH (no
 * nonce or KE of its own; KEYMAT from the IKE SA's nonces) or with
 * CREATE_CHILD_SA (own nonces, optional KE for PFS, INVALID_KE_PAYLOAD
 * retry). The same task, given the SA being replaced, does the work of a
 * CHILD SA rekey (`child_rekey.ts` adds REKEY_SA and the collision rules).
 * Traffic selectors are narrowed by the responder; USE_TRANSPORT_MODE
 * selects transport mode when both sides want it; ESN is a transform.
 *
 * @module
 */
import type { DhGroupName, DhPrivate } from "../../crypto/types.ts";
import type { ChildSa } from "../child_sa.ts";
import type { ChildConfig } from "../config.ts";
import { ExchangeType, NotifyType } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import { deriveChildKeys } from "../keys.ts";
import { findErrorNotify, findPayload, hasNotify } from "../message/find.ts";
import type { NotifyPayload, Payload } from "../message/types.ts";
import {
  acceptAnswer,
  buildEspProposals,
  chosenToWire,
  type Selection,
  selectProposal,
  wantedKeGroup,
} from "../proposal.ts";
import { espSpiBytes, espSpiFromBytes, newNonce } from "../spi.ts";
import { childSuite, dhGroup } from "../suite.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { dhGroupName, dhId } from "../transforms.ts";
import { pickChildByTs, type TrafficSelector, tsSubset } from "../ts.ts";
import { invalidKe, notify, proposalsOf, saPayload, selectorsOf, tsPayload } from "../wire.ts";
import { nonceOk, sharedSecret, u16Data } from "./common.ts";
import { initiatorSelectors, responderSelectors } from "./child_ts.ts";

export interface ChildCreateOptions {
  /** The CHILD configuration to negotiate (initiator). */
  readonly config?: ChildConfig;
  /** Part of IKE_AUTH rather than its own CREATE_CHILD_SA exchange. */
  readonly inAuth: boolean;
  /** The CHILD SA this one replaces (a rekey). */
  readonly rekey?: ChildSa;
}

const MAX_KE_RETRIES = 3;

export class ChildCreate implements IkeTask {
  readonly name = "child-create" as const;
  /** The new CHILD SA once negotiated (installed when `installed`). */
  child: ChildSa | undefined;
  installed = false;
  /** The error notification that ended the exchange, if any. */
  failedNotify: number | undefined;
  /** Nonces of this exchange (initiator's, responder's). */
  ni: Uint8Array | undefined;
  nr: Uint8Array | undefined;

  #proposals = [] as ReturnType<typeof buildEspProposals>;
  #tsi: TrafficSelector[] = [];
  #tsr: TrafficSelector[] = [];
  #dh: DhPrivate | undefined;
  #group: DhGroupName | undefined;
  #retries = 0;
  #spiIn = 0;
  #sel: Selection | undefined;
  #error: NotifyPayload | undefined;
  #transport = false;

  constructor(
    private readonly ctx: SaContext,
    readonly initiator: boolean,
    private readonly opts: ChildCreateOptions,
  ) {}

  /** The CHILD configuration a fresh (not rekeying) initiator task negotiates. */
  get creates(): string | undefined {
    return this.opts.rekey ? undefined : this.opts.config?.name;
  }

  exchange(): number {
    return this.opts.inAuth ? ExchangeType.IKE_AUTH : ExchangeType.CREATE_CHILD_SA;
  }

  abort(): void {
    this.#dh?.destroy();
    if (this.child && !this.installed) this.child.wipe();
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    if (msg.exchange === ExchangeType.IKE_SA_INIT) return "more";
    return this.initiator ? this.#buildI(msg) : this.#buildR(msg);
  }

  process(msg: InMessage<Payload>): TaskStatus {
    if (msg.exchange === ExchangeType.IKE_SA_INIT) return "more";
    return this.initiator ? this.#processI(msg) : this.#processR(msg);
  }

  get #config(): ChildConfig {
    return this.opts.rekey?.config ?? this.opts.config ?? this.#picked!;
  }

  #buildI(msg: OutMessage<Payload>): TaskStatus {
    const { ctx } = this;
    const { sa, ports } = ctx;
    const cfg = this.#config;
    this.#spiIn ||= ctx.allocateChildSpi();
    const pfs = !this.opts.inAuth && cfg.proposals.some((p) => p.dh.length > 0);
    this.#proposals = buildEspProposals(cfg.proposals, espSpiBytes(this.#spiIn), pfs);
    const rekey = this.opts.rekey;
    const sel = rekey ? { tsi: rekey.localTs, tsr: rekey.remoteTs } : initiatorSelectors(sa, cfg);
    this.#tsi = [...sel.tsi];
    this.#tsr = [...sel.tsr];
    if (cfg.mode === "transport") msg.payloads.push(notify(NotifyType.USE_TRANSPORT_MODE));
    msg.payloads.push(saPayload(this.#proposals));
    if (!this.opts.inAuth) {
      this.ni = newNonce(ports.rng);
      msg.payloads.push({ kind: "nonce", critical: false, data: this.ni });
      if (pfs) {
        this.#group ??= cfg.proposals.find((p) => p.dh.length > 0)!.dh[0]!;
        this.#dh?.destroy();
        this.#dh = dhGroup(this.#group).generate(ports.rng);
        msg.payloads.push({
          kind: "ke",
          critical: false,
          group: dhId(this.#group),
          data: this.#dh.publicValue,
        });
      }
    }
    msg.payloads.push(tsPayload("tsi", this.#tsi), tsPayload("tsr", this.#tsr));
    return "more";
  }

  #processI(msg: InMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    const log = ports.log.chd;
    const cfg = this.#config;
    if (sa.state !== "established" && sa.state !== "rekeying") return "done";
    const err = findErrorNotify(msg);
    if (err?.type === NotifyType.INVALID_KE_PAYLOAD && !this.opts.inAuth) {
      const want = dhGroupName(u16Data(err.data) ?? -1);
      if (
        want && want !== this.#group && cfg.proposals.some((p) => p.dh.includes(want)) &&
        ++this.#retries <= MAX_KE_RETRIES
      ) {
        log.control(`peer wants DH group ${want} for the CHILD SA, retrying`);
        this.#group = want;
        return "more";
      }
    }
    const saP = findPayload(msg, "sa");
    if (err || !saP) {
      this.failedNotify = err?.type;
      if (err) log.warn(`CHILD SA ${cfg.name} refused by peer (notify ${err.type})`);
      else log.control(`no CHILD SA ${cfg.name} in the answer`);
      return "done";
    }
    const pfs = this.#dh !== undefined;
    const sel = acceptAnswer(this.#proposals, proposalsOf(saP), { ignoreDh: !pfs });
    const tsi = selectorsOf(
      findPayload(msg, "tsi") ?? { kind: "tsi", critical: false, selectors: [] },
    );
    const tsr = selectorsOf(
      findPayload(msg, "tsr") ?? { kind: "tsr", critical: false, selectors: [] },
    );
    const spiOut = sel && espSpiFromBytes(sel.spi);
    if (!sel || !spiOut || !tsSubset(tsi, this.#tsi) || !tsSubset(tsr, this.#tsr)) {
      log.warn(`CHILD SA ${cfg.name}: answer is not a subset of our proposal`);
      this.failedNotify = NotifyType.NO_PROPOSAL_CHOSEN;
      return "done";
    }
    let ni = sa.nonceI!;
    let nr = sa.nonceR!;
    let gir: Uint8Array | undefined;
    if (!this.opts.inAuth) {
      const nonce = findPayload(msg, "nonce");
      if (!nonceOk(nonce)) return this.#fail("answer without a valid nonce");
      ni = this.ni!;
      nr = nonce.data.slice();
      this.nr = nr;
      if (pfs) {
        const ke = findPayload(msg, "ke");
        if (!ke || !sel.chosen.dh || ke.group !== dhId(sel.chosen.dh)) {
          return this.#fail("answer without matching KE");
        }
        gir = sharedSecret(this.#dh!, ke.data);
        if (!gir) return this.#fail("invalid KE");
      }
    }
    const transport = hasNotify(msg, NotifyType.USE_TRANSPORT_MODE) && cfg.mode === "transport";
    if (cfg.mode === "transport" && !transport) {
      log.warn(`CHILD SA ${cfg.name}: peer refused transport mode, using tunnel`);
    }
    this.#finish(sel, this.#spiIn, spiOut, tsi, tsr, transport, ni, nr, gir);
    return "done";
  }

  #fail(why: string): TaskStatus {
    this.ctx.ports.log.chd.warn(`CHILD SA ${this.#config.name}: ${why}`);
    this.failedNotify = NotifyType.INVALID_SYNTAX;
    return "done";
  }

  /** Builds the CHILD SA from the agreed parameters and installs it. */
  #finish(
    sel: Selection,
    spiIn: number,
    spiOut: number,
    tsi: TrafficSelector[],
    tsr: TrafficSelector[],
    transport: boolean,
    ni: Uint8Array,
    nr: Uint8Array,
    gir: Uint8Array | undefined,
  ): boolean {
    const { sa } = this.ctx;
    const child = this.ctx.newChild(this.#config, spiIn);
    const suite = childSuite(sel.chosen);
    const km = deriveChildKeys(
      sa.crypto!.suite.prf,
      sa.keys!.skD,
      suite.enc,
      suite.integ,
      ni,
      nr,
      gir,
    );
    gir?.fill(0);
    const mine = this.initiator;
    child.keys = {
      encOut: mine ? km.encI : km.encR,
      integOut: mine ? km.integI : km.integR,
      encIn: mine ? km.encR : km.encI,
      integIn: mine ? km.integR : km.integI,
    };
    child.spiOut = spiOut;
    child.proposal = sel.chosen;
    child.mode = transport ? "transport" : "tunnel";
    child.localTs = mine ? tsi : tsr;
    child.remoteTs = mine ? tsr : tsi;
    child.nonceI = ni.slice();
    child.nonceR = nr.slice();
    child.createdByUs = mine;
    this.child = child;
    this.installed = this.ctx.installChild(child, this.opts.rekey);
    return this.installed;
  }

  #processR(msg: InMessage<Payload>): TaskStatus {
    const { ctx } = this;
    const { sa, ports } = ctx;
    const log = ports.log.chd;
    if (sa.state !== "established" && sa.state !== "rekeying") return "more";
    const saP = findPayload(msg, "sa");
    if (!saP) return "more";
    const tsiP = findPayload(msg, "tsi");
    const tsrP = findPayload(msg, "tsr");
    if (!tsiP || !tsrP) {
      this.#error = notify(NotifyType.INVALID_SYNTAX);
      return "more";
    }
    const tsi = selectorsOf(tsiP);
    const tsr = selectorsOf(tsrP);
    const configs = this.opts.rekey ? [this.opts.rekey.config] : sa.vpn!.children;
    const wantsTransport = hasNotify(msg, NotifyType.USE_TRANSPORT_MODE);
    const picked = pickChildByTs(
      configs.map((c) => ({ config: c, ...responderSelectors(sa, c, tsi, wantsTransport) })),
      tsi,
      tsr,
    );
    if (!picked) {
      log.control("traffic selectors unacceptable");
      this.#error = notify(NotifyType.TS_UNACCEPTABLE);
      return "more";
    }
    const cfg = picked.config;
    const ke = findPayload(msg, "ke");
    const pfs = !this.opts.inAuth && ke !== undefined;
    const ours = buildEspProposals(cfg.proposals, new Uint8Array(4), pfs);
    const sel = selectProposal(ours, proposalsOf(saP), {
      ignoreDh: this.opts.inAuth,
      ...(ke ? { keGroup: ke.group } : {}),
    });
    const spiOut = sel && espSpiFromBytes(sel.spi);
    if (!sel || !spiOut) {
      log.control(`no acceptable ESP proposal for ${cfg.name}`);
      this.#error = notify(NotifyType.NO_PROPOSAL_CHOSEN);
      return "more";
    }
    let ni = sa.nonceI!;
    let nr = sa.nonceR!;
    let gir: Uint8Array | undefined;
    if (!this.opts.inAuth) {
      const nonce = findPayload(msg, "nonce");
      if (!nonceOk(nonce)) {
        this.#error = notify(NotifyType.INVALID_SYNTAX);
        return "more";
      }
      ni = nonce.data.slice();
      nr = newNonce(ports.rng);
      this.ni = ni;
      this.nr = nr;
      if (sel.chosen.dh) {
        const want = ke ? wantedKeGroup(sel.chosen, ke.group) : dhId(sel.chosen.dh);
        if (want !== undefined || !ke) {
          this.#error = invalidKe(want ?? dhId(sel.chosen.dh));
          return "more";
        }
        this.#group = sel.chosen.dh;
        this.#dh = dhGroup(sel.chosen.dh).generate(ports.rng);
        this.#publicValue = this.#dh.publicValue;
        gir = sharedSecret(this.#dh!, ke.data);
        if (!gir) {
          this.#error = notify(NotifyType.INVALID_SYNTAX);
          return "more";
        }
      }
    }
    this.#transport = wantsTransport && cfg.mode === "transport";
    this.#spiIn = ctx.allocateChildSpi();
    this.#sel = sel;
    this.#tsi = picked.result.tsi;
    this.#tsr = picked.result.tsr;
    this.#picked = cfg;
    if (
      !this.#finish(sel, this.#spiIn, spiOut, this.#tsi, this.#tsr, this.#transport, ni, nr, gir)
    ) {
      this.#error = notify(NotifyType.NO_PROPOSAL_CHOSEN);
    }
    return "more";
  }

  #publicValue: Uint8Array | undefined;
  /** The configuration the responder picked by traffic selectors. */
  #picked: ChildConfig | undefined;

  #buildR(msg: OutMessage<Payload>): TaskStatus {
    if (this.#error) {
      msg.payloads.push(this.#error);
      this.failedNotify = this.#error.type;
      return "done";
    }
    if (!this.#sel || !this.child) return "done";
    if (this.#transport) msg.payloads.push(notify(NotifyType.USE_TRANSPORT_MODE));
    msg.payloads.push(
      saPayload([chosenToWire(this.#sel.chosen, this.#sel.number, espSpiBytes(this.#spiIn))]),
    );
    if (!this.opts.inAuth) {
      msg.payloads.push({ kind: "nonce", critical: false, data: this.nr! });
      if (this.#publicValue) {
        msg.payloads.push({
          kind: "ke",
          critical: false,
          group: dhId(this.#group!),
          data: this.#publicValue,
        });
      }
    }
    msg.payloads.push(tsPayload("tsi", this.#tsi), tsPayload("tsr", this.#tsr));
    return "done";
  }
}
