/**
 * Deleting the IKE SA (RFC 7296 §1.4.1): an INFORMATIONAL with a Delete
 * payload of protocol IKE; the response is empty. Its CHILD SAs die with it.
 * An initiator whose delete goes unanswered removes the SA anyway.
 *
 * @module
 */
import { ExchangeType } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import type { Payload } from "../message/types.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { deletePayload } from "../wire.ts";

export class IkeDelete implements IkeTask {
  readonly name = "ike-delete" as const;
  readonly initiator = true;

  constructor(private readonly ctx: SaContext, private readonly reason = "deleted") {}

  exchange(): number {
    return ExchangeType.INFORMATIONAL;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    if (sa.state === "destroyed") return "done";
    sa.machine.set("deleting");
    ports.log.ike.control(`deleting IKE SA: ${this.reason}`);
    msg.payloads.push(deletePayload("ike"));
    return "more";
  }

  process(_msg: InMessage<Payload>): TaskStatus {
    this.ctx.destroyAfterExchange(this.reason);
    return "done";
  }

  abort(): void {
    if (this.ctx.sa.state === "deleting") this.ctx.destroyAfterExchange(this.reason);
  }
}

export class IkeDeleteResponder implements IkeTask {
  readonly name = "ike-delete" as const;
  readonly initiator = false;

  constructor(private readonly ctx: SaContext) {}

  exchange(): number {
    return ExchangeType.INFORMATIONAL;
  }

  process(): TaskStatus {
    const { sa, ports } = this.ctx;
    ports.log.ike.control("peer deletes the IKE SA");
    if (sa.state !== "deleting") sa.machine.set("deleting");
    return "more";
  }

  build(): TaskStatus {
    this.ctx.destroyAfterExchange("deleted by peer");
    return "done";
  }
}
