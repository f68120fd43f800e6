/**
 * RFC 6311 message ID synchronisation, for HA takeovers. The node that took
 * over sends an INFORMATIONAL with message ID 0 carrying
 * IKEV2_MESSAGE_ID_SYNC: a 4-octet nonce, the ID of its next request (M1)
 * and the ID of the next request it expects (P1). The peer answers, also
 * with ID 0, the nonce echoed and M2 = max(M1, the ID it expects), P2 =
 * max(P1, its next request ID) (§5.1, as strongSwan's ike_mid_sync); an M1
 * below the ID it expects is dropped. Both sides continue from M2 and P2.
 *
 * @module
 */
import { ExchangeType, NotifyType } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import { findNotify } from "../message/find.ts";
import type { Payload } from "../message/types.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { notify } from "../wire.ts";
import { ctEqual } from "./common.ts";

/** Nonce | send ID | receive ID, each 4 octets. */
export function midSyncData(nonce: Uint8Array, send: number, recv: number): Uint8Array {
  const out = new Uint8Array(12);
  out.set(nonce.subarray(0, 4), 0);
  const v = new DataView(out.buffer);
  v.setUint32(4, send >>> 0);
  v.setUint32(8, recv >>> 0);
  return out;
}

/** The fields of IKEV2_MESSAGE_ID_SYNC data, or undefined if it is not 12 octets. */
export function parseMidSync(
  d: Uint8Array,
): { nonce: Uint8Array; send: number; recv: number } | undefined {
  if (d.length !== 12) return undefined;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  return { nonce: d.slice(0, 4), send: v.getUint32(4), recv: v.getUint32(8) };
}

/**
 * How far a node that took over moves its request counter before syncing:
 * the peer refuses an M1 below the ID it expects (§5.1), and the records
 * of the last exchanges before a failover may not have reached the backup.
 */
export const MID_SYNC_SHIFT = 16;

export class IkeMidSync implements IkeTask {
  readonly name = "ike-mid-sync" as const;
  #nonce: Uint8Array | undefined;
  #send = 0;
  #recv = 0;
  #ok = false;

  constructor(
    private readonly ctx: SaContext,
    readonly initiator: boolean,
    private readonly shift = MID_SYNC_SHIFT,
  ) {}

  exchange(): number {
    return ExchangeType.INFORMATIONAL;
  }

  fixedMessageId(): number {
    return 0;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    const { tasks, ports } = this.ctx;
    if (this.initiator) {
      this.#nonce = ports.rng.fill(new Uint8Array(4));
      tasks.nextSend = (tasks.nextSend + this.shift) >>> 0;
      msg.payloads.push(
        notify(
          NotifyType.IKEV2_MESSAGE_ID_SYNC,
          midSyncData(this.#nonce, tasks.nextSend, tasks.expectRecv),
        ),
      );
      return "more";
    }
    if (this.#ok) {
      msg.payloads.push(
        notify(NotifyType.IKEV2_MESSAGE_ID_SYNC, midSyncData(this.#nonce!, this.#send, this.#recv)),
      );
    }
    return "done";
  }

  process(msg: InMessage<Payload>): TaskStatus {
    const { tasks, ports } = this.ctx;
    const n = findNotify(msg, NotifyType.IKEV2_MESSAGE_ID_SYNC);
    const f = n && parseMidSync(n.data);
    if (this.initiator) {
      if (!f || !ctEqual(f.nonce, this.#nonce!)) {
        ports.log.ike.warn("invalid IKEV2_MESSAGE_ID_SYNC answer, message IDs unchanged");
        return "done";
      }
      // The answer's "send" is the peer's next request (we expect it); its "recv" is ours.
      tasks.nextSend = f.recv;
      tasks.expectRecv = f.send;
      ports.log.ike.control(
        `message IDs synchronised: send ${tasks.nextSend}, expect ${tasks.expectRecv}`,
      );
      this.ctx.updated();
      return "done";
    }
    if (!f || f.send < tasks.expectRecv) {
      ports.log.ike.warn("ignoring IKEV2_MESSAGE_ID_SYNC with a lower sender message ID");
      return "more";
    }
    const m2 = Math.max(f.send, tasks.expectRecv);
    const p2 = Math.max(f.recv, tasks.busy ? tasks.nextSend + 1 : tasks.nextSend);
    tasks.expectRecv = m2;
    // An exchange of ours in flight moves the counter once more when answered.
    tasks.nextSend = tasks.busy ? p2 - 1 : p2;
    this.#nonce = f.nonce;
    this.#send = p2;
    this.#recv = m2;
    this.#ok = true;
    ports.log.ike.control(`peer requested message ID sync: send ${p2}, expect ${m2}`);
    return "more";
  }
}
