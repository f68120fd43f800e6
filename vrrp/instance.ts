/**
 * One VRRPv3 virtual router instance: the state machine of RFC 5798 §6.4
 * (Initialize, Backup, Master) with the timers of §6.1, driven by received
 * messages, an injected clock, and a few operator inputs; all I/O goes
 * through a {@linkcode VrrpPort}.
 *
 * Inputs: `start()` / `stop()` (Startup and Shutdown events), `receive()`
 * (a VRRP message with its IP source, destination and TTL), `linkDown()` /
 * `linkUp()` (link tracking), and, from a sync group, `hold()` /
 * `release()` / `forceMaster()` / `forceBackup()` and a gate asked before
 * becoming master.
 *
 * Beyond the RFC, as keepalived 2.2.7 does (and documented where used):
 * - `preempt-delay`: a preempting backup first accepts a lower-priority
 *   master's adverts for that long, then discards them and takes over when
 *   its Master_Down_Timer runs out (takeover after delay + 3-4 intervals).
 * - startup delay: after `start()` the instance listens as Backup but its
 *   Master_Down_Timer cannot fire before the delay is over (an owner becomes
 *   master when it is).
 * - a master that hears a lower-priority advert answers at once (advert and
 *   a GARP burst, at most once per max(interval, 1 s)) unless
 *   `lowerPriorityReply` is false.
 * - GARP / NA bursts on becoming master: `garpRepeat` at once, again after
 *   `garpDelayMs` (keepalived defaults: 5, 5 s), optional refresh.
 * - link down acts as Shutdown (a master sends priority 0 if it still can);
 *   link up as Startup, without the startup delay.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { EventBus } from "../core/events.ts";
import { compareIp, formatIp, type IpAddress, ipEqual } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import {
  isLinkLocal6,
  masterDownIntervalMs,
  PRIORITY_OWNER,
  PRIORITY_RESIGN,
  type ResolvedVrrpConfig,
  resolveVrrpConfig,
  skewTimeMs,
  type VrrpInstanceConfig,
} from "./config.ts";
import { Deadline } from "./deadline.ts";
import { decodeVrrp, type VrrpAdvert } from "./packet.ts";
import type { VrrpPort } from "./port.ts";
import { VrrpSpeaker } from "./speaker.ts";
import {
  newCounters,
  VRRP_TRANSITIONS,
  type VrrpCause,
  type VrrpCounters,
  type VrrpDropReason,
  type VrrpState,
  type VrrpTransition,
} from "./state.ts";

/** Why an instance is held in Initialize. */
export type VrrpBlocker = "stopped" | "link-down" | "group";

/** The master as this instance sees it. */
export interface VrrpMasterInfo {
  readonly address: IpAddress;
  readonly priority: number;
  /** Its advertisement interval (ms). */
  readonly intervalMs: number;
  /** True when this instance is the master. */
  readonly self: boolean;
}

/** Asked before the instance becomes master; false keeps it in Backup, wanting master. */
export type MasterGate = (instance: VrrpInstance) => boolean;

/** What an instance needs from its surroundings. */
export interface VrrpInstanceDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly port: VrrpPort;
}

/** Text of a millisecond value: integers as is, fractions to the microsecond. */
export function fmtMs(ms: number): string {
  return Number.isInteger(ms) ? `${ms}` : ms.toFixed(3).replace(/0+$/, "");
}

export class VrrpInstance {
  readonly config: ResolvedVrrpConfig;
  readonly counters: VrrpCounters = newCounters();
  #clock: Clock;
  #log: Logger;
  #port: VrrpPort;
  #state: VrrpState = "initialize";
  #priority: number;
  #primary: IpAddress;
  #blockers = new Set<VrrpBlocker>(["stopped"]);
  #masterAdverMs: number;
  #master: VrrpMasterInfo | undefined;
  #nextMasterReason = "";
  #down: Deadline;
  #preemptDeadline: number | undefined;
  #startupUntil = 0;
  #started = false;
  #wantMaster = false;
  #gate: MasterGate | undefined;
  #speaker: VrrpSpeaker;
  #events = new EventBus<{ transition: VrrpTransition; blockers: readonly VrrpBlocker[] }>();
  #last: VrrpTransition | undefined;
  #warned = new Set<string>();

  constructor(config: VrrpInstanceConfig, deps: VrrpInstanceDeps) {
    this.config = resolveVrrpConfig(config);
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#port = deps.port;
    this.#priority = this.config.priority;
    this.#primary = this.config.primaryAddress;
    this.#masterAdverMs = this.config.advertisementIntervalMs;
    this.#down = new Deadline(deps.clock, () => this.#onMasterDown());
    this.#speaker = new VrrpSpeaker(
      this.config,
      { clock: deps.clock, log: deps.log, port: deps.port, counters: this.counters },
      this.#priority,
    );
    const first = this.config.virtualAddresses[0]!.address;
    if (
      this.config.family === 6 && !isLinkLocal6(first)
    ) {
      this.#log.warn(
        `vrrp ${this.name}: the first IPv6 virtual address should be link-local (RFC 5798 §5.2.9)`,
      );
    }
  }

  get name(): string {
    return this.config.name;
  }
  get state(): VrrpState {
    return this.#state;
  }
  /** The priority in use (configured, possibly changed by {@linkcode setPriority}). */
  get priority(): number {
    return this.#priority;
  }
  get isOwner(): boolean {
    return this.#priority === PRIORITY_OWNER;
  }
  get primaryAddress(): IpAddress {
    return this.#primary;
  }
  /** What holds the instance in Initialize (empty when running). */
  get blockedBy(): VrrpBlocker[] {
    return [...this.#blockers];
  }
  /** Whether `start()` was ever called. */
  get started(): boolean {
    return this.#started;
  }
  /**
   * Failed, for a sync group: its link is down, or it was stopped after it
   * ran (a member that was never started is just not ready yet).
   */
  get failed(): boolean {
    return this.#blockers.has("link-down") || (this.#started && this.#blockers.has("stopped"));
  }
  /** Master, or Backup that would be master if its sync group let it. */
  get wantsMaster(): boolean {
    return this.#state === "master" || (this.#state === "backup" && this.#wantMaster);
  }
  /** Master_Adver_Interval (§6.1), ms: learned from the master in Backup. */
  get masterAdverIntervalMs(): number {
    return this.#masterAdverMs;
  }
  get skewTimeMs(): number {
    return skewTimeMs(this.#priority, this.#masterAdverMs);
  }
  get masterDownIntervalMs(): number {
    return masterDownIntervalMs(this.#priority, this.#masterAdverMs);
  }
  /** When the Master_Down_Timer fires (monotonic ms), in Backup. */
  get masterDownDue(): number | undefined {
    return this.#down.due;
  }
  /** Why the instance would become master when the Master_Down_Timer fires. */
  get nextMasterReason(): string {
    return this.#nextMasterReason;
  }
  /** The current master: this node, the last accepted sender, or unknown. */
  get master(): VrrpMasterInfo | undefined {
    return this.#master;
  }
  get lastTransition(): VrrpTransition | undefined {
    return this.#last;
  }
  /** The preempt-delay deadline running against a lower-priority master, if any. */
  get preemptDeadline(): number | undefined {
    return this.#preemptDeadline;
  }
  get clock(): Clock {
    return this.#clock;
  }

  /** Subscribes to transitions (after the new state's actions ran). */
  onTransition(fn: (t: VrrpTransition) => void): () => void {
    return this.#events.on("transition", fn);
  }

  /**
   * Subscribes to changes of what holds the instance in Initialize (link
   * down / up while already held, for instance), after any transition they
   * caused.
   */
  onBlockersChange(fn: (blockers: readonly VrrpBlocker[]) => void): () => void {
    return this.#events.on("blockers", fn);
  }

  /** A sync group's say before becoming master (undefined: no group). */
  setMasterGate(gate: MasterGate | undefined): void {
    this.#gate = gate;
  }

  // ---------------------------------------------------------------- inputs

  /** The Startup event (§6.4.1); the startup delay counts from the first call. */
  start(): void {
    if (!this.#started) {
      this.#started = true;
      this.#startupUntil = this.#clock.now() + this.config.startupDelayMs;
    }
    this.#unblock("stopped", "startup", "started");
  }

  /** The Shutdown event (§6.4.2, §6.4.3): a master sends priority 0 and leaves. */
  stop(reason = "stopped"): void {
    this.#block("stopped", "shutdown", reason);
  }

  /** Link tracking: the link-interface went down. */
  linkDown(): void {
    this.#block("link-down", "link-down", `link ${this.config.linkInterface} down`);
  }

  /** Link tracking: the link-interface is back. */
  linkUp(): void {
    this.#unblock("link-down", "startup", `link ${this.config.linkInterface} up`);
  }

  /** Sync group: hold this member in Initialize (another member failed). */
  hold(reason: string): void {
    this.#block("group", "group", reason);
  }

  /** Sync group: the failure is over. */
  release(reason: string): void {
    this.#unblock("group", "startup", reason);
  }

  /** Sync group: become master with the others (no-op unless Backup). */
  forceMaster(reason: string): void {
    if (this.#state === "backup") this.#toMaster("group", reason);
  }

  /** Sync group: become backup with the others (no-op unless Master). */
  forceBackup(reason: string): void {
    if (this.#state !== "master") return;
    this.#masterAdverMs = this.config.advertisementIntervalMs;
    this.#master = undefined;
    this.#toBackup("group", reason);
  }

  /** Changes the priority at run time (config change); 255 makes a backup take over at once. */
  setPriority(priority: number): void {
    if (!Number.isInteger(priority) || priority < 1 || priority > 255) {
      throw new RangeError(`Cannot set "priority": ${priority} is out of range 1..255`);
    }
    if (priority === this.#priority) return;
    this.#log.control(`vrrp ${this.name}: priority ${this.#priority} -> ${priority}`);
    this.#priority = priority;
    this.#speaker.encode(priority, this.#primary);
    if (this.#state === "master") this.#master = this.#selfInfo();
    if (this.#state === "backup" && this.isOwner) {
      this.#wantMaster = true;
      this.#nextMasterReason = "address owner (priority 255)";
      this.#onMasterDown();
    }
  }

  /** The link's primary address changed (adverts' source and tie-break address). */
  setPrimaryAddress(addr: IpAddress): void {
    if (addr.family !== this.config.family) {
      throw new RangeError(`Cannot use ${formatIp(addr)} as primary address of vrrp ${this.name}`);
    }
    this.#primary = addr;
    this.#speaker.encode(this.#priority, addr);
    if (this.#state === "master") this.#master = this.#selfInfo();
  }

  /**
   * A received VRRP message (IP payload) with its IP source, destination
   * and TTL / hop limit, and when it arrived (clock ms; default now). Timers
   * a backup restarts count from the arrival (§6.4.2), so a message read
   * late does not push the takeover later. Never throws; refusals bump
   * `counters.drops`.
   */
  receive(
    message: Uint8Array,
    src: IpAddress,
    dst: IpAddress,
    ttl: number,
    receivedAt?: number,
  ): void {
    if (src.family !== this.config.family) return this.#drop("family", src, "wrong family");
    const r = decodeVrrp(message, { src, dst, ttl });
    if (!r.ok) return this.#drop(r.reason, src, `${r.detail} (offset ${r.offset})`);
    const adv = r.advert;
    if (adv.vrid !== this.config.vrid) {
      return this.#drop("vrid", src, `VRID ${adv.vrid} is not ${this.config.vrid}`);
    }
    if (this.#state === "initialize") return this.#drop("inactive", src, "not running");
    if (ipEqual(src, this.#primary)) return this.#drop("own", src, "our own address");
    if (this.isOwner) {
      // §7.1: the address owner discards every advert.
      if (adv.priority === PRIORITY_OWNER) {
        this.#warnOnce(
          `owner:${formatIp(src)}`,
          `${formatIp(src)} also claims to own the addresses`,
        );
      }
      return this.#drop("owner", src, "we own the addresses");
    }
    if (adv.priority !== PRIORITY_OWNER && !this.#sameAddresses(adv)) {
      this.#warnOnce(
        `addr:${formatIp(src)}`,
        `${formatIp(src)} advertises ${
          adv.addresses.map(formatIp).join(", ")
        }, not our virtual addresses (RFC 5798 §7.1)`,
      );
      return this.#drop("addresses", src, "address list mismatch");
    }
    this.counters.advertsReceived++;
    if (adv.priority === PRIORITY_RESIGN) this.counters.priorityZeroReceived++;
    this.#log.raw(() =>
      `vrrp ${this.name}: advert from ${
        formatIp(src)
      } priority ${adv.priority} ${adv.intervalCs} cs`
    );
    if (this.#state === "backup") this.#backupReceive(adv, src, receivedAt);
    else this.#masterReceive(adv, src);
  }

  // ----------------------------------------------------- §6.4.2 / §6.4.3

  #backupReceive(adv: VrrpAdvert, src: IpAddress, receivedAt: number | undefined): void {
    const p = adv.priority;
    const ours = this.#priority;
    const now = this.#clock.now();
    const arrived = receivedAt === undefined ? now : Math.min(receivedAt, now);
    if (p === PRIORITY_RESIGN) {
      // §6.4.2: the master resigns; take over after Skew_Time only.
      this.#master = undefined;
      this.#nextMasterReason = `${formatIp(src)} resigned (priority 0), after skew time ${
        fmtMs(this.skewTimeMs)
      } ms`;
      this.#down.set(arrived + this.skewTimeMs);
      this.#log.control(`vrrp ${this.name}: ${this.#nextMasterReason}`);
      return;
    }
    const c = this.config;
    const delaying = c.preempt && c.preemptDelayMs > 0 && p < ours &&
      (this.#preemptDeadline === undefined || now < this.#preemptDeadline);
    if (!c.preempt || p >= ours || delaying) {
      // §6.4.2: accept the master, learn its interval, restart the Master_Down_Timer.
      this.#masterAdverMs = adv.intervalCs * 10;
      this.#master = { address: src, priority: p, intervalMs: this.#masterAdverMs, self: false };
      this.#wantMaster = false;
      const mdi = this.masterDownIntervalMs;
      this.#nextMasterReason = `no advertisement from ${formatIp(src)} for ${fmtMs(mdi)} ms`;
      this.#down.set(Math.max(arrived, this.#startupUntil) + mdi);
      if (c.preempt && c.preemptDelayMs > 0) {
        if (p >= ours) {
          this.#preemptDeadline = undefined;
        } else if (this.#preemptDeadline === undefined) {
          this.#preemptDeadline = now + c.preemptDelayMs;
          this.#log.control(
            `vrrp ${this.name}: lower-priority master ${formatIp(src)} (${p} < ${ours}): ` +
              `preempt delay ${fmtMs(c.preemptDelayMs)} ms started`,
          );
        }
      }
      return;
    }
    // §6.4.2: preempt mode and a lower priority: discard; the timer runs out.
    this.counters.preemptDiscards++;
    this.#master = { address: src, priority: p, intervalMs: adv.intervalCs * 10, self: false };
    this.#nextMasterReason = `preempting lower-priority master ${formatIp(src)} (${p} < ${ours})`;
    this.#log.detail(`vrrp ${this.name}: discarding advert: ${this.#nextMasterReason}`);
  }

  #masterReceive(adv: VrrpAdvert, src: IpAddress): void {
    const p = adv.priority;
    const ours = this.#priority;
    if (p === PRIORITY_RESIGN) {
      // §6.4.3: another master resigned: make sure everyone hears us now.
      this.#log.control(`vrrp ${this.name}: ${formatIp(src)} resigned (priority 0): advertising`);
      this.#speaker.advertiseNow();
      return;
    }
    const higherAddress = p === ours && compareIp(src, this.#primary) > 0;
    if (p > ours || higherAddress) {
      // §6.4.3: yield to the better master and learn its interval.
      this.#masterAdverMs = adv.intervalCs * 10;
      this.#master = { address: src, priority: p, intervalMs: this.#masterAdverMs, self: false };
      const reason = higherAddress
        ? `advert from ${formatIp(src)} with equal priority ${p} and a higher address`
        : `advert from ${formatIp(src)} with higher priority ${p} (ours ${ours})`;
      this.#toBackup(higherAddress ? "higher-address" : "higher-priority", reason);
      return;
    }
    // §6.4.3 says discard; keepalived answers to end a split brain sooner.
    if (this.#speaker.answerLowerPriority()) {
      this.#log.control(
        `vrrp ${this.name}: lower-priority advert from ${formatIp(src)} (${p}, ours ${ours}): ` +
          `asserting master`,
      );
    }
  }

  #onMasterDown(): void {
    if (this.#state !== "backup") return;
    const cause: VrrpCause = this.isOwner ? "owner" : "master-down";
    if (this.#gate && !this.#gate(this)) {
      this.#wantMaster = true;
      this.#down.setIn(this.masterDownIntervalMs);
      this.#log.control(
        `vrrp ${this.name}: would become master (${this.#nextMasterReason}); ` +
          `its sync group waits for the other members`,
      );
      return;
    }
    this.#toMaster(cause, this.#nextMasterReason);
  }

  // ------------------------------------------------------------ Initialize

  #block(b: VrrpBlocker, cause: VrrpCause, reason: string): void {
    if (this.#blockers.has(b)) return;
    this.#blockers.add(b);
    if (this.#state !== "initialize") this.#transition("initialize", cause, reason);
    this.#events.emit("blockers", this.blockedBy);
  }

  #unblock(b: VrrpBlocker, cause: VrrpCause, reason: string): void {
    if (!this.#blockers.delete(b)) return;
    if (this.#blockers.size === 0 && this.#state === "initialize") this.#startup(cause, reason);
    this.#events.emit("blockers", this.blockedBy);
  }

  /** §6.4.1 Startup event. */
  #startup(cause: VrrpCause, reason: string): void {
    this.#masterAdverMs = this.config.advertisementIntervalMs;
    this.#master = undefined;
    const now = this.#clock.now();
    const delayed = now < this.#startupUntil;
    if (this.isOwner && !delayed && (!this.#gate || this.#gate(this))) {
      this.#toMaster("owner", `${reason}: address owner (priority 255)`);
      return;
    }
    this.#toBackup(
      cause,
      delayed ? `${reason} (startup delay until +${fmtMs(this.#startupUntil - now)} ms)` : reason,
    );
  }

  // ----------------------------------------------------------- transitions

  #toMaster(cause: VrrpCause, reason: string): void {
    this.#transition("master", cause, reason);
  }

  #toBackup(cause: VrrpCause, reason: string): void {
    this.#transition("backup", cause, reason);
  }

  #transition(to: VrrpState, cause: VrrpCause, reason: string): void {
    const from = this.#state;
    if (!VRRP_TRANSITIONS[from].includes(to)) {
      throw new Error(`vrrp ${this.name}: illegal transition ${from} -> ${to} (${cause})`);
    }
    if (from === "master") this.#leaveMaster(to);
    this.#state = to;
    const t: VrrpTransition = {
      instance: this.name,
      from,
      to,
      cause,
      reason,
      at: this.#clock.wallNow(),
    };
    this.#last = t;
    this.counters.transitions++;
    this.#log.audit(`vrrp ${this.name}: ${from} -> ${to} (${cause}: ${reason})`);
    if (to === "master") this.#enterMaster();
    else if (to === "backup") this.#enterBackup(from);
    else this.#enterInitialize();
    this.#events.emit("transition", t);
  }

  #enterMaster(): void {
    this.#down.cancel();
    this.#wantMaster = false;
    this.#preemptDeadline = undefined;
    this.#masterAdverMs = this.config.advertisementIntervalMs;
    this.#master = this.#selfInfo();
    this.counters.becameMaster++;
    this.#speaker.start(this.isOwner);
  }

  #leaveMaster(to: VrrpState): void {
    // §6.4.3 Shutdown sends priority 0; yielding to a better master does not.
    this.#speaker.stop(to === "initialize");
  }

  #enterBackup(from: VrrpState): void {
    this.#preemptDeadline = undefined;
    this.#wantMaster = this.isOwner;
    if (from === "initialize" && this.isOwner) {
      this.#nextMasterReason = "address owner (priority 255), startup delay over";
      this.#down.set(this.#startupUntil);
      return;
    }
    const mdi = this.masterDownIntervalMs;
    const from_ = this.#master ? ` from ${formatIp(this.#master.address)}` : "";
    this.#nextMasterReason = `no advertisement${from_} for ${fmtMs(mdi)} ms`;
    this.#down.set(Math.max(this.#clock.now(), this.#startupUntil) + mdi);
  }

  #enterInitialize(): void {
    this.#down.cancel();
    this.#master = undefined;
    this.#wantMaster = false;
    this.#preemptDeadline = undefined;
    this.#nextMasterReason = "";
  }

  // -------------------------------------------------------------- helpers

  #selfInfo(): VrrpMasterInfo {
    return {
      address: this.#primary,
      priority: this.#priority,
      intervalMs: this.config.advertisementIntervalMs,
      self: true,
    };
  }

  #sameAddresses(adv: VrrpAdvert): boolean {
    const ours = this.config.virtualAddresses;
    if (adv.addresses.length !== ours.length) return false;
    return ours.every((v) => adv.addresses.some((a) => ipEqual(a, v.address)));
  }

  #drop(reason: VrrpDropReason, src: IpAddress, detail: string): void {
    this.counters.drops[reason]++;
    this.#log.raw(() => `vrrp ${this.name}: dropped from ${formatIp(src)}: ${reason}: ${detail}`);
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#log.warn(`vrrp ${this.name}: ${message}`);
  }
}
