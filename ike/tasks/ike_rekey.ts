/**
 * IKE SA rekeying (RFC 7296 §1.3.2, §2.18): a CREATE_CHILD_SA with an IKE
 * proposal carrying the new SPI, a nonce and a KE. The new SA's keys come
 * from SK_d of the old one; its message IDs start at 0; the CHILD SAs move
 * to it; the rekey initiator then deletes the old SA. Simultaneous IKE
 * rekeys (§2.8.2) resolve like CHILD ones: the new SA made with the lowest
 * nonce is redundant and deleted by its initiator, and the surviving
 * exchange's initiator deletes the old SA. While other CHILD exchanges of
 * ours are in flight a rekey request gets TEMPORARY_FAILURE.
 *
 * @module
 */
import type { DhGroupName, DhPrivate } from "../../crypto/types.ts";
import { ExchangeType, NotifyType } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import type { IkeSa } from "../ike_sa.ts";
import { rekeyedIkeKeys } from "../keys.ts";
import { findErrorNotify, findPayload } from "../message/find.ts";
import type { NotifyPayload, Payload } from "../message/types.ts";
import {
  acceptAnswer,
  buildIkeProposals,
  chosenToWire,
  type Selection,
  selectProposal,
  wantedKeGroup,
} from "../proposal.ts";
import { newNonce } from "../spi.ts";
import { dhGroup, ikeCrypto, ikeSuite } from "../suite.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { dhGroupName, dhId } from "../transforms.ts";
import { invalidKe, notify, proposalsOf, saPayload } from "../wire.ts";
import { nonceOk, oursIsRedundant, sharedSecret, u16Data } from "./common.ts";
import { IkeDelete } from "./ike_delete.ts";

/** The peer's new IKE SA, created while our own rekey was in flight. */
export interface IkeRekeyCollision {
  readonly next: IkeSa;
  readonly ctx: SaContext;
  readonly ni: Uint8Array;
  readonly nr: Uint8Array;
}

/** Keys the successor SA from the old SA's SK_d (§2.18) and the new exchange. */
function keySuccessor(
  old: IkeSa,
  next: IkeSa,
  sel: Selection,
  gir: Uint8Array,
  ni: Uint8Array,
  nr: Uint8Array,
): void {
  const suite = ikeSuite(sel.chosen);
  const keys = rekeyedIkeKeys(suite, old.crypto!.suite.prf, old.keys!.skD, {
    gir,
    ni,
    nr,
    spiI: next.spiI,
    spiR: next.spiR,
  });
  gir.fill(0);
  next.proposal = sel.chosen;
  next.keys = keys;
  next.crypto = ikeCrypto(suite, keys, next.initiator);
  next.nonceI = ni;
  next.nonceR = nr;
}

const isChildTask = (n: string) =>
  n === "child-create" || n === "child-rekey" || n === "child-delete";

export class IkeRekey implements IkeTask {
  readonly name = "ike-rekey" as const;
  readonly initiator = true;
  collision: IkeRekeyCollision | undefined;
  #spi: Uint8Array | undefined;
  #nonce: Uint8Array | undefined;
  #dh: DhPrivate | undefined;
  #group: DhGroupName | undefined;
  #retries = 0;
  #started = false;

  constructor(private readonly ctx: SaContext) {}

  exchange(): number {
    return ExchangeType.CREATE_CHILD_SA;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    if (!this.#started) {
      if (sa.state !== "established") return "done";
      sa.machine.set("rekeying");
      this.#started = true;
    }
    this.#spi ??= this.ctx.allocateIkeSpi();
    this.#nonce = newNonce(ports.rng);
    this.#group ??= sa.proposal!.dh!;
    this.#dh?.destroy();
    this.#dh = dhGroup(this.#group).generate(ports.rng);
    msg.payloads.push(
      saPayload(buildIkeProposals(sa.vpn!.ike.proposals, this.#spi)),
      { kind: "nonce", critical: false, data: this.#nonce },
      { kind: "ke", critical: false, group: dhId(this.#group), data: this.#dh.publicValue },
    );
    return "more";
  }

  #giveUp(why: string): TaskStatus {
    const { sa, ports } = this.ctx;
    ports.log.ike.warn(`IKE SA rekey failed: ${why}`);
    if (sa.state === "rekeying") sa.machine.set("established");
    this.ctx.retryLater("ike-rekey");
    return "done";
  }

  process(msg: InMessage<Payload>): TaskStatus {
    const { ctx } = this;
    const { sa } = ctx;
    const err = findErrorNotify(msg);
    if (err?.type === NotifyType.INVALID_KE_PAYLOAD) {
      const want = dhGroupName(u16Data(err.data) ?? -1);
      if (
        want && want !== this.#group && sa.vpn!.ike.proposals.some((p) => p.dh.includes(want)) &&
        ++this.#retries <= 3
      ) {
        this.#group = want;
        return "more";
      }
    }
    if (err) return this.#giveUp(`notify ${err.type}`);
    const saP = findPayload(msg, "sa");
    const ke = findPayload(msg, "ke");
    const nonce = findPayload(msg, "nonce");
    const sel = saP &&
      acceptAnswer(buildIkeProposals(sa.vpn!.ike.proposals, this.#spi), proposalsOf(saP));
    if (
      !sel || sel.spi.length !== 8 || !ke || !nonceOk(nonce) || ke.group !== dhId(sel.chosen.dh!)
    ) {
      return this.#giveUp("unacceptable answer");
    }
    const gir = sharedSecret(this.#dh!, ke.data);
    if (!gir) return this.#giveUp("invalid KE");
    const ni = this.#nonce!;
    const nr = nonce.data.slice();
    const next = ctx.successorSa(true, this.#spi!, sel.spi.slice());
    keySuccessor(sa, next, sel, gir, ni, nr);
    const nextCtx = ctx.adoptRekeyed(next);
    const c = this.collision;
    if (c && c.next.state !== "destroyed") {
      const redundant = oursIsRedundant([ni, nr], [c.ni, c.nr]);
      ctx.ports.log.ike.control(`IKE SA rekey collision: ${redundant ? "we" : "peer"} lost`);
      if (redundant) {
        this.#handOver(c.next);
        nextCtx.tasks.queue(new IkeDelete(nextCtx));
        return "done";
      }
    }
    this.#handOver(next);
    ctx.tasks.queue(new IkeDelete(ctx));
    return "done";
  }

  #handOver(to: IkeSa): void {
    const { sa } = this.ctx;
    this.ctx.moveChildren(to);
    if (sa.state === "rekeying" || sa.state === "established") sa.machine.set("rekeyed");
    sa.successor = to;
  }

  abort(): void {
    this.#dh?.destroy();
    const { sa } = this.ctx;
    if (sa.state === "rekeying") sa.machine.set("established");
  }
}

export class IkeRekeyResponder implements IkeTask {
  readonly name = "ike-rekey" as const;
  readonly initiator = false;
  #error: NotifyPayload | undefined;
  #sel: Selection | undefined;
  #spi: Uint8Array | undefined;
  #nonce: Uint8Array | undefined;
  #public: Uint8Array | undefined;

  constructor(private readonly ctx: SaContext) {}

  exchange(): number {
    return ExchangeType.CREATE_CHILD_SA;
  }

  process(msg: InMessage<Payload>): TaskStatus {
    const { ctx } = this;
    const { sa, ports } = ctx;
    const active = ctx.tasks.activeTasks();
    const ours = active.find((t): t is IkeRekey => t instanceof IkeRekey);
    const busy = active.some((t) => isChildTask(t.name));
    if (busy || (sa.state !== "established" && !(sa.state === "rekeying" && ours))) {
      this.#error = notify(NotifyType.TEMPORARY_FAILURE);
      return "more";
    }
    const saP = findPayload(msg, "sa");
    const ke = findPayload(msg, "ke");
    const nonce = findPayload(msg, "nonce");
    if (!saP || !ke || !nonceOk(nonce)) {
      this.#error = notify(NotifyType.INVALID_SYNTAX);
      return "more";
    }
    const sel = selectProposal(buildIkeProposals(sa.vpn!.ike.proposals), proposalsOf(saP), {
      keGroup: ke.group,
    });
    if (!sel || sel.spi.length !== 8) {
      this.#error = notify(NotifyType.NO_PROPOSAL_CHOSEN);
      return "more";
    }
    const want = wantedKeGroup(sel.chosen, ke.group);
    if (want !== undefined) {
      this.#error = invalidKe(want);
      return "more";
    }
    const dh = dhGroup(sel.chosen.dh!).generate(ports.rng);
    this.#public = dh.publicValue;
    const gir = sharedSecret(dh, ke.data);
    if (!gir) {
      this.#error = notify(NotifyType.INVALID_SYNTAX);
      return "more";
    }
    this.#spi = ctx.allocateIkeSpi();
    this.#nonce = newNonce(ports.rng);
    this.#sel = sel;
    const ni = nonce.data.slice();
    const next = ctx.successorSa(false, sel.spi.slice(), this.#spi);
    keySuccessor(sa, next, sel, gir, ni, this.#nonce);
    const nextCtx = ctx.adoptRekeyed(next);
    if (ours) {
      ours.collision = { next, ctx: nextCtx, ni, nr: this.#nonce };
    } else {
      ctx.moveChildren(next);
      sa.machine.set("rekeyed");
      sa.successor = next;
    }
    ports.log.ike.control(`IKE SA rekeyed by peer`);
    return "more";
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    if (this.#error) {
      msg.payloads.push(this.#error);
      return "done";
    }
    const sel = this.#sel!;
    msg.payloads.push(
      saPayload([chosenToWire(sel.chosen, sel.number, this.#spi!)]),
      { kind: "nonce", critical: false, data: this.#nonce! },
      { kind: "ke", critical: false, group: dhId(sel.chosen.dh!), data: this.#public! },
    );
    return "done";
  }
}
