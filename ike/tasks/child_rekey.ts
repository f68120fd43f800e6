/**
 * CHILD SA rekeying (RFC 7296 §1.3.3, §2.8): a CREATE_CHILD_SA with
 * REKEY_SA naming the old SA; the new SA takes over outbound traffic, and
 * the rekey initiator deletes the old one. Simultaneous rekeys of the same
 * SA (§2.8.1): both new SAs are created; the one whose exchange used the
 * lowest of the four nonces is redundant and deleted by its initiator, and
 * the other exchange's initiator deletes the old SA. A rekey request for an
 * SA we are closing or already replaced gets TEMPORARY_FAILURE, for an
 * unknown SA CHILD_SA_NOT_FOUND (§2.25), and for any CHILD SA while we
 * rekey the IKE SA, TEMPORARY_FAILURE (§2.25.2).
 *
 * @module
 */
import type { ChildSa } from "../child_sa.ts";
import { ExchangeType, NotifyType, ProtocolId } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import { findNotify } from "../message/find.ts";
import type { NotifyPayload, Payload } from "../message/types.ts";
import { espSpiBytes, espSpiFromBytes } from "../spi.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { notify } from "../wire.ts";
import { ChildCreate } from "./child_create.ts";
import { ChildDelete } from "./child_delete.ts";
import { oursIsRedundant } from "./common.ts";

/** What the responder side learned when the peer rekeyed the same SA at the same time. */
export interface RekeyCollision {
  readonly ni: Uint8Array;
  readonly nr: Uint8Array;
  readonly child: ChildSa;
}

export class ChildRekey implements IkeTask {
  readonly name = "child-rekey" as const;
  readonly initiator = true;
  collision: RekeyCollision | undefined;
  #create: ChildCreate;
  #started = false;

  constructor(private readonly ctx: SaContext, readonly old: ChildSa) {
    this.#create = new ChildCreate(ctx, true, { inAuth: false, rekey: old });
  }

  exchange(): number {
    return ExchangeType.CREATE_CHILD_SA;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    if (!this.#started) {
      if (this.old.state !== "installed") return "done";
      if (sa.state !== "established") {
        this.ctx.retryLater("child-rekey", this.old);
        return "done";
      }
      this.old.machine.set("rekeying");
      this.#started = true;
      ports.log.chd.control(
        `rekeying CHILD SA ${this.old.config.name} (SPI ${this.old.spiIn.toString(16)})`,
      );
    }
    msg.payloads.push(
      notify(NotifyType.REKEY_SA, undefined, ProtocolId.ESP, espSpiBytes(this.old.spiIn)),
    );
    return this.#create.build(msg);
  }

  process(msg: InMessage<Payload>): TaskStatus {
    const st = this.#create.process(msg);
    if (st === "more") return "more";
    const { old, ctx } = this;
    const fresh = this.#create.child;
    if (!this.#create.installed || !fresh) {
      const why = this.#create.failedNotify;
      if (old.state === "rekeying") old.machine.set("installed");
      if (why === NotifyType.CHILD_SA_NOT_FOUND) {
        ctx.removeChild(old, "peer does not know it");
      } else if (old.state === "installed") {
        ctx.retryLater("child-rekey", old);
      }
      return "done";
    }
    const c = this.collision;
    if (c && c.child.state !== "destroyed") {
      const redundant = oursIsRedundant([this.#create.ni!, this.#create.nr!], [c.ni, c.nr]);
      ctx.ports.log.chd.control(`CHILD SA rekey collision: ${redundant ? "we" : "peer"} lost`);
      if (redundant) {
        // The peer's SA replaces the old one; the peer deletes the old SA.
        this.#replaced(c.child);
        ctx.tasks.queue(new ChildDelete(ctx, [fresh], "redundant after rekey collision"));
        return "done";
      }
    }
    this.#replaced(fresh);
    ctx.tasks.queue(new ChildDelete(ctx, [old], "rekeyed"));
    return "done";
  }

  #replaced(by: ChildSa): void {
    if (this.old.state === "rekeying" || this.old.state === "installed") {
      this.old.machine.set("rekeyed");
    }
    this.old.successor = by;
  }

  abort(): void {
    this.#create.abort();
    if (this.old.state === "rekeying") this.old.machine.set("installed");
  }
}

/** The responder side of a CHILD SA rekey. */
export class ChildRekeyResponder implements IkeTask {
  readonly name = "child-rekey" as const;
  readonly initiator = false;
  #create: ChildCreate | undefined;
  #old: ChildSa | undefined;
  #error: NotifyPayload | undefined;

  constructor(private readonly ctx: SaContext) {}

  exchange(): number {
    return ExchangeType.CREATE_CHILD_SA;
  }

  process(msg: InMessage<Payload>): TaskStatus {
    const { ctx } = this;
    const n = findNotify(msg, NotifyType.REKEY_SA);
    const spi = n ? espSpiFromBytes(n.spi) : undefined;
    const old = spi !== undefined ? ctx.childByOutbound(spi) : undefined;
    if (!old) {
      this.#error = notify(NotifyType.CHILD_SA_NOT_FOUND);
      return "more";
    }
    const ours = ctx.tasks.activeTasks().find((t): t is ChildRekey =>
      t instanceof ChildRekey && t.old === old
    );
    const busyIke = ctx.sa.state !== "established";
    if (busyIke || (old.state !== "installed" && !(old.state === "rekeying" && ours))) {
      this.#error = notify(NotifyType.TEMPORARY_FAILURE);
      return "more";
    }
    this.#old = old;
    this.#create = new ChildCreate(ctx, false, { inAuth: false, rekey: old });
    this.#create.process(msg);
    const fresh = this.#create.child;
    if (this.#create.installed && fresh) {
      if (ours) {
        ours.collision = { ni: this.#create.ni!, nr: this.#create.nr!, child: fresh };
      } else {
        old.machine.set("rekeyed");
        old.successor = fresh;
      }
    }
    return "more";
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    if (this.#error) {
      msg.payloads.push(this.#error);
      return "done";
    }
    if (this.#old) this.ctx.ports.log.chd.control(`peer rekeys CHILD SA ${this.#old.config.name}`);
    return this.#create!.build(msg);
  }
}
