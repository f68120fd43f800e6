/**
 * `vrf <vrf> interface physical <name>`: the daemon adopts the kernel link
 * its `port` names (a link name, or a PCI location `pci-b0s3`; without
 * `port`, the link named like the interface) from the main VRF, renames it
 * to the configured name, moves it into its VRF, sets its MTU, brings it up
 * and gives it its addresses. Removing the configuration gives the link
 * back to the main VRF under its original name, with its original MTU,
 * state and addresses.
 *
 * A move is `ip link set … down; … name <transit>; … netns <vrf>;
 * … name <name>` (the transit name collides with nothing on either side).
 * The link is found again by name, or by MAC address after a crash
 * half-way; what to give back is in the owned record (`owned.ts`).
 *
 * @module
 */
import { formatPrefix } from "../core/ip.ts";
import type { Change } from "../config/appliers.ts";
import { RT_SCOPE_LINK } from "../kernel/netlink/route.ts";
import type { PhysicalInterfaceConfig } from "../config/root_schema.ts";
import type { Link } from "../kernel/netlink/link_info.ts";
import { findPortLink, parsePort, pciAddress } from "../kernel/port.ts";
import { syncAddresses } from "./address_sync.ts";
import { applyChange, type KernelEnv, MAIN_VRF } from "./kernel_env.ts";
import { desiredAddresses, transitName } from "./kernel_plan.ts";
import type { OwnedPhysical } from "./owned.ts";

/** A link and the VRF it is in. */
interface Located {
  readonly vrf: string;
  readonly link: Link;
}

/** Links that share their MAC with another (a bridge, a VLAN, a macvlan) are never ours by MAC. */
const OVERLAY_KINDS = new Set(["bridge", "vlan", "macvlan", "macvtap", "ipvlan", "bond", "team"]);

export class PhysicalApplier {
  constructor(readonly env: KernelEnv) {}

  async apply(change: Change<PhysicalInterfaceConfig>): Promise<void> {
    const [vrf, name] = change.keys.map(String) as [string, string];
    await applyChange(
      this.env,
      change,
      (cfg) => this.adopt(vrf, name, cfg),
      () => this.release(vrf, name),
    );
  }

  /** The link of a port in the main VRF. */
  async findPort(port: string): Promise<Link | undefined> {
    const p = parsePort(port);
    using nl = this.env.open(MAIN_VRF);
    if (p.kind === "name") return await nl.links.find(p.name);
    const links = await nl.links.list();
    const want = pciAddress(p);
    const direct = links.find((l) => l.parentBus === "pci" && l.parentDevice === want);
    if (direct) return direct;
    // A virtio NIC's parent is the virtio device; sysfs knows its PCI function.
    const viaSysfs = findPortLink(p);
    return viaSysfs === undefined ? undefined : links.find((l) => l.name === viaSysfs);
  }

  /** Where an adopted link is now: by name in its VRF, else by MAC there or in main. */
  async locate(entry: OwnedPhysical): Promise<Located | undefined> {
    for (const vrf of new Set([entry.vrf, MAIN_VRF])) {
      if (!this.env.exists(vrf)) continue;
      using nl = this.env.open(vrf);
      const links = await nl.links.list();
      const same = (l: Link) =>
        (entry.mac === undefined || l.mac === entry.mac) && l.kind === entry.linkKind;
      const byName = vrf === entry.vrf
        ? links.find((l) => l.name === entry.name && same(l))
        : undefined;
      const byMac = entry.mac === undefined
        ? undefined
        : links.find((l) => same(l) && !OVERLAY_KINDS.has(l.kind ?? ""));
      const link = byName ?? byMac;
      if (link) return { vrf, link };
    }
    return undefined;
  }

  /** Brings the configured interface into its VRF under its name, up, with its addresses. */
  async adopt(vrf: string, name: string, cfg: PhysicalInterfaceConfig): Promise<void> {
    const port = cfg.port ?? name;
    let entry = this.env.owned.link(vrf, name);
    if (entry?.kind === "physical" && entry.port !== port) {
      await this.release(vrf, name);
      entry = undefined;
    }
    let at = entry?.kind === "physical" ? await this.locate(entry) : undefined;
    if (!at) {
      const link = await this.findPort(port);
      if (!link) throw new Error(`port ${port}: no such link in vrf ${MAIN_VRF}`);
      const other = this.env.owned.links().find((l) =>
        l.kind === "physical" && !(l.vrf === vrf && l.name === name) &&
        (l.port === port || (l.mac !== undefined && l.mac === link.mac))
      );
      if (other) {
        throw new Error(
          `port ${port} is already used by vrf ${other.vrf} interface physical ${other.name}`,
        );
      }
      if (entry?.kind !== "physical") {
        using home = this.env.open(MAIN_VRF);
        const addrs = (await home.addrs.list({ link: link.index }))
          .filter((a) => a.scope !== RT_SCOPE_LINK).map((a) => formatPrefix(a.address));
        this.env.owned.putLink({
          kind: "physical",
          vrf,
          name,
          port,
          origName: link.name,
          origMtu: link.mtu,
          origUp: link.up,
          ...(addrs.length > 0 ? { origAddrs: addrs } : {}),
          ...(link.mac !== undefined ? { mac: link.mac } : {}),
          ...(link.kind !== undefined ? { linkKind: link.kind } : {}),
        });
      }
      at = { vrf: MAIN_VRF, link };
    }
    if (await this.place(at, vrf, name)) {
      this.env.log.control(`vrf ${vrf} interface ${name}: link ${at.link.name} adopted`);
    }
    using nl = this.env.open(vrf);
    const link = await nl.links.get(name);
    if (link.mtu !== cfg.mtu) await nl.links.setMtu(name, cfg.mtu);
    if (!link.up) await nl.links.setUp(name);
    await syncAddresses(this.env, nl, { vrf, name }, name, desiredAddresses(cfg));
  }

  /** Gives an adopted link back to the main VRF as it was; forgets it. */
  async release(vrf: string, name: string): Promise<void> {
    const entry = this.env.owned.link(vrf, name);
    if (entry?.kind !== "physical") return;
    const at = await this.locate(entry);
    if (at) {
      if (at.vrf === vrf) {
        using nl = this.env.open(vrf);
        await syncAddresses(this.env, nl, { vrf, name }, at.link.index, []);
      }
      await this.place(at, MAIN_VRF, entry.origName);
      using home = this.env.open(MAIN_VRF);
      const link = await home.links.get(entry.origName);
      if (link.mtu !== entry.origMtu) await home.links.setMtu(link.index, entry.origMtu);
      if (entry.origUp && !link.up) await home.links.setUp(link.index);
      if (!entry.origUp && link.up) await home.links.setDown(link.index);
      const now = new Set(
        (await home.addrs.list({ link: link.index })).map((a) => formatPrefix(a.address)),
      );
      for (const a of entry.origAddrs ?? []) {
        if (!now.has(a)) await home.addrs.add(link.index, a, { broadcast: true });
      }
      this.env.log.control(`vrf ${vrf} interface ${name}: link given back as ${entry.origName}`);
    } else {
      this.env.log.warn(`vrf ${vrf} interface ${name}: link ${entry.origName} is gone`);
    }
    this.env.owned.dropLink(vrf, name);
  }

  /**
   * Renames and moves a link so that it is `name` in `vrf`; returns whether
   * anything changed. Refuses to take a name another link has.
   */
  async place(at: Located, vrf: string, name: string): Promise<boolean> {
    if (at.vrf === vrf && at.link.name === name) return false;
    const taken = `vrf ${vrf} already has a link named ${name}`;
    using src = this.env.open(at.vrf);
    const index = at.link.index;
    if (at.vrf === vrf) {
      if (await src.links.find(name)) throw new Error(taken);
      await src.links.setDown(index);
      await src.links.rename(index, name);
      return true;
    }
    using dst = this.env.open(vrf);
    const there = new Set((await dst.links.list()).map((l) => l.name));
    if (there.has(name)) throw new Error(taken);
    const here = new Set((await src.links.list()).map((l) => l.name));
    const transit = transitName(index, (n) => (here.has(n) && n !== at.link.name) || there.has(n));
    await src.links.setDown(index);
    if (at.link.name !== transit) await src.links.rename(index, transit);
    await src.links.moveTo(transit, this.env.netns(vrf));
    await dst.links.rename(transit, name);
    return true;
  }
}
