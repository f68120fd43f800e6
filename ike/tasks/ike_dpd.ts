/**
 * Liveness checks (RFC 7296 §1.4, §2.4): an empty INFORMATIONAL request,
 * answered by an empty response. An unanswered one (after all retransmits)
 * declares the peer dead. The responder side also answers any
 * INFORMATIONAL that carries only notifications we ignore.
 *
 * @module
 */
import { ExchangeType } from "../constants.ts";
import type { IkeTask } from "../context.ts";
import type { TaskStatus } from "../task.ts";

export class IkeDpd implements IkeTask {
  readonly name = "ike-dpd" as const;

  constructor(readonly initiator: boolean) {}

  exchange(): number {
    return ExchangeType.INFORMATIONAL;
  }

  build(): TaskStatus {
    return this.initiator ? "more" : "done";
  }

  process(): TaskStatus {
    return this.initiator ? "done" : "more";
  }
}
