/**
 * The virtual link of one instance (the decision documented in `port.ts`):
 * a bridge-mode macvlan (why bridge: `port.ts`) named after the `vrrp <name>` interface on the
 * `link-interface`, carrying the RFC 5798 §7.3 virtual MAC, with no
 * automatic IPv6 addresses; up with the virtual addresses on the master,
 * down and empty otherwise. Every operation reconciles with what the
 * kernel has, so a restart after a crash (SIGKILL leaves the macvlan, maybe
 * up with the addresses) converges, and repeating an operation is harmless.
 *
 * ```text
 * ensure:     ip link add <name> link <link> address <vmac> type macvlan mode bridge
 *             ip link set <name> addrgenmode none; sysctls of the plan
 *             (an existing <name> of the right kind is reused: set down, addresses flushed;
 *              anything else by that name is deleted first)
 * up:         ip link set <name> up
 *             ip addr replace <link-local of link>/64 dev <name> nodad     (IPv6: advert source)
 * addresses:  ip addr replace <vip> dev <name> [nodad]
 * deactivate: ip addr del <vip> dev <name>; ip link set <name> down
 * remove:     ip link del <name>
 * ```
 *
 * @module
 */
import { formatPrefix, type InterfaceAddress, type IpAddress } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import {
  EADDRNOTAVAIL,
  ENODEV,
  isErrno,
  type Netns,
  type Rtnl,
  writeSysctl,
} from "../kernel/mod.ts";
import { planVirtualLink, virtualMac } from "./port.ts";

/** What identifies an instance's virtual link. */
export interface VirtualLinkSpec {
  readonly name: string;
  readonly link: string;
  readonly vrid: number;
  readonly family: 4 | 6;
}

/** Errors that mean "already as wanted" when undoing. */
function gone(e: unknown): boolean {
  return isErrno(e, ENODEV) || isErrno(e, EADDRNOTAVAIL);
}

export class VirtualLink {
  readonly mac: string;
  #rtnl: Rtnl;
  #ns: Netns;
  #log: Logger;

  constructor(readonly spec: VirtualLinkSpec, deps: { rtnl: Rtnl; ns: Netns; log: Logger }) {
    this.#rtnl = deps.rtnl;
    this.#ns = deps.ns;
    this.#log = deps.log;
    this.mac = virtualMac(spec.vrid, spec.family);
  }

  /**
   * Makes sure the macvlan exists on `lowerIndex`, down and without
   * addresses; returns its ifindex.
   */
  async ensure(lowerIndex: number): Promise<number> {
    const { name } = this.spec;
    const links = this.#rtnl.links;
    const plan = planVirtualLink({
      name,
      linkInterface: this.spec.link,
      vrid: this.spec.vrid,
      family: this.spec.family,
      virtualAddresses: [],
      primaryAddress: { family: this.spec.family, bytes: new Uint8Array(this.spec.family * 4) },
    });

    let l = await links.find(name);
    if (
      l && (l.kind !== "macvlan" || l.macvlanMode !== plan.mode || l.parentIndex !== lowerIndex ||
        l.mac !== plan.mac)
    ) {
      this.#log.control(
        `vrrp ${name}: replacing link ${name} (${l.kind ?? "device"} ${l.macvlanMode ?? ""} ${
          l.mac ?? ""
        } on #${
          l.parentIndex ?? "-"
        }) by a ${plan.mode} macvlan on ${this.spec.link} with ${plan.mac}`,
      );
      await links.delete(l.index);
      l = undefined;
    }
    if (!l) {
      await links.addMacvlan(name, lowerIndex, {
        mode: plan.mode,
        mac: plan.mac,
        addrGenMode: plan.addrGenMode,
      });
      l = await links.get(name);
      this.#log.control(`vrrp ${name}: created macvlan ${name} on ${this.spec.link} (${this.mac})`);
    } else {
      if (l.up) await links.setDown(l.index);
      for (const a of await this.#rtnl.addrs.list({ link: l.index })) {
        await this.#rtnl.addrs.del(l.index, a.address).catch((e) => {
          if (!gone(e)) throw e;
        });
      }
      await links.setAddrGenMode(l.index, "none");
      this.#log.control(`vrrp ${name}: reusing macvlan ${name} (down, addresses flushed)`);
    }
    for (const s of plan.sysctls) writeSysctl(this.#ns, s.path, s.value);
    return l.index;
  }

  /**
   * IPv4: up with the virtual addresses before this returns (requests
   * whose answers are not awaited; {@linkcode up} and
   * {@linkcode addAddresses} confirm). False where that cannot be done:
   * IPv6 needs its link-local source, which stays tentative for a moment
   * after it is added.
   */
  activateNow(index: number, vips: readonly InterfaceAddress[]): boolean {
    if (this.spec.family !== 4 || !this.#rtnl.links.setUpNow(index)) return false;
    return vips.every((v) => this.#rtnl.addrs.replaceNow(index, v));
  }

  /** Up, with the IPv6 advert source (if any): adverts can leave from here on. */
  async up(index: number, linkLocal: IpAddress | undefined): Promise<void> {
    await this.#rtnl.links.setUp(index);
    if (this.spec.family === 6 && linkLocal) {
      await this.#rtnl.addrs.replace(index, { address: linkLocal, length: 64 }, { noDad: true });
    }
  }

  /** The virtual addresses added (after {@linkcode up}). */
  async addAddresses(index: number, vips: readonly InterfaceAddress[]): Promise<void> {
    const v6 = this.spec.family === 6;
    for (const v of vips) await this.#rtnl.addrs.replace(index, v, v6 ? { noDad: true } : {});
    this.#log.detail(
      `vrrp ${this.spec.name}: ${this.spec.name} up with ${vips.map(formatPrefix).join(", ")}`,
    );
  }

  /** The virtual addresses (and the IPv6 advert source) removed, then down. */
  async deactivate(
    index: number,
    vips: readonly InterfaceAddress[],
    linkLocal: IpAddress | undefined,
  ): Promise<void> {
    const del = (a: InterfaceAddress) =>
      this.#rtnl.addrs.del(index, a).catch((e) => {
        if (!gone(e)) throw e;
      });
    for (const v of vips) await del(v);
    if (this.spec.family === 6 && linkLocal) await del({ address: linkLocal, length: 64 });
    await this.#rtnl.links.setDown(index).catch((e) => {
      if (!gone(e)) throw e;
    });
    this.#log.detail(`vrrp ${this.spec.name}: ${this.spec.name} down`);
  }

  /** Deletes the macvlan if it is there (and ours: a macvlan with our MAC). */
  async remove(): Promise<void> {
    const l = await this.#rtnl.links.find(this.spec.name);
    if (!l || l.kind !== "macvlan" || l.mac !== this.mac) return;
    await this.#rtnl.links.delete(l.index).catch((e) => {
      if (!gone(e)) throw e;
    });
    this.#log.control(`vrrp ${this.spec.name}: removed macvlan ${this.spec.name}`);
  }
}
