/**
 * IKE_AUTH with pre-shared keys (RFC 7296 §1.2, §2.15): identities, the AUTH
 * payload over the IKE_SA_INIT message, the peer's nonce and the MACed ID,
 * INITIAL_CONTACT (§2.4) and RFC 6311's IKEV2_MESSAGE_ID_SYNC_SUPPORTED
 * (sent in every IKE_AUTH message of ours: strongSwan announces it as
 * initiator and enables it when the responder echoes it).
 *
 * Without a configured remote identity any identity is accepted whose
 * pre-shared key the lookup finds (strongSwan's `%any`).
 *
 * @module
 */
import { AuthMethod, ExchangeType, NotifyType } from "../constants.ts";
import type { IkeTask, SaContext } from "../context.ts";
import { formatIdentity, type Identity, identityEquals, identityOfAddress } from "../identity.ts";
import { pskAuth } from "../keys.ts";
import { findPayload, hasNotify } from "../message/find.ts";
import type { IdPayload, Payload } from "../message/types.ts";
import type { InMessage, OutMessage, TaskStatus } from "../task.ts";
import { identityOf, idPayload, idPayloadBody, notify } from "../wire.ts";
import { ctEqual } from "./common.ts";

export class IkeAuth implements IkeTask {
  readonly name = "ike-auth" as const;
  #psk: Uint8Array | undefined;
  #failed = false;
  #midSync = false;

  constructor(private readonly ctx: SaContext, readonly initiator: boolean) {}

  exchange(): number {
    return ExchangeType.IKE_AUTH;
  }

  build(msg: OutMessage<Payload>): TaskStatus {
    if (msg.exchange === ExchangeType.IKE_SA_INIT) return "more";
    return this.initiator ? this.#buildI(msg) : this.#buildR(msg);
  }

  process(msg: InMessage<Payload>): TaskStatus {
    if (msg.exchange === ExchangeType.IKE_SA_INIT) return "more";
    return this.initiator ? this.#processI(msg) : this.#processR(msg);
  }

  abort(): void {
    this.#psk = undefined;
  }

  #auth(realMessage: Uint8Array, nonce: Uint8Array, skP: Uint8Array, id: IdPayload): Uint8Array {
    const prf = this.ctx.sa.crypto!.suite.prf;
    return pskAuth(prf, this.#psk!, realMessage, nonce, skP, idPayloadBody(id));
  }

  #buildI(msg: OutMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    const vpn = sa.vpn!;
    const me = vpn.localId ?? identityOfAddress(vpn.localAddress);
    const peer = vpn.remoteId ?? (vpn.remoteAddress && identityOfAddress(vpn.remoteAddress));
    this.#psk = peer ? ports.psk.lookup(me, peer) : undefined;
    if (!this.#psk) {
      ports.log.ike.warn(
        `no pre-shared key for ${formatIdentity(me)} - ${peer ? formatIdentity(peer) : "%any"}`,
      );
      return "failed";
    }
    sa.localId = me;
    const idi = idPayload("idi", me);
    msg.payloads.push(idi);
    if (!peer || !this.ctx.hasOtherSas(peer)) msg.payloads.push(notify(NotifyType.INITIAL_CONTACT));
    if (vpn.remoteId) msg.payloads.push(idPayload("idr", vpn.remoteId));
    const auth = this.#auth(sa.initRequest!, sa.nonceR!, sa.keys!.skPi, idi);
    msg.payloads.push(
      { kind: "auth", critical: false, method: AuthMethod.SHARED_KEY_MIC, data: auth },
      notify(NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED),
    );
    return "more";
  }

  /** Verifies the peer's AUTH payload against the PSK for (us, peer). */
  #verify(
    peer: Identity,
    id: IdPayload,
    msg: InMessage<Payload>,
    real: Uint8Array,
    nonce: Uint8Array,
    skP: Uint8Array,
  ): boolean {
    const { sa, ports } = this.ctx;
    const auth = findPayload(msg, "auth");
    this.#psk = ports.psk.lookup(sa.localId!, peer);
    if (!this.#psk) {
      ports.log.ike.warn(
        `no pre-shared key for ${formatIdentity(sa.localId!)} - ${formatIdentity(peer)}`,
      );
      return false;
    }
    if (!auth || auth.method !== AuthMethod.SHARED_KEY_MIC) return false;
    return ctEqual(this.#auth(real, nonce, skP, id), auth.data);
  }

  #processI(msg: InMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    const vpn = sa.vpn!;
    const idr = findPayload(msg, "idr");
    const peer = idr && identityOf(idr);
    if (!idr || !peer) {
      ports.log.ike.warn("IKE_AUTH response without a usable IDr: authentication failed");
      return "failed";
    }
    if (vpn.remoteId && !identityEquals(vpn.remoteId, peer)) {
      ports.log.ike.warn(`peer identity ${formatIdentity(peer)} is not the configured one`);
      return "failed";
    }
    if (!this.#verify(peer, idr, msg, sa.initResponse!, sa.nonceI!, sa.keys!.skPr)) {
      ports.log.ike.warn(`authentication of ${formatIdentity(peer)} failed`);
      return "failed";
    }
    ports.log.ike.audit(
      `authentication of '${formatIdentity(peer)}' with pre-shared key successful`,
    );
    sa.remoteId = peer;
    sa.peer.midSync = hasNotify(msg, NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED);
    if (!this.ctx.established(false)) return "failed";
    sa.initRequest = sa.initResponse = undefined;
    return "done";
  }

  #processR(msg: InMessage<Payload>): TaskStatus {
    const { sa, ports } = this.ctx;
    const idi = findPayload(msg, "idi");
    const peer = idi && identityOf(idi);
    const idr = findPayload(msg, "idr");
    const wanted = idr ? identityOf(idr) : undefined;
    const vpn = peer ? this.ctx.vpnForAuth(sa.local, sa.remote, peer, wanted) : undefined;
    if (!idi || !peer || !vpn) {
      ports.log.ike.warn(`no VPN for peer identity ${peer ? formatIdentity(peer) : "(none)"}`);
      this.#failed = true;
      return "more";
    }
    sa.vpn = vpn;
    sa.localId = vpn.localId ?? identityOfAddress(vpn.localAddress);
    if (!this.#verify(peer, idi, msg, sa.initRequest!, sa.nonceR!, sa.keys!.skPi)) {
      ports.log.ike.warn(`authentication of ${formatIdentity(peer)} failed`);
      this.#failed = true;
      return "more";
    }
    ports.log.ike.audit(
      `authentication of '${formatIdentity(peer)}' with pre-shared key successful`,
    );
    sa.remoteId = peer;
    this.#midSync = hasNotify(msg, NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED);
    sa.peer.midSync = this.#midSync;
    if (!this.ctx.established(hasNotify(msg, NotifyType.INITIAL_CONTACT))) this.#failed = true;
    return "more";
  }

  #buildR(msg: OutMessage<Payload>): TaskStatus {
    const { sa } = this.ctx;
    if (this.#failed) {
      msg.payloads.push(notify(NotifyType.AUTHENTICATION_FAILED));
      return "failed";
    }
    const idr = idPayload("idr", sa.localId!);
    const auth = this.#auth(sa.initResponse!, sa.nonceI!, sa.keys!.skPr, idr);
    msg.payloads.push(idr, {
      kind: "auth",
      critical: false,
      method: AuthMethod.SHARED_KEY_MIC,
      data: auth,
    });
    if (this.#midSync) msg.payloads.push(notify(NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED));
    sa.initRequest = sa.initResponse = undefined;
    return "done";
  }
}
