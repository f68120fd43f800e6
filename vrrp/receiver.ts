/**
 * Where received VRRP messages go: one receiver per link and address family
 * (one raw socket in the I/O phase) hands each message to the instance with
 * its VRID (RFC 5798 §7.1: "MUST verify that the VRID is configured on the
 * receiving interface"). Codec checks and their counters belong to the
 * instance, so `show vrrp` shows them where the operator looks; only what
 * cannot be attributed to an instance is counted here.
 *
 * @module
 */
import type { Family, IpAddress } from "../core/ip.ts";
import type { VrrpInstance } from "./instance.ts";

/** Counters of messages no instance could take. */
export interface VrrpReceiverCounters {
  received: number;
  /** Shorter than the two bytes that hold the VRID. */
  truncated: number;
  /** No instance with that VRID on this link (keepalived: "log_unknown_vrids"). */
  unknownVrid: number;
}

export class VrrpReceiver {
  readonly counters: VrrpReceiverCounters = { received: 0, truncated: 0, unknownVrid: 0 };
  #byVrid = new Map<number, VrrpInstance>();

  constructor(readonly link: string, readonly family: Family) {}

  /** The instances served, by VRID. */
  get instances(): VrrpInstance[] {
    return [...this.#byVrid.values()];
  }

  add(inst: VrrpInstance): void {
    const c = inst.config;
    if (c.linkInterface !== this.link || c.family !== this.family) {
      throw new Error(
        `Cannot receive for vrrp ${inst.name} on ${this.link} IPv${this.family}: it runs on ${c.linkInterface} IPv${c.family}`,
      );
    }
    const other = this.#byVrid.get(c.vrid);
    if (other && other !== inst) {
      throw new Error(
        `Cannot set "vrid" of vrrp ${inst.name} to ${c.vrid}: vrrp ${other.name} uses it on ${this.link}`,
      );
    }
    this.#byVrid.set(c.vrid, inst);
  }

  remove(inst: VrrpInstance): void {
    if (this.#byVrid.get(inst.config.vrid) === inst) this.#byVrid.delete(inst.config.vrid);
  }

  /** One received message (IP payload) with its IP facts and arrival time; never throws. */
  input(
    message: Uint8Array,
    src: IpAddress,
    dst: IpAddress,
    ttl: number,
    receivedAt?: number,
  ): void {
    this.counters.received++;
    if (message.length < 2) {
      this.counters.truncated++;
      return;
    }
    const inst = this.#byVrid.get(message[1]!);
    if (!inst) {
      this.counters.unknownVrid++;
      return;
    }
    inst.receive(message, src, dst, ttl, receivedAt);
  }
}
