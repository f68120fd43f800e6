/**
 * The real {@linkcode VrrpPort} of one instance, over `kernel/`:
 *
 * - **Virtual link**: the instance's macvlan ({@linkcode VirtualLink}),
 *   created when the `link-interface` exists, brought up with the virtual
 *   addresses when the instance becomes master, down when it leaves.
 * - **Adverts**: a raw IP socket for protocol 112 per instance, bound to
 *   the advert source (IPv4: the link's primary address; IPv6: its
 *   link-local address, which the macvlan carries while master, bound
 *   with the macvlan as scope), multicast out of the macvlan
 *   (IP_MULTICAST_IF: source MAC = virtual MAC, RFC 5798 §7.3), TTL / hop
 *   limit 255 (§5.1.1.3, §5.1.2.2), TOS / traffic class 0xc0 (as
 *   keepalived), no loopback.
 * - **Announcements**: gratuitous ARP / unsolicited NA frames
 *   (`announce.ts`) out of an AF_PACKET socket on the macvlan. The NA's
 *   Router flag follows the link's IPv6 `forwarding` sysctl (§6.4.1, as
 *   keepalived).
 *
 * The port interface is synchronous (the state machine runs on timers and
 * received messages), netlink is not: link and address changes are jobs
 * in one queue per port, and sends requested while jobs are pending join
 * the queue behind them, so a new master's GARPs leave only once its
 * macvlan is up with the addresses, and a resigning master's priority-0
 * advert leaves before its addresses go. One exception keeps a takeover
 * as quick as keepalived's, which advertises before it adds its
 * addresses: the new master's first advert leaves as soon as the macvlan
 * is up, before the addresses are added (RFC 5798 §6.4.2 lists the advert
 * first too). For IPv4 the macvlan goes up with its addresses inside the
 * takeover itself (netlink requests the kernel applies while it takes
 * them, answers not awaited; a queued job confirms them and reports
 * errors), so the first advert and the GARPs leave in the same call as the
 * decision, as keepalived's do; awaiting each answer had put the GARPs 2 to
 * 12 ms behind the advert on a loaded host. When nothing is pending, sends
 * go out at once and allocate nothing.
 *
 * @module
 */
import {
  formatIp,
  formatPrefix,
  type InterfaceAddress,
  type IpAddress,
  ipEqual,
} from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import {
  type Netns,
  PacketSocket,
  RawSocket,
  readSysctl,
  type Rtnl,
  type SocketCounters,
} from "../kernel/mod.ts";
import { garpFrame, macBytes, unsolicitedNaFrame } from "./announce.ts";
import { VRRP_PROTOCOL, VRRP_TTL, vrrpGroup } from "./packet.ts";
import type { VrrpPort } from "./port.ts";
import { JobQueue } from "./job_queue.ts";
import { VirtualLink, type VirtualLinkSpec } from "./virtual_link.ts";

/** TOS / traffic class of adverts (internetwork control, as keepalived sends them). */
const ADVERT_TOS = 0xc0;

/** Counters of a port, for `show vrrp`. */
export interface KernelPortCounters {
  advertsSent: number;
  advertErrors: number;
  framesSent: number;
  frameErrors: number;
  /** Failed link or address changes. */
  linkErrors: number;
  /** The last failure, for the operator. */
  lastError: string;
}

/** Where the virtual link is. */
export type VirtualLinkState = "absent" | "down" | "up";

/** The port's status as `show vrrp` reports it. */
export interface KernelPortStatus {
  readonly virtualLink: string;
  readonly virtualMac: string;
  readonly ifindex: number | null;
  readonly state: VirtualLinkState;
  readonly counters: KernelPortCounters;
}

export class KernelVrrpPort implements VrrpPort {
  readonly counters: KernelPortCounters = {
    advertsSent: 0,
    advertErrors: 0,
    framesSent: 0,
    frameErrors: 0,
    linkErrors: 0,
    lastError: "",
  };
  readonly #spec: VirtualLinkSpec;
  readonly #ns: Netns;
  readonly #log: Logger;
  readonly #vlink: VirtualLink;
  readonly #queue: JobQueue;
  readonly #group: IpAddress;
  #index: number | undefined;
  /** The macvlan is up: adverts can leave. */
  #linkUp = false;
  /** …and has the virtual addresses: GARPs can announce them. */
  #up = false;
  /** An activation job has not brought the macvlan up yet. */
  #activating = false;
  /** The macvlan came up with its addresses synchronously: sends need not wait for the confirming job. */
  #sendDirect = false;
  /** The advert asked for while activating, sent once the macvlan is up. */
  #early: { message: Uint8Array; src: IpAddress } | undefined;
  /** The advert source: the link's primary IPv4 or its IPv6 link-local address. */
  #source: IpAddress | undefined;
  #send: RawSocket | undefined;
  #sendSrc: IpAddress | undefined;
  #sendIndex = 0;
  #packet: PacketSocket | undefined;
  #frames: Uint8Array[] = [];
  /** The addresses `#frames` announce (text), to reuse IPv4 frames across takeovers. */
  #framesKey = "";
  #closed = false;
  #warnedAccept = false;

  /**
   * The port of instance `spec.name`; with `virtualAddresses`, its IPv4
   * announcements are built ahead, off the takeover path.
   */
  constructor(
    spec: VirtualLinkSpec,
    deps: { ns: Netns; rtnl: Rtnl; log: Logger },
    virtualAddresses?: readonly InterfaceAddress[],
  ) {
    this.#spec = spec;
    this.#ns = deps.ns;
    this.#log = deps.log;
    this.#vlink = new VirtualLink(spec, deps);
    this.#group = vrrpGroup(spec.family);
    this.#queue = new JobQueue((e) => this.#fail("change the virtual link", e));
    if (virtualAddresses && spec.family === 4) this.#buildFrames(virtualAddresses);
  }

  /** The status for `show vrrp`. */
  status(): KernelPortStatus {
    return {
      virtualLink: this.#spec.name,
      virtualMac: this.#vlink.mac,
      ifindex: this.#index ?? null,
      state: this.#index === undefined ? "absent" : this.#linkUp ? "up" : "down",
      counters: { ...this.counters },
    };
  }

  /** Errors of the advert socket (errno of the last failure among them). */
  get socketCounters(): SocketCounters | undefined {
    return this.#send?.counters;
  }

  /** The link-interface exists (again) as `lowerIndex`: make the macvlan. */
  attach(lowerIndex: number): void {
    this.#queue.push(async () => {
      if (this.#closed) return;
      const index = await this.#vlink.ensure(lowerIndex);
      this.#closeSockets();
      this.#index = index;
      this.#up = this.#linkUp = false;
      this.#packet = PacketSocket.open(this.#ns, index);
      this.#prepareSocket();
    });
  }

  /** The link-interface is gone (and its macvlan with it). */
  detach(): void {
    this.#queue.push(() => {
      this.#closeSockets();
      this.#index = undefined;
      this.#up = this.#linkUp = false;
    });
  }

  /**
   * The advert source: the link-interface's primary IPv4 address, or its
   * IPv6 link-local address (which the macvlan carries while master).
   */
  setSource(addr: IpAddress | undefined): void {
    this.#source = addr;
    if (!this.#queue.busy) this.#prepareSocket();
  }

  /** Resolves once every queued change has been made. */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Removes the macvlan and closes the sockets (after queued work); the port is done. */
  async close(): Promise<void> {
    this.#queue.push(async () => {
      this.#closed = true;
      this.#closeSockets();
      this.#index = undefined;
      this.#up = this.#linkUp = false;
      await this.#vlink.remove();
    });
    await this.#queue.idle();
  }

  // ------------------------------------------------------------- VrrpPort

  sendAdvert(message: Uint8Array, src: IpAddress): boolean {
    if (this.#sendDirect) return this.#sendNow(message, src);
    if (this.#activating && !this.#linkUp) {
      this.#early = { message: message.slice(), src };
      return true;
    }
    if (this.#queue.busy) {
      const copy = message.slice();
      this.#queue.push(() => void this.#sendNow(copy, src));
      return true;
    }
    return this.#sendNow(message, src);
  }

  addVirtualAddresses(addrs: readonly InterfaceAddress[], accept: boolean): void {
    if (!accept && !this.#warnedAccept) {
      this.#warnedAccept = true;
      this.#log.warn(
        `vrrp ${this.#spec.name}: accept mode off is not enforced; the virtual addresses accept traffic`,
      );
    }
    const list = [...addrs];
    const index = this.#index;
    if (!this.#queue.busy && index !== undefined && this.#vlink.activateNow(index, list)) {
      this.#linkUp = this.#up = this.#sendDirect = true;
      this.#buildFrames(list);
      this.#queue.push(async () => {
        try {
          await this.#vlink.up(index, undefined);
          await this.#vlink.addAddresses(index, list);
        } finally {
          this.#sendDirect = false;
        }
      });
      return;
    }
    this.#activating = true;
    this.#queue.push(async () => {
      try {
        if (this.#index === undefined) throw new Error(`${this.#spec.name} does not exist`);
        await this.#vlink.up(this.#index, this.#v6Source());
        this.#linkUp = true;
      } finally {
        this.#activating = false;
        const early = this.#early;
        this.#early = undefined;
        if (early) this.#sendNow(early.message, early.src);
      }
      await this.#vlink.addAddresses(this.#index, list);
      this.#up = true;
      this.#buildFrames(list);
    });
  }

  removeVirtualAddresses(addrs: readonly InterfaceAddress[]): void {
    const list = [...addrs];
    this.#queue.push(async () => {
      this.#up = false;
      if (this.#index === undefined) return;
      await this.#vlink.deactivate(this.#index, list, this.#v6Source());
      this.#linkUp = false;
    });
  }

  announce(_addrs: readonly InterfaceAddress[], count: number): void {
    if (this.#queue.busy && !this.#sendDirect) this.#queue.push(() => this.#announceNow(count));
    else this.#announceNow(count);
  }

  // -------------------------------------------------------------- helpers

  #sendNow(message: Uint8Array, src: IpAddress): boolean {
    if (!this.#linkUp || this.#index === undefined) {
      this.counters.advertErrors++;
      return false;
    }
    const sock = this.#sendSocket(src, this.#index);
    if (sock && sock.sendTo(message, message.length, this.#group)) {
      this.counters.advertsSent++;
      return true;
    }
    this.counters.advertErrors++;
    if (sock) this.counters.lastError = `advert: errno ${sock.counters.lastErrno}`;
    return false;
  }

  /** The advert socket for `src` out of the macvlan `index`, (re)opened when either changed. */
  #sendSocket(src: IpAddress, index: number): RawSocket | undefined {
    if (this.#send && this.#sendIndex === index && this.#sendSrc && ipEqual(this.#sendSrc, src)) {
      return this.#send;
    }
    this.#send?.close();
    this.#send = undefined;
    const v6 = this.#spec.family === 6;
    try {
      const s = RawSocket.open({
        ns: this.#ns,
        family: this.#spec.family,
        protocol: VRRP_PROTOCOL,
        address: src,
        ...(v6 ? { scopeId: index } : {}),
      });
      try {
        s.setMulticastInterface(index);
        s.setMulticastTtl(VRRP_TTL);
        s.setMulticastLoop(false);
        s.setTrafficClass(ADVERT_TOS);
      } catch (e) {
        s.close();
        throw e;
      }
      this.#send = s;
      this.#sendSrc = src;
      this.#sendIndex = index;
      this.#log.detail(
        `vrrp ${this.#spec.name}: advert socket from ${formatIp(src)} out of ${this.#spec.name}`,
      );
      return s;
    } catch (e) {
      this.#fail(`open the advert socket from ${formatIp(src)}`, e);
      return undefined;
    }
  }

  #v6Source(): IpAddress | undefined {
    return this.#spec.family === 6 ? this.#source : undefined;
  }

  /**
   * IPv4: opens the advert socket ahead of the first takeover (its bind
   * address is on the link, its multicast interface may be down). IPv6
   * binds to the link-local on the macvlan, which exists only while master.
   */
  #prepareSocket(): void {
    if (this.#spec.family === 4 && this.#source && this.#index !== undefined) {
      this.#sendSocket(this.#source, this.#index);
    }
  }

  /** The GARP / NA frames for `vips` (IPv4 ones kept; the NA's Router flag is read each time). */
  #buildFrames(vips: readonly InterfaceAddress[]): void {
    const mac = macBytes(this.#vlink.mac);
    if (this.#spec.family === 4) {
      const key = vips.map(formatPrefix).join(" ");
      if (key === this.#framesKey) return;
      this.#frames = vips.map((v) => garpFrame(mac, v.address));
      this.#framesKey = key;
      return;
    }
    let router = false;
    try {
      router = readSysctl(this.#ns, `net/ipv6/conf/${this.#spec.link}/forwarding`) === "1";
    } catch { /* the link went away; no Router flag */ }
    this.#frames = vips.map((v) => unsolicitedNaFrame(mac, v.address, router));
  }

  #announceNow(count: number): void {
    const p = this.#packet;
    if (!p || !this.#up) {
      this.counters.frameErrors += count * this.#frames.length;
      return;
    }
    for (let i = 0; i < count; i++) {
      for (const f of this.#frames) {
        try {
          p.sendFrame(f, f.length, "a gratuitous ARP / NA");
          this.counters.framesSent++;
        } catch (e) {
          this.counters.frameErrors++;
          this.counters.lastError = (e as Error).message;
        }
      }
    }
  }

  #fail(what: string, e: unknown): void {
    this.counters.linkErrors++;
    const msg = e instanceof Error ? e.message : String(e);
    this.counters.lastError = msg;
    this.#log.error(`vrrp ${this.#spec.name}: cannot ${what}: ${msg}`);
  }

  #closeSockets(): void {
    this.#send?.close();
    this.#send = undefined;
    this.#sendSrc = undefined;
    this.#packet?.close();
    this.#packet = undefined;
  }
}
