/**
 * IKE_SA_INIT (RFC 7296 §1.2): SA, KE and nonce, the SKEYSEED / SK_*
 * derivation (§2.14), the COOKIE retry (§2.6) and the INVALID_KE_PAYLOAD
 * retry with the group the responder asked for (§1.3), and the
 * IKEV2_FRAGMENTATION_SUPPORTED announcement (RFC 7383 §2.3). NAT
 * detection is its own task (`ike_natd.ts`).
 *
 * @module
 */
import type { DhGroupName, DhPrivate } from "../../crypto/types.ts";
import { ExchangeType, NotifyType } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import { newIkeKeys } from "../keys.ts";
import { findErrorNotify, findNotify, findPayload, hasNotify } from "../message/find.ts";
import type { InMessage, OutMessage } from "../task.ts";
import type { NotifyPayload, Payload } from "../message/types.ts";
import {
  acceptAnswer,
  buildIkeProposals,
  chosenToWire,
  type Selection,
  selectProposal,
  wantedKeGroup,
} from "../proposal.ts";
import { newNonce, spiHex } from "../spi.ts";
import { dhGroup, ikeCrypto, ikeSuite } from "../suite.ts";
import { dhGroupName, dhId } from "../transforms.ts";
import { invalidKe, notify, proposalsOf, saPayload } from "../wire.ts";
import type { TaskStatus } from "../task.ts";
import { nonceOk, sharedSecret, u16Data } from "./common.ts";

/** Retries of the first message after COOKIE or INVALID_KE_PAYLOAD before giving up. */
const MAX_RETRIES = 3;

export class IkeInit implements IkeTask {
  readonly name = "ike-init" as const;
  #dh: DhPrivate | undefined;
  #group: DhGroupName | undefined;
  #nonce: Uint8Array | undefined;
  #cookie: Uint8Array | undefined;
  #retries = 0;
  #selection: Selection | undefined;
  #error: NotifyPayload | undefined;
  #peerFrag = false;

  constructor(private readonly ctx: SaContext, readonly initiator: boolean) {}

  exchange(): number {
    return ExchangeType.IKE_SA_INIT;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    return this.initiator ? this.#buildI(msg) : this.#buildR(msg);
  }

  process(msg: InMessage<Payload>): TaskStatus {
    return this.initiator ? this.#processI(msg) : this.#processR(msg);
  }

  abort(): void {
    this.#dh?.destroy();
    this.#dh = undefined;
  }

  #buildI(msg: OutMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    const vpn = sa.vpn!;
    this.#group ??= vpn.ike.proposals[0]!.dh[0]!;
    if (!this.#dh || this.#dh.group.name !== this.#group) {
      this.#dh?.destroy();
      this.#dh = dhGroup(this.#group).generate(ports.rng);
    }
    this.#nonce ??= newNonce(ports.rng);
    sa.nonceI = this.#nonce;
    if (this.#cookie) msg.payloads.push(notify(NotifyType.COOKIE, this.#cookie));
    msg.payloads.push(
      saPayload(buildIkeProposals(vpn.ike.proposals)),
      { kind: "ke", critical: false, group: dhId(this.#group), data: this.#dh.publicValue },
      { kind: "nonce", critical: false, data: this.#nonce },
      notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
    );
    return "more";
  }

  #retry(what: string): TaskStatus {
    if (++this.#retries > MAX_RETRIES) {
      this.ctx.ports.log.ike.warn(`giving up after ${MAX_RETRIES} ${what} retries`);
      return "failed";
    }
    this.ctx.sa.spiR = new Uint8Array(8);
    return "restart";
  }

  #processI(msg: InMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    const log = ports.log.ike;
    const vpn = sa.vpn!;
    const cookie = findNotify(msg, NotifyType.COOKIE);
    if (cookie) {
      log.control("received COOKIE, retrying IKE_SA_INIT");
      this.#cookie = cookie.data.slice();
      return this.#retry("COOKIE");
    }
    const ike = findNotify(msg, NotifyType.INVALID_KE_PAYLOAD);
    if (ike) {
      const want = dhGroupName(u16Data(ike.data) ?? -1);
      const allowed = want !== undefined && vpn.ike.proposals.some((p) => p.dh.includes(want));
      if (!want || !allowed || want === this.#group) {
        log.warn(`peer asks for DH group ${u16Data(ike.data)}, which we do not offer`);
        return "failed";
      }
      log.control(`peer prefers DH group ${want}, retrying IKE_SA_INIT`);
      this.#group = want;
      return this.#retry("INVALID_KE_PAYLOAD");
    }
    const err = findErrorNotify(msg);
    if (err) {
      log.warn(`IKE_SA_INIT refused with notify ${err.type}`);
      return "failed";
    }
    const saP = findPayload(msg, "sa");
    const ke = findPayload(msg, "ke");
    const nonce = findPayload(msg, "nonce");
    const sel = saP
      ? acceptAnswer(buildIkeProposals(vpn.ike.proposals), proposalsOf(saP))
      : undefined;
    if (!sel || !ke || !nonceOk(nonce) || dhId(sel.chosen.dh!) !== ke.group) {
      log.warn("IKE_SA_INIT response unacceptable (proposal, KE or nonce)");
      return "failed";
    }
    if (!this.#derive(sel, ke.data, this.#nonce!, nonce.data.slice())) return "failed";
    sa.peer.fragmentation = hasNotify(msg, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED);
    sa.peer.childless = hasNotify(msg, NotifyType.CHILDLESS_IKEV2_SUPPORTED);
    return "done";
  }

  /** Computes g^ir and the SK_* keys; false on an invalid public value. */
  #derive(sel: Selection, peerPublic: Uint8Array, ni: Uint8Array, nr: Uint8Array): boolean {
    const { sa, ports } = this.ctx;
    const gir = sharedSecret(this.#dh!, peerPublic);
    if (!gir) {
      ports.log.ike.warn("invalid KE payload");
      return false;
    }
    const suite = ikeSuite(sel.chosen);
    ports.log.ike.private(() => `g^ir ${spiHex(gir)}`);
    const keys = newIkeKeys(suite, { gir, ni, nr, spiI: sa.spiI, spiR: sa.spiR });
    gir.fill(0);
    sa.proposal = sel.chosen;
    sa.keys = keys;
    sa.crypto = ikeCrypto(suite, keys, sa.initiator);
    sa.nonceI = ni;
    sa.nonceR = nr;
    return true;
  }

  #processR(msg: InMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    const vpns = this.ctx.vpnsFor(sa.local, sa.remote);
    const saP = findPayload(msg, "sa");
    const ke = findPayload(msg, "ke");
    const nonce = findPayload(msg, "nonce");
    this.#peerFrag = hasNotify(msg, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED);
    if (!saP || !ke || !nonceOk(nonce)) {
      this.#error = notify(NotifyType.INVALID_SYNTAX);
      return "more";
    }
    const ours = buildIkeProposals(vpns.flatMap((v) => v.ike.proposals));
    const sel = selectProposal(ours, proposalsOf(saP), { keGroup: ke.group });
    if (!sel) {
      ports.log.ike.control("no acceptable IKE proposal");
      this.#error = notify(NotifyType.NO_PROPOSAL_CHOSEN);
      return "more";
    }
    const want = wantedKeGroup(sel.chosen, ke.group);
    if (want !== undefined) {
      ports.log.ike.control(`KE of group ${ke.group}, asking for ${want}`);
      this.#error = invalidKe(want);
      return "more";
    }
    this.#dh = dhGroup(sel.chosen.dh!).generate(ports.rng);
    this.#nonce = newNonce(ports.rng);
    const pub = this.#dh.publicValue;
    if (!this.#derive(sel, ke.data, nonce.data.slice(), this.#nonce)) {
      this.#error = notify(NotifyType.INVALID_SYNTAX);
      return "more";
    }
    this.#selection = sel;
    this.#group = sel.chosen.dh;
    this.#publicValue = pub;
    sa.peer.fragmentation = this.#peerFrag;
    return "more";
  }

  #publicValue: Uint8Array | undefined;

  #buildR(msg: OutMessage<Payload>): TaskStatus {
    if (this.#error) {
      msg.payloads.push(this.#error);
      return "failed";
    }
    const sel = this.#selection!;
    msg.payloads.push(
      saPayload([chosenToWire(sel.chosen, sel.number, new Uint8Array(0))]),
      { kind: "ke", critical: false, group: dhId(this.#group!), data: this.#publicValue! },
      { kind: "nonce", critical: false, data: this.#nonce! },
    );
    if (this.#peerFrag) msg.payloads.push(notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
    msg.payloads.push(notify(NotifyType.CHILDLESS_IKEV2_SUPPORTED));
    return "done";
  }
}
