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
import type { IkeSa } from "./ike_sa.ts";
import type { Endpoint } from "./ports.ts";
import { spiHex } from "./spi.ts";

const epKey = (ep: Endpoint) => `${formatIp(ep.address)}:${ep.port}`;

const isHalfOpen = (sa: IkeSa) => sa.state === "created" || sa.state === "connecting";

export class SaTable {
  readonly #byLocalSpi = new Map<string, IkeSa>();
  readonly #byInit = new Map<string, IkeSa>();
  /** Half-open SAs, kept up to date by {@linkcode stateChanged} (the DoS checks ask per request). */
  readonly #halfOpen = new Set<IkeSa>();
  /** Half-open responder SAs per peer address, and the address each was counted under. */
  readonly #halfOpenByIp = new Map<string, number>();
  readonly #counted = new Map<IkeSa, string>();

  /** Adds an SA (its local SPI must be set). */
  add(sa: IkeSa): void {
    this.#byLocalSpi.set(spiHex(sa.localSpi), sa);
    if (!sa.initiator) this.#byInit.set(this.#initKey(sa.spiI, sa.remote), sa);
    if (isHalfOpen(sa)) {
      this.#halfOpen.add(sa);
      if (!sa.initiator) {
        const ip = formatIp(sa.remote.address);
        this.#counted.set(sa, ip);
        this.#halfOpenByIp.set(ip, (this.#halfOpenByIp.get(ip) ?? 0) + 1);
      }
    }
  }

  /** An SA's state changed: it may no longer be half-open. */
  stateChanged(sa: IkeSa): void {
    if (!isHalfOpen(sa)) this.#settled(sa);
  }

  #settled(sa: IkeSa): void {
    this.#halfOpen.delete(sa);
    const ip = this.#counted.get(sa);
    if (ip === undefined) return;
    this.#counted.delete(sa);
    const n = (this.#halfOpenByIp.get(ip) ?? 1) - 1;
    if (n > 0) this.#halfOpenByIp.set(ip, n);
    else this.#halfOpenByIp.delete(ip);
  }

  #initKey(spiI: Uint8Array, remote: Endpoint): string {
    return `${spiHex(spiI)}@${formatIp(remote.address)}`;
  }

  remove(sa: IkeSa): void {
    this.#settled(sa);
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

  /** How many SAs are half-open. */
  get halfOpenCount(): number {
    return this.#halfOpen.size;
  }

  /** Half-open responder SAs from one peer address. */
  halfOpenFrom(remote: Endpoint): number {
    return this.#halfOpenByIp.get(formatIp(remote.address)) ?? 0;
  }

  /** `addr:port` of an endpoint, for logs. */
  static endpoint(ep: Endpoint): string {
    return epKey(ep);
  }

  get size(): number {
    return this.#byLocalSpi.size;
  }
}
