/**
 * The IKE SA table of one engine instance. SAs are found by *our* SPI,
 * which we chose unique (RFC 7296 §2.6: the SPI the receiver picked
 * identifies the SA): a message with the Initiator flag comes from the
 * original initiator, so our SPI is the responder's, and the other way
 * round. A first IKE_SA_INIT (responder SPI zero) is matched by the
 * initiator's SPI and address, so a retransmitted one finds the half-open
 * SA it created.
 *
 * @module
 */
import { formatIp } from "../core/ip.ts";
import { type Identity, identityKey } from "./identity.ts";
import type { IkeSa } from "./ike_sa.ts";
import type { Endpoint } from "./ports.ts";
import { spiHex } from "./spi.ts";

const epKey = (ep: Endpoint) => `${formatIp(ep.address)}:${ep.port}`;

export class SaTable {
  readonly #byLocalSpi = new Map<string, IkeSa>();
  readonly #byInit = new Map<string, IkeSa>();

  /** Adds an SA (its local SPI must be set). */
  add(sa: IkeSa): void {
    this.#byLocalSpi.set(spiHex(sa.localSpi), sa);
    if (!sa.initiator) this.#byInit.set(this.#initKey(sa.spiI, sa.remote), sa);
  }

  #initKey(spiI: Uint8Array, remote: Endpoint): string {
    return `${spiHex(spiI)}@${formatIp(remote.address)}`;
  }

  remove(sa: IkeSa): void {
    const k = spiHex(sa.localSpi);
    if (this.#byLocalSpi.get(k) === sa) this.#byLocalSpi.delete(k);
    const ik = this.#initKey(sa.spiI, sa.remote);
    if (this.#byInit.get(ik) === sa) this.#byInit.delete(ik);
  }

  /** Whether `hex` is in use as a local SPI. */
  has(hex: string): boolean {
    return this.#byLocalSpi.has(hex);
  }

  /** The SA a message with these header fields belongs to. */
  lookup(spiI: Uint8Array, spiR: Uint8Array, initiatorFlag: boolean): IkeSa | undefined {
    const sa = this.#byLocalSpi.get(spiHex(initiatorFlag ? spiR : spiI));
    if (!sa) return undefined;
    // The peer's half must agree once it is known.
    const theirs = initiatorFlag ? spiI : spiR;
    const known = sa.remoteSpi;
    if (known.some((b) => b !== 0) && spiHex(known) !== spiHex(theirs)) return undefined;
    return sa;
  }

  /** The responder SA a (retransmitted) first IKE_SA_INIT created. */
  lookupInit(spiI: Uint8Array, remote: Endpoint): IkeSa | undefined {
    return this.#byInit.get(this.#initKey(spiI, remote));
  }

  all(): IkeSa[] {
    return [...new Set(this.#byLocalSpi.values())];
  }

  /** SAs not yet established (created or connecting). */
  halfOpen(): IkeSa[] {
    return this.all().filter((s) => s.state === "created" || s.state === "connecting");
  }

  /** Half-open responder SAs from one peer address. */
  halfOpenFrom(remote: Endpoint): number {
    return this.halfOpen().filter((s) =>
      !s.initiator && formatIp(s.remote.address) === formatIp(remote.address)
    ).length;
  }

  /** Established-ish SAs of a peer identity (for INITIAL_CONTACT and unique-sa). */
  byRemoteId(id: Identity): IkeSa[] {
    const k = identityKey(id);
    return this.all().filter((s) => s.remoteId !== undefined && identityKey(s.remoteId) === k);
  }

  byVpn(name: string): IkeSa[] {
    return this.all().filter((s) => s.vpn?.name === name);
  }

  /** `addr:port` of an endpoint, for logs. */
  static endpoint(ep: Endpoint): string {
    return epKey(ep);
  }

  get size(): number {
    return this.#byLocalSpi.size;
  }
}
