/**
 * Deleting CHILD SAs (RFC 7296 §1.4.1): an INFORMATIONAL with a Delete
 * payload listing our inbound SPIs; the answer lists the peer's. When both
 * sides delete the same SA at once, each removes it on the request and
 * leaves it out of its response.
 *
 * @module
 */
import type { ChildSa } from "../child_sa.ts";
import { ExchangeType, ProtocolId } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import { findPayloads } from "../message/find.ts";
import type { Payload } from "../message/types.ts";
import { espSpiFromBytes } from "../spi.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { deletePayload } from "../wire.ts";

/** The ESP SPIs of every Delete payload in a message. */
function deletedEspSpis(msg: InMessage<Payload>): number[] {
  return findPayloads(msg, "delete")
    .filter((d) => d.protocol === ProtocolId.ESP)
    .flatMap((d) => d.spis.map(espSpiFromBytes))
    .filter((s): s is number => s !== undefined);
}

export class ChildDelete implements IkeTask {
  readonly name = "child-delete" as const;
  readonly initiator = true;
  #sent: ChildSa[] = [];

  constructor(
    private readonly ctx: SaContext,
    readonly children: readonly ChildSa[],
    private readonly reason: string,
  ) {}

  exchange(): number {
    return ExchangeType.INFORMATIONAL;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    this.#sent = this.children.filter((c) => c.state !== "destroyed" && c.state !== "deleting");
    if (this.#sent.length === 0) return "done";
    for (const c of this.#sent) {
      c.machine.set("deleting");
      this.ctx.ports.log.chd.control(
        `deleting CHILD SA ${c.config.name} (SPI ${c.spiIn.toString(16)}): ${this.reason}`,
      );
    }
    msg.payloads.push(deletePayload(this.#sent.map((c) => c.spiIn)));
    return "more";
  }

  process(): TaskStatus {
    for (const c of this.#sent) this.ctx.removeChild(c, this.reason);
    return "done";
  }

  abort(): void {
    for (const c of this.#sent) if (c.state === "deleting") this.ctx.removeChild(c, this.reason);
  }
}

export class ChildDeleteResponder implements IkeTask {
  readonly name = "child-delete" as const;
  readonly initiator = false;
  #answer: number[] = [];

  constructor(private readonly ctx: SaContext) {}

  exchange(): number {
    return ExchangeType.INFORMATIONAL;
  }

  process(msg: InMessage<Payload>): TaskStatus {
    for (const spi of deletedEspSpis(msg)) {
      const c = this.ctx.childByOutbound(spi);
      if (!c || c.state === "destroyed") continue;
      if (c.state !== "deleting") this.#answer.push(c.spiIn);
      this.ctx.removeChild(c, "deleted by peer");
    }
    return "more";
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    if (this.#answer.length > 0) msg.payloads.push(deletePayload(this.#answer));
    return "done";
  }
}
