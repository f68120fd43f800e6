/**
 * Which responder tasks a request that opens an exchange gets (strongSwan's
 * `process_request`): IKE_SA_INIT brings the whole establishment set, which
 * stays for IKE_AUTH; CREATE_CHILD_SA is a CHILD rekey (REKEY_SA), an IKE
 * rekey (IKE proposal) or a new CHILD SA; INFORMATIONAL carries deletes, an
 * RFC 6311 sync, or nothing (a liveness check).
 *
 * @module
 */
import { ExchangeType, NotifyType, ProtocolId } from "./constants.ts";
import type { IkeTask, SaContext } from "./context.ts";
import { findPayload, findPayloads, hasNotify } from "./message/find.ts";
import type { Payload } from "./message/types.ts";
import type { InMessage } from "./task.ts";
import { ChildCreate } from "./tasks/child_create.ts";
import { ChildDeleteResponder } from "./tasks/child_delete.ts";
import { ChildRekeyResponder } from "./tasks/child_rekey.ts";
import { IkeAuth } from "./tasks/ike_auth.ts";
import { IkeConfig } from "./tasks/ike_config.ts";
import { IkeDeleteResponder } from "./tasks/ike_delete.ts";
import { IkeDpd } from "./tasks/ike_dpd.ts";
import { IkeInit } from "./tasks/ike_init.ts";
import { IkeMidSync } from "./tasks/ike_mid_sync.ts";
import { IkeNatd } from "./tasks/ike_natd.ts";
import { IkeRekeyResponder } from "./tasks/ike_rekey.ts";

export function responderTasks(ctx: SaContext, msg: InMessage<Payload>): IkeTask[] {
  switch (msg.exchange) {
    case ExchangeType.IKE_SA_INIT:
      return [
        new IkeInit(ctx, false),
        new IkeNatd(ctx, false),
        new IkeAuth(ctx, false),
        new IkeConfig(ctx, false),
        new ChildCreate(ctx, false, { inAuth: true }),
      ];
    case ExchangeType.CREATE_CHILD_SA: {
      if (hasNotify(msg, NotifyType.REKEY_SA)) return [new ChildRekeyResponder(ctx)];
      const sa = findPayload(msg, "sa");
      if (sa?.proposals[0]?.protocol === ProtocolId.IKE) return [new IkeRekeyResponder(ctx)];
      return [new ChildCreate(ctx, false, { inAuth: false })];
    }
    case ExchangeType.INFORMATIONAL: {
      const deletes = findPayloads(msg, "delete");
      if (deletes.some((d) => d.protocol === ProtocolId.IKE)) return [new IkeDeleteResponder(ctx)];
      const tasks: IkeTask[] = [];
      if (deletes.some((d) => d.protocol === ProtocolId.ESP)) {
        tasks.push(new ChildDeleteResponder(ctx));
      }
      if (msg.messageId === 0 && hasNotify(msg, NotifyType.IKEV2_MESSAGE_ID_SYNC)) {
        tasks.push(new IkeMidSync(ctx, false));
      }
      return tasks.length > 0 ? tasks : [new IkeDpd(false)];
    }
    default:
      return [new IkeDpd(false)];
  }
}
