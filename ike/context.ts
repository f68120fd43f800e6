/**
 * What a task may ask of the engine: the narrow interface between protocol
 * tasks and the instance that owns the SA table, the ports and the timers.
 * Tasks never reach the instance itself.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import type { ChildSa } from "./child_sa.ts";
import type { ChildConfig, GlobalOptions, VpnConfig } from "./config.ts";
import type { Identity } from "./identity.ts";
import type { IkeSa } from "./ike_sa.ts";
import type { Payload } from "./message/types.ts";
import type { Endpoint, IkePorts } from "./ports.ts";
import type { Task } from "./task.ts";
import type { TaskManager } from "./task_manager.ts";

export type IkeTask = Task<Payload>;
export type IkeTaskManager = TaskManager<Payload>;

/** Services of the engine for the tasks of one IKE SA. */
export interface SaContext {
  readonly sa: IkeSa;
  readonly tasks: IkeTaskManager;
  readonly ports: IkePorts;
  readonly options: GlobalOptions;

  /** VPNs whose IKE settings apply to an IKE_SA_INIT between these endpoints, best first. */
  vpnsFor(local: Endpoint, remote: Endpoint): VpnConfig[];
  /** The VPN an IKE_AUTH request authenticates against (responder). */
  vpnForAuth(
    local: Endpoint,
    remote: Endpoint,
    peer: Identity,
    us?: Identity,
  ): VpnConfig | undefined;
  /** Whether another IKE SA with this peer identity exists (decides INITIAL_CONTACT). */
  hasOtherSas(peer: Identity): boolean;

  allocateChildSpi(): number;
  allocateIkeSpi(): Uint8Array;
  /** A new CHILD SA object of this IKE SA (not yet installed). */
  newChild(config: ChildConfig, spiIn: number): ChildSa;
  /** Installs a negotiated CHILD SA; false when the dataplane refused it. */
  installChild(child: ChildSa, rekeyOf?: ChildSa): boolean;
  /** Removes a CHILD SA from the dataplane and this IKE SA. */
  removeChild(child: ChildSa, reason: string): void;
  /** The CHILD SA with our inbound / the peer's inbound (our outbound) SPI. */
  childByInbound(spi: number): ChildSa | undefined;
  childByOutbound(spi: number): ChildSa | undefined;

  /** The IKE SA is authenticated (timers, unique-sa, INITIAL_CONTACT, events). */
  established(initialContactReceived: boolean): boolean;
  /**
   * A new IKE SA object replacing this one (§2.18): same VPN, endpoints, NAT
   * state, identities, peer features and virtual IPs; not registered yet.
   */
  successorSa(initiator: boolean, spiI: Uint8Array, spiR: Uint8Array): IkeSa;
  /** Registers the IKE SA that rekeys this one and returns its context. */
  adoptRekeyed(next: IkeSa): SaContext;
  /** Moves this SA's CHILD SAs to its successor. */
  moveChildren(to: IkeSa): void;
  /** Ends the IKE SA once the current exchange is answered or finished. */
  destroyAfterExchange(reason: string): void;
  /** Records a virtual IP leased to the peer from `pool` (HA mirrors it). */
  leased(pool: string, address: IpAddress): void;
  /** Publishes the SA's new state for HA. */
  updated(): void;
  /** Queues a CHILD SA rekey after a delay (TEMPORARY_FAILURE, lost collisions). */
  retryLater(what: "child-rekey" | "ike-rekey", child?: ChildSa): void;
}
