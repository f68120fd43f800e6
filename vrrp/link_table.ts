/**
 * What VRRP needs to know about the links of its VRF, kept current from
 * rtnetlink (a dump at start, then link and address events): whether each
 * `link-interface` exists and is operationally up, its ifindex, and its
 * primary address (RFC 5798 §5.1.1.1: the IPv4 source of adverts is the
 * primary address of the interface; §5.1.2.1: the IPv6 source is its
 * link-local address). Pure data: the runtime feeds it and asks.
 *
 * A link counts as up when it is administratively up and its operational
 * state is UP (or UNKNOWN with a carrier, as for links without operstate
 * support). An IPv6 link-local address counts only once it is usable (not
 * tentative, not DAD-failed): before that, binding to it fails.
 *
 * @module
 */
import { type IpAddress, ipEqual } from "../core/ip.ts";
import type { Address, Link, RtnlEvent } from "../kernel/mod.ts";
import { IFA_F_DADFAILED, IFA_F_TENTATIVE } from "../kernel/mod.ts";

/** IFA_F_SECONDARY: an IPv4 address that is not the primary of its subnet. */
const IFA_F_SECONDARY = 0x01;
const SCOPE_LINK = 253;
const SCOPE_HOST = 254;

/** What VRRP uses of one link. */
export interface LinkFacts {
  readonly index: number;
  readonly up: boolean;
  readonly primary4: IpAddress | undefined;
  readonly linkLocal6: IpAddress | undefined;
}

/** Links and addresses of one namespace. */
export class LinkTable {
  #links = new Map<number, Link>();
  #byName = new Map<string, number>();
  #addrs = new Map<number, Address[]>();

  /** Replaces everything with a fresh dump. */
  reset(links: readonly Link[], addrs: readonly Address[]): void {
    this.#links.clear();
    this.#byName.clear();
    this.#addrs.clear();
    for (const l of links) this.#setLink(l);
    for (const a of addrs) this.#addAddr(a);
  }

  /**
   * Applies one event; returns the names of the links whose facts may have
   * changed (empty for events that do not concern VRRP; `overrun` is the
   * caller's business: re-dump and {@linkcode reset}).
   */
  apply(ev: RtnlEvent): string[] {
    if (ev.kind === "link") {
      const old = this.#links.get(ev.link.index);
      if (ev.action === "del") {
        this.#links.delete(ev.link.index);
        this.#addrs.delete(ev.link.index);
        if (this.#byName.get(ev.link.name) === ev.link.index) this.#byName.delete(ev.link.name);
      } else {
        this.#setLink(ev.link);
      }
      return old && old.name !== ev.link.name ? [old.name, ev.link.name] : [ev.link.name];
    }
    if (ev.kind === "addr") {
      const link = this.#links.get(ev.addr.index);
      if (ev.action === "del") this.#delAddr(ev.addr);
      else this.#addAddr(ev.addr);
      return link ? [link.name] : [];
    }
    return [];
  }

  /** The link called `name`, if it exists. */
  link(name: string): Link | undefined {
    const i = this.#byName.get(name);
    return i === undefined ? undefined : this.#links.get(i);
  }

  /** The link with ifindex `index`. */
  linkByIndex(index: number): Link | undefined {
    return this.#links.get(index);
  }

  /** The facts of link `name`, or undefined when it does not exist. */
  facts(name: string): LinkFacts | undefined {
    const l = this.link(name);
    if (!l) return undefined;
    const addrs = this.#addrs.get(l.index) ?? [];
    const v4 = addrs.find((a) =>
      a.address.address.family === 4 && !(a.flags & IFA_F_SECONDARY) && a.scope < SCOPE_HOST
    );
    const v6 = addrs.find((a) =>
      a.address.address.family === 6 && a.scope === SCOPE_LINK &&
      !(a.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
    );
    return {
      index: l.index,
      up: isUp(l),
      primary4: v4?.address.address,
      linkLocal6: v6?.address.address,
    };
  }

  #setLink(l: Link): void {
    const old = this.#links.get(l.index);
    if (old && old.name !== l.name && this.#byName.get(old.name) === l.index) {
      this.#byName.delete(old.name);
    }
    this.#links.set(l.index, l);
    this.#byName.set(l.name, l.index);
  }

  #addAddr(a: Address): void {
    const list = this.#addrs.get(a.index) ?? [];
    const i = list.findIndex((x) => ipEqual(x.address.address, a.address.address));
    if (i >= 0) list[i] = a;
    else list.push(a);
    this.#addrs.set(a.index, list);
  }

  #delAddr(a: Address): void {
    const list = this.#addrs.get(a.index);
    if (!list) return;
    const i = list.findIndex((x) => ipEqual(x.address.address, a.address.address));
    if (i >= 0) list.splice(i, 1);
  }
}

/** Whether a link carries traffic: admin up and operationally up. */
export function isUp(l: Link): boolean {
  if (!l.up) return false;
  return l.operState === "UP" || (l.operState === "UNKNOWN" && l.lowerUp);
}
