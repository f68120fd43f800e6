/**
 * Cross-checks of `vrf * interface` and `vrf * routing`: interface names
 * unique in a VRF, a link used by one physical interface only, no address
 * configured twice, IPv6 only with an MTU of at least 1280 (RFC 8200 §5),
 * SVTI ids unique per link VRF, GRE endpoints configured in their link
 * VRF, and static routes with on-link next hops.
 *
 * @module
 */
import { formatIp, parseIp } from "../core/ip.ts";
import type { TandemConfig } from "./root_schema.ts";
import type { Check } from "./validate.ts";
import { hasAddress, isOnLink, vrfAddresses } from "./vrf_addresses.ts";

const checkNames: Check<TandemConfig> = (cfg, report) => {
  for (const vrf of cfg.vrf) {
    const seen = new Map<string, string>();
    for (const [kind, entries] of Object.entries(vrf.interface)) {
      for (const e of entries) {
        const prev = seen.get(e.name);
        if (prev) {
          report.error(
            `vrf ${vrf.name} interface ${kind} ${e.name}`,
            `the name is already used by ${prev} ${e.name}`,
          );
        }
        seen.set(e.name, kind);
      }
    }
  }
  const ports = new Map<string, string>();
  for (const vrf of cfg.vrf) {
    for (const p of vrf.interface.physical) {
      const port = p.port ?? p.name;
      const where = `vrf ${vrf.name} interface physical ${p.name}`;
      const prev = ports.get(port);
      if (prev) report.error(where, `port ${port} is already used by ${prev}`);
      ports.set(port, where);
    }
  }
};

const checkAddresses: Check<TandemConfig> = (cfg, report) => {
  for (const vrf of cfg.vrf) {
    const seen = new Map<string, string>();
    for (const a of vrfAddresses(vrf)) {
      const ip = formatIp(a.address.address);
      const prev = seen.get(ip);
      if (prev !== undefined) {
        report.error(
          `vrf ${vrf.name} interface ${a.ifname}`,
          `address ${ip} is already configured on ${prev}`,
        );
      }
      seen.set(ip, a.ifname);
    }
    for (const p of vrf.interface.physical) {
      if (p.ipv6.address.length > 0 && p.mtu < 1280) {
        report.error(
          `vrf ${vrf.name} interface physical ${p.name}`,
          `mtu ${p.mtu} is below 1280, the IPv6 minimum`,
        );
      }
    }
  }
};

const checkTunnels: Check<TandemConfig> = (cfg, report) => {
  const ids = new Map<string, string>();
  for (const vrf of cfg.vrf) {
    for (const s of vrf.interface.svti) {
      const link = s["link-vrf"] ?? vrf.name;
      const k = `${link}/${s["svti-id"]}`;
      const where = `vrf ${vrf.name} interface svti ${s.name}`;
      const prev = ids.get(k);
      if (prev) {
        report.error(
          where,
          `svti-id ${s["svti-id"]} in link-vrf ${link} is already used by ${prev}`,
        );
      }
      ids.set(k, where);
    }
    for (const g of vrf.interface.gre) {
      const where = `vrf ${vrf.name} interface gre ${g.name}`;
      const local = parseIp(g.local);
      if (local.family !== parseIp(g.remote).family) {
        report.error(where, `local ${g.local} and remote ${g.remote} are not of the same family`);
      }
      const linkName = g["link-vrf"] ?? vrf.name;
      const link = cfg.vrf.find((v) => v.name === linkName);
      if (link && !hasAddress(vrfAddresses(link), local)) {
        report.error(where, `local ${g.local} is not an address of vrf ${linkName}`);
      }
    }
  }
};

const checkRoutes: Check<TandemConfig> = (cfg, report) => {
  for (const vrf of cfg.vrf) {
    const addrs = vrfAddresses(vrf);
    const s = vrf.routing.static;
    for (
      const [kind, routes] of [["ipv4-route", s["ipv4-route"]], [
        "ipv6-route",
        s["ipv6-route"],
      ]] as const
    ) {
      for (const r of routes) {
        const where = `vrf ${vrf.name} routing static ${kind} ${r.prefix}`;
        if (r["next-hop"].length === 0) report.error(where, "a next-hop is mandatory");
        for (const nh of r["next-hop"]) {
          if (!isOnLink(addrs, parseIp(nh.address))) {
            report.error(where, `next-hop ${nh.address} is not in a subnet of vrf ${vrf.name}`);
          }
        }
      }
    }
  }
};

export const INTERFACE_CHECKS: readonly Check<TandemConfig>[] = [
  checkNames,
  checkAddresses,
  checkTunnels,
  checkRoutes,
];
