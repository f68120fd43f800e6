/**
 * One IKE SA at run time: its data, its task manager, and the path of its
 * messages. Outbound: encode (IKE_SA_INIT in clear) or protect with SK,
 * fragment when the peer supports it and the message is too large (RFC
 * 7383), add the non-ESP marker on port 4500 (RFC 3948 §2.2), send.
 * Inbound: verify and decrypt (or reassemble fragments, answering a
 * retransmitted fragmented request from the cache on its first fragment),
 * check the payload rules of the exchange, follow the peer's address when
 * it is behind a NAT and the message is new (RFC 7296 §2.23), hand the
 * message to the task manager. Engine services reach the tasks through
 * {@linkcode SaContext}.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import type { ChildSa } from "./child_sa.ts";
import type { ChildConfig, GlobalOptions, VpnConfig } from "./config.ts";
import {
  ExchangeType,
  IKE_MAJOR_VERSION,
  IKE_MINOR_VERSION,
  NATT_PORT,
  NotifyType,
} from "./constants.ts";
import type { IkeTaskManager, SaContext } from "./context.ts";
import type { DropReason } from "./counters.ts";
import type { Engine } from "./engine.ts";
import type { Identity } from "./identity.ts";
import type { IkeSa } from "./ike_sa.ts";
import { IkeEncodeError } from "./message/bytes.ts";
import { hasNotify } from "./message/find.ts";
import { fragmentMessage, maxFragmentMessageSize } from "./message/fragment.ts";
import { encodeMessage, protect, unprotect } from "./message/message.ts";
import { addNonEspMarker } from "./message/natt.ts";
import { FragmentReassembler } from "./message/reassembly.ts";
import { checkPayloadRules } from "./message/rules.ts";
import { openBody } from "./message/sk.ts";
import type { IkeHeader, Payload, RawMessage } from "./message/types.ts";
import type { Endpoint, IkePorts } from "./ports.ts";
import { responderTasks } from "./responder.ts";
import type { InMessage, OutMessage } from "./task.ts";
import { TaskManager } from "./task_manager.ts";

const sameEndpoint = (a: Endpoint, b: Endpoint) =>
  a.port === b.port && a.address.family === b.address.family &&
  a.address.bytes.every((x, i) => x === b.address.bytes[i]);

export class SaRuntime implements SaContext {
  readonly tasks: IkeTaskManager;
  readonly #reassembly = new FragmentReassembler();
  /** Clock time of the last IKE datagram sent (NAT-T keepalives skip busy SAs). */
  lastSent: number | undefined;
  #destroyReason: string | undefined;

  constructor(readonly engine: Engine, readonly sa: IkeSa) {
    this.tasks = new TaskManager<Payload>(
      engine.ports.clock,
      engine.ports.log.ike,
      engine.options.retransmit,
      {
        send: (m, r) => this.#send(m, r),
        resend: (d) => this.#resend(d),
        responderTasks: (m) => responderTasks(this, m),
        isMidSync: (m) =>
          m.messageId === 0 && m.exchange === ExchangeType.INFORMATIONAL && this.sa.peer.midSync &&
          hasNotify(m, NotifyType.IKEV2_MESSAGE_ID_SYNC),
        fail: (reason, timeout) => engine.failed(this, reason, timeout),
        exchangeDone: () => this.#exchangeDone(),
      },
    );
  }

  get ports(): IkePorts {
    return this.engine.ports;
  }

  get options(): GlobalOptions {
    return this.engine.options;
  }

  // --- outbound ------------------------------------------------------------

  #header(exchange: number, messageId: number, response: boolean): IkeHeader {
    return {
      spiI: this.sa.spiI,
      spiR: this.sa.spiR,
      nextPayload: 0,
      majorVersion: IKE_MAJOR_VERSION,
      minorVersion: IKE_MINOR_VERSION,
      exchange,
      flags: { initiator: this.sa.initiator, response, higherVersion: false },
      messageId,
      length: 0,
    };
  }

  #send(msg: OutMessage<Payload>, response: boolean): Uint8Array[] | undefined {
    const { sa, ports } = this;
    const message = {
      header: this.#header(msg.exchange, msg.messageId, response),
      payloads: msg.payloads,
    };
    let out: Uint8Array[];
    try {
      if (msg.exchange === ExchangeType.IKE_SA_INIT) {
        const bytes = encodeMessage(message);
        if (response) sa.initResponse = bytes;
        else sa.initRequest = bytes;
        out = [bytes];
      } else {
        const c = sa.crypto;
        if (!c) return undefined;
        const bytes = protect(message, c.out, ports.rng);
        const marker = sa.local.port === NATT_PORT;
        const max = maxFragmentMessageSize(
          this.options.fragmentSize,
          sa.remote.address.family === 6,
          marker,
        );
        out = sa.peer.fragmentation && bytes.length > max
          ? fragmentMessage(message, c.out, ports.rng, max)
          : [bytes];
        if (out.length > 1) this.engine.counters.fragmentsSent += out.length;
      }
    } catch (e) {
      if (!(e instanceof IkeEncodeError)) throw e;
      ports.log.enc.error(`cannot encode message: ${e.message}`);
      return undefined;
    }
    if (sa.local.port === NATT_PORT) out = out.map(addNonEspMarker);
    ports.log.enc.detail(() =>
      `sending ${
        response ? "response" : "request"
      } ${msg.messageId} of exchange ${msg.exchange} (${out.length} datagram(s))`
    );
    this.#resend(out);
    return out;
  }

  #resend(datagrams: readonly Uint8Array[]): void {
    this.lastSent = this.ports.clock.now();
    for (const d of datagrams) {
      this.engine.counters.sent++;
      this.ports.transport.send(this.sa.local, this.sa.remote, d);
    }
  }

  // --- inbound -------------------------------------------------------------

  /** Handles a decoded message of this SA (marker already removed). */
  receive(raw: RawMessage, local: Endpoint, remote: Endpoint): void {
    const { sa, engine } = this;
    const h = raw.header;
    let payloads: readonly Payload[];
    if (h.exchange === ExchangeType.IKE_SA_INIT) {
      if (h.flags.response) {
        if (!sa.initiator || sa.state !== "connecting") return this.#drop("unexpected-response");
        if (sa.spiR.every((b) => b === 0)) sa.spiR = h.spiR.slice();
        sa.initResponse = raw.bytes.slice();
      } else if (this.tasks.isRetransmit(h.messageId)) {
        this.tasks.resendResponse();
        engine.counters.retransmitsAnswered++;
        return;
      } else if (sa.state !== "connecting" || sa.initRequest) {
        return this.#drop("invalid-message-id");
      } else {
        sa.initRequest = raw.bytes.slice();
      }
      payloads = raw.payloads;
    } else {
      const c = sa.crypto;
      if (!c) return this.#drop("no-keys");
      const last = raw.payloads[raw.payloads.length - 1];
      if (last?.kind === "skf") {
        engine.counters.fragmentsReceived++;
        if (!h.flags.response && this.tasks.isRetransmit(h.messageId)) {
          // Answer once per retransmitted message, on its (authentic) first fragment.
          if (last.fragmentNumber === 1 && openBody(raw.bytes, last.offset + 8, c.in).ok) {
            this.tasks.resendResponse();
            engine.counters.retransmitsAnswered++;
          }
          return;
        }
        const r = this.#reassembly.add(raw, c.in, this.ports.clock.now());
        if (r.status === "pending") return;
        if (r.status === "dropped") {
          return this.#drop(r.error.code === "integrity" ? "integrity" : "invalid");
        }
        payloads = r.message.payloads;
      } else {
        const u = unprotect(raw, c.in);
        if (!u.ok) return this.#drop(u.error.code === "integrity" ? "integrity" : "invalid");
        payloads = u.value.message.payloads;
      }
      const rules = checkPayloadRules(h.exchange, h.flags.response, payloads);
      if (!rules.ok) {
        this.ports.log.enc.warn(`dropping message: ${rules.error.reason}`);
        return this.#drop("malformed");
      }
      if (this.tasks.accepts(h.messageId, h.flags.response, h.exchange)) {
        this.#follow(local, remote);
      }
    }
    const msg: InMessage<Payload> = {
      exchange: h.exchange,
      messageId: h.messageId,
      response: h.flags.response,
      payloads,
    };
    const outcome = this.tasks.receive(msg);
    if (outcome === "retransmit-answered") engine.counters.retransmitsAnswered++;
    else if (outcome !== "processed") this.#drop(outcome);
    else engine.counters.processed++;
  }

  #drop(why: DropReason): void {
    this.engine.drops[why]++;
  }

  /**
   * §2.23: when the peer is behind a NAT (and we are not), the address and
   * port of the last authentic *new* message win; a retransmitted or
   * replayed one must not move the SA (the caller checks), nor may a host
   * that is itself behind a NAT follow. The first move to port 4500 is
   * always followed.
   */
  #follow(local: Endpoint, remote: Endpoint): void {
    const { sa } = this;
    const floated = local.port === NATT_PORT && sa.local.port !== NATT_PORT;
    const moved = !sameEndpoint(local, sa.local) || !sameEndpoint(remote, sa.remote);
    if (!floated && !(moved && sa.nat.remote && !sa.nat.local)) return;
    sa.local = local;
    sa.remote = remote;
    this.ports.log.ike.control(`peer moved to port ${remote.port}, following`);
    this.engine.endpointsChanged(this);
  }

  #exchangeDone(): void {
    this.engine.exchangeDone(this);
    if (this.#destroyReason !== undefined) {
      const reason = this.#destroyReason;
      this.#destroyReason = undefined;
      this.engine.destroy(this, reason);
    }
  }

  // --- SaContext -----------------------------------------------------------

  vpnsFor(local: Endpoint, remote: Endpoint): VpnConfig[] {
    return this.engine.vpnsFor(local, remote);
  }
  vpnForAuth(
    local: Endpoint,
    remote: Endpoint,
    peer: Identity,
    us?: Identity,
  ): VpnConfig | undefined {
    return this.engine.vpnForAuth(local, remote, peer, us);
  }
  hasOtherSas(peer: Identity): boolean {
    return this.engine.hasOtherSas(this.sa, peer);
  }
  allocateChildSpi(): number {
    return this.engine.allocateChildSpi();
  }
  allocateIkeSpi(): Uint8Array {
    return this.engine.allocateIkeSpi();
  }
  newChild(config: ChildConfig, spiIn: number): ChildSa {
    return this.engine.newChild(this, config, spiIn);
  }
  installChild(child: ChildSa, rekeyOf?: ChildSa): boolean {
    return this.engine.installChild(this, child, rekeyOf);
  }
  removeChild(child: ChildSa, reason: string): void {
    this.engine.removeChild(child, reason);
  }
  childByInbound(spi: number): ChildSa | undefined {
    return this.sa.children.find((c) => c.spiIn === spi);
  }
  childByOutbound(spi: number): ChildSa | undefined {
    return this.sa.children.find((c) => c.spiOut === spi);
  }
  established(initialContactReceived: boolean): boolean {
    return this.engine.established(this, initialContactReceived);
  }
  successorSa(initiator: boolean, spiI: Uint8Array, spiR: Uint8Array): IkeSa {
    return this.engine.successorSa(this, initiator, spiI, spiR);
  }
  adoptRekeyed(next: IkeSa): SaContext {
    return this.engine.adoptRekeyed(this, next);
  }
  moveChildren(to: IkeSa): void {
    this.engine.moveChildren(this, to);
  }
  destroyAfterExchange(reason: string): void {
    this.#destroyReason = reason;
  }
  leased(pool: string, address: IpAddress): void {
    this.engine.leased(this, pool, address);
  }
  updated(): void {
    this.engine.updated(this);
  }
  retryLater(what: "child-rekey" | "ike-rekey", child?: ChildSa): void {
    this.engine.retryLater(this, what, child);
  }
}
