/**
 * What a VRRP master does on the wire (RFC 5798 §6.4.3): take the virtual
 * addresses, advertise every Advertisement_Interval, announce the addresses
 * with gratuitous ARP / unsolicited NA bursts, answer, and resign with
 * priority 0. The instance's state machine decides when; this object does
 * it through the {@linkcode VrrpPort} and keeps the send counters.
 *
 * The advert is encoded once per (priority, primary address) and reused: a
 * master sends the same bytes every interval, allocating nothing.
 *
 * @module
 */
import type { Clock, Timer } from "../core/clock.ts";
import type { IpAddress } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import { PRIORITY_RESIGN, type ResolvedVrrpConfig } from "./config.ts";
import { encodeVrrp, setVrrpPriority, vrrpGroup } from "./packet.ts";
import type { VrrpPort } from "./port.ts";
import type { VrrpCounters } from "./state.ts";

export class VrrpSpeaker {
  #c: ResolvedVrrpConfig;
  #clock: Clock;
  #log: Logger;
  #port: VrrpPort;
  #counters: VrrpCounters;
  #primary: IpAddress;
  #advert: Uint8Array = new Uint8Array(0);
  #resign: Uint8Array = new Uint8Array(0);
  #active = false;
  #advertTimer: Timer | undefined;
  #garpTimer: Timer | undefined;
  #refreshTimer: Timer | undefined;
  #lastLowerReply = -Infinity;

  constructor(
    config: ResolvedVrrpConfig,
    deps: { clock: Clock; log: Logger; port: VrrpPort; counters: VrrpCounters },
    priority: number,
  ) {
    this.#c = config;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#port = deps.port;
    this.#counters = deps.counters;
    this.#primary = config.primaryAddress;
    this.encode(priority, config.primaryAddress);
  }

  /** Re-encodes the advert for a new priority or source address. */
  encode(priority: number, primary: IpAddress): void {
    const c = this.#c;
    const dst = vrrpGroup(c.family);
    this.#primary = primary;
    this.#advert = encodeVrrp(
      {
        family: c.family,
        vrid: c.vrid,
        priority,
        intervalCs: c.intervalCs,
        addresses: c.virtualAddresses.map((v) => v.address),
      },
      primary,
      dst,
    );
    this.#resign = this.#advert.slice();
    setVrrpPriority(this.#resign, PRIORITY_RESIGN, primary, dst);
  }

  /**
   * Becoming master (§6.4.1, §6.4.2): add the addresses, advertise, announce
   * them (again after `garpDelayMs`, and every `garpRefreshMs`), then start
   * the Adver_Timer.
   */
  start(owner: boolean): void {
    const c = this.#c;
    this.#active = true;
    this.#port.addVirtualAddresses(c.virtualAddresses, c.accept || owner);
    this.#send(this.#advert);
    this.#announce(c.garpRepeat);
    if (c.garpDelayMs > 0 && c.garpRepeat > 0) {
      this.#garpTimer = this.#clock.setTimer(c.garpDelayMs, () => {
        this.#garpTimer = undefined;
        this.#announce(c.garpRepeat);
      });
    }
    if (c.garpRefreshMs > 0) this.#armRefresh();
    this.#armAdvertTimer();
  }

  /** Leaving master: stop the timers, resign with priority 0 if asked (§6.4.3 Shutdown), remove the addresses. */
  stop(resign: boolean): void {
    this.#active = false;
    for (const t of [this.#advertTimer, this.#garpTimer, this.#refreshTimer]) t?.cancel();
    this.#advertTimer = this.#garpTimer = this.#refreshTimer = undefined;
    if (resign) this.#send(this.#resign);
    this.#port.removeVirtualAddresses(this.#c.virtualAddresses);
  }

  /** An advert now, and the Adver_Timer restarted (§6.4.3, priority 0 received). */
  advertiseNow(): void {
    this.#send(this.#advert);
    this.#armAdvertTimer();
  }

  /**
   * keepalived's answer to a lower-priority advert (§6.4.3 says discard):
   * advert and GARP burst, at most once per max(interval, 1 s). Returns
   * whether it answered.
   */
  answerLowerPriority(): boolean {
    const now = this.#clock.now();
    const gap = Math.max(this.#c.advertisementIntervalMs, 1000);
    if (!this.#c.lowerPriorityReply || now - this.#lastLowerReply < gap) return false;
    this.#lastLowerReply = now;
    this.advertiseNow();
    this.#announce(this.#c.garpRepeat);
    return true;
  }

  #armAdvertTimer(): void {
    this.#advertTimer?.cancel();
    this.#advertTimer = this.#clock.setTimer(this.#c.advertisementIntervalMs, () => {
      this.#advertTimer = undefined;
      if (!this.#active) return;
      this.#send(this.#advert);
      this.#armAdvertTimer();
    });
  }

  #armRefresh(): void {
    this.#refreshTimer = this.#clock.setTimer(this.#c.garpRefreshMs, () => {
      this.#refreshTimer = undefined;
      if (!this.#active) return;
      this.#announce(1);
      this.#armRefresh();
    });
  }

  #send(msg: Uint8Array): void {
    if (this.#port.sendAdvert(msg, this.#primary)) {
      this.#counters.advertsSent++;
      if (msg[2] === PRIORITY_RESIGN) this.#counters.priorityZeroSent++;
    } else {
      this.#counters.sendErrors++;
      this.#log.detail(`vrrp ${this.#c.name}: advert not sent`);
    }
  }

  #announce(count: number): void {
    if (count <= 0 || !this.#active) return;
    this.#port.announce(this.#c.virtualAddresses, count);
    this.#counters.announcements++;
  }
}
