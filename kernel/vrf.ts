/**
 * VRFs as network namespaces (DESIGN.md): `vrf main` is the namespace the
 * daemon started in; every other VRF `<name>` is the iproute2 namespace
 * `<prefix><name>`, created and removed by the daemon itself, so several
 * appliances can share one test host by using different prefixes, and an
 * operator can still `ip netns exec <prefix><name> …`.
 *
 * @module
 */
import { createNetns, deleteNetns, listNetns, Netns } from "./netns.ts";
import { Rtnl } from "./netlink/rtnl.ts";

/** The VRF that is the daemon's own namespace. */
export const MAIN_VRF = "main";

/** Checks a VRF name. */
export function validateVrfName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw new Error(`Cannot use "${name}" as a VRF name: use letters, digits, _ or -, up to 64`);
  }
}

/** The VRFs of one appliance: names mapped to namespaces with a prefix. */
export class Vrfs {
  constructor(readonly prefix: string) {
    if (!/^[A-Za-z0-9_.-]{0,32}$/.test(prefix)) {
      throw new Error(`Cannot use "${prefix}" as a VRF namespace prefix: up to 32 of A-Za-z0-9_.-`);
    }
  }

  /** The namespace name of a VRF (`undefined` for main). */
  netnsName(vrf: string): string | undefined {
    validateVrfName(vrf);
    return vrf === MAIN_VRF ? undefined : `${this.prefix}${vrf}`;
  }

  /** The namespace of a VRF (it need not exist yet). */
  netns(vrf: string): Netns {
    const name = this.netnsName(vrf);
    return name === undefined ? Netns.home() : Netns.named(name);
  }

  /** Runs `fn` synchronously inside the VRF (see `Netns.run`: no awaiting inside). */
  run<T>(vrf: string, fn: () => T): T {
    return this.netns(vrf).run(fn);
  }

  /** Whether the VRF's namespace exists (main always does). */
  exists(vrf: string): boolean {
    return this.netns(vrf).exists();
  }

  /**
   * Creates the VRF's namespace unless it exists, and brings its `lo` up:
   * `ip netns add <prefix><vrf>; ip -n <prefix><vrf> link set lo up`.
   * Idempotent; returns the namespace.
   */
  async ensure(vrf: string): Promise<Netns> {
    const ns = this.netns(vrf);
    if (!ns.exists()) createNetns(ns.name!);
    using nl = Rtnl.open(ns);
    const lo = await nl.links.get("lo");
    if (!lo.up) await nl.links.setUp("lo");
    return ns;
  }

  /**
   * Removes the VRF's namespace: `ip netns del <prefix><vrf>`. Its virtual
   * links go with it; physical ones fall back to the initial namespace.
   * Idempotent; main cannot be removed.
   */
  remove(vrf: string): void {
    const ns = this.netns(vrf);
    if (ns.isHome) throw new Error(`Cannot remove vrf "${vrf}": it is the daemon's own namespace`);
    if (ns.exists()) deleteNetns(ns.name!);
  }

  /** The VRFs that exist: main, then every `<prefix>*` namespace, by name. */
  list(): string[] {
    const out = [MAIN_VRF];
    if (this.prefix === "") return out;
    for (const n of listNetns()) {
      if (!n.startsWith(this.prefix)) continue;
      const vrf = n.slice(this.prefix.length);
      if (vrf !== MAIN_VRF && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(vrf)) out.push(vrf);
    }
    return out;
  }
}
