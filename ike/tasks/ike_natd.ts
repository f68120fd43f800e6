/**
 * NAT detection in IKE_SA_INIT (RFC 7296 §2.23): both sides send
 * NAT_DETECTION_SOURCE_IP / _DESTINATION_IP hashes; whoever finds a
 * mismatch knows a NAT is in the path, and the initiator then moves IKE to
 * UDP 4500 (with the non-ESP marker, RFC 3948 §2.2) from IKE_AUTH on, and
 * ESP is UDP-encapsulated. strongSwan with kernel-libipsec always sends a
 * fake source hash, so against it the float always happens.
 *
 * @module
 */
import { ExchangeType, IKE_PORT, NATT_PORT, NotifyType } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import { findErrorNotify, findNotifies, findNotify, findPayload } from "../message/find.ts";
import type { Payload } from "../message/types.ts";
import { detectNat, natdHash } from "../natd.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { notify } from "../wire.ts";

export class IkeNatd implements IkeTask {
  readonly name = "ike-natd" as const;

  constructor(private readonly ctx: SaContext, readonly initiator: boolean) {}

  exchange(): number {
    return ExchangeType.IKE_SA_INIT;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    const { sa } = this.ctx;
    // An error answer (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, ...) carries only its notify.
    if (!this.initiator && findErrorNotify(msg)) return "done";
    const spiR = this.initiator ? new Uint8Array(8) : sa.spiR;
    msg.payloads.push(
      notify(NotifyType.NAT_DETECTION_SOURCE_IP, natdHash(sa.spiI, spiR, sa.local)),
      notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natdHash(sa.spiI, spiR, sa.remote)),
    );
    return this.initiator ? "more" : "done";
  }

  process(msg: InMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    // A COOKIE or error answer decides nothing: the retried exchange detects again.
    if (this.initiator && !findPayload(msg, "sa")) return "more";
    // The request's hashes were made with a zero responder SPI.
    const spiR = this.initiator ? sa.spiR : new Uint8Array(8);
    const state = detectNat(
      sa.spiI,
      spiR,
      sa.local,
      sa.remote,
      findNotifies(msg, NotifyType.NAT_DETECTION_SOURCE_IP).map((n) => n.data),
      findNotify(msg, NotifyType.NAT_DETECTION_DESTINATION_IP)?.data,
    );
    if (state) {
      sa.nat = { ...state };
      if (state.local) ports.log.ike.control("local host is behind NAT");
      if (state.remote) ports.log.ike.control("remote host is behind NAT");
    }
    if (this.initiator && sa.natted && sa.local.port !== NATT_PORT) {
      sa.local = { address: sa.local.address, port: NATT_PORT };
      sa.remote = {
        address: sa.remote.address,
        port: sa.remote.port === IKE_PORT ? NATT_PORT : sa.remote.port,
      };
      ports.log.ike.control("switching to UDP port 4500");
    }
    return this.initiator ? "done" : "more";
  }
}
