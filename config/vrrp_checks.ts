/**
 * Cross-checks of VRRP (RFC 5798) and HA groups: an instance has virtual
 * addresses of one family and a link with an address of that family to
 * send from; a VRID is unique per link and family; only VRRPv3 is run
 * (`version 2`, RFC 3768, is in the reference's syntax, so it loads, but a
 * commit with it is refused); an instance is in one VRRP group
 * at most; and every HA group has exactly one controller, either its
 * static `state` or one VRRP group's `notify-ha-group`.
 *
 * @module
 */
import { parseInterfaceAddress } from "../core/ip.ts";
import type { TandemConfig } from "./root_schema.ts";
import type { Check } from "./validate.ts";
import { vrfAddresses } from "./vrf_addresses.ts";

const checkInstances: Check<TandemConfig> = (cfg, report) => {
  for (const vrf of cfg.vrf) {
    const addrs = vrfAddresses(vrf);
    const vrids = new Map<string, string>();
    for (const v of vrf.interface.vrrp) {
      const where = `vrf ${vrf.name} interface vrrp ${v.name}`;
      const vips = v["virtual-address"].map(parseInterfaceAddress);
      if (vips.length === 0) {
        report.error(where, "a virtual-address is mandatory");
        continue;
      }
      const family = vips[0]!.address.family;
      if (vips.some((a) => a.address.family !== family)) {
        report.error(where, "virtual addresses must all be IPv4 or all IPv6");
      }
      if (v.version !== 3) {
        report.error(
          where,
          `VRRP version ${v.version} (RFC 3768) is not supported in this build, only version 3 (RFC 5798)`,
        );
      }
      const k = `${v["link-interface"]}/${family}/${v.vrid}`;
      const prev = vrids.get(k);
      if (prev) {
        report.error(where, `vrid ${v.vrid} is already used on ${v["link-interface"]} by ${prev}`);
      }
      vrids.set(k, v.name);
      const linkHasFamily = addrs.some((a) =>
        a.ifname === v["link-interface"] && !a.virtual && a.address.address.family === family
      );
      const linkExists = vrf.interface.physical.some((p) => p.name === v["link-interface"]);
      if (family === 4 && linkExists && !linkHasFamily) {
        report.error(
          where,
          `link-interface ${v["link-interface"]} has no IPv4 address to advertise from`,
        );
      }
    }
  }
};

const checkGroups: Check<TandemConfig> = (cfg, report) => {
  for (const vrf of cfg.vrf) {
    const owner = new Map<string, string>();
    for (const g of vrf.vrrp.group) {
      const where = `vrf ${vrf.name} vrrp group ${g.name}`;
      if (g.instance.length === 0) report.error(where, "an instance is mandatory");
      for (const i of g.instance) {
        const prev = owner.get(i);
        if (prev) report.error(where, `instance ${i} is already in group ${prev}`);
        owner.set(i, g.name);
      }
    }
  }
};

const checkHaControllers: Check<TandemConfig> = (cfg, report) => {
  for (const group of cfg.ha.group) {
    const controllers: string[] = [];
    if (group.state) controllers.push(`state ${group.state}`);
    for (const vrf of cfg.vrf) {
      for (const g of vrf.vrrp.group) {
        if (g["notify-ha-group"] === group.name) {
          controllers.push(`vrf ${vrf.name} vrrp group ${g.name}`);
        }
      }
    }
    const where = `ha group ${group.name}`;
    if (controllers.length === 0) {
      report.error(
        where,
        "no controller (set state, or name it in a vrrp group's notify-ha-group)",
      );
    } else if (controllers.length > 1) {
      report.error(where, `only one controller is allowed, found ${controllers.join(" and ")}`);
    }
  }
};

export const VRRP_CHECKS: readonly Check<TandemConfig>[] = [
  checkInstances,
  checkGroups,
  checkHaControllers,
];
