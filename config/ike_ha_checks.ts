/**
 * Cross-checks of `vrf * ike ha`: an enabled HA IKE knows its node id, its
 * HA group and both addresses (one family, the local one configured on the
 * HA interface); HA pools are sane (DNS/NBNS/DHCP servers outside the
 * leased subnet, a netmask only for IPv4, no two pools overlapping).
 *
 * @module
 */
import { ipEqual, parseIp, parsePrefix, prefixContains } from "../core/ip.ts";
import type { TandemConfig } from "./root_schema.ts";
import type { Check } from "./validate.ts";
import { hasAddress, vrfAddresses } from "./vrf_addresses.ts";

const checkHa: Check<TandemConfig> = (cfg, report) => {
  for (const vrf of cfg.vrf) {
    const ha = vrf.ike?.ha;
    if (!ha) continue;
    const where = `vrf ${vrf.name} ike ha`;
    if (ha.enabled) {
      for (
        const leaf of ["node-id", "listen-ha-group", "local-address", "remote-address"] as const
      ) {
        if (ha[leaf] === undefined) report.error(where, `${leaf} is mandatory when ha is enabled`);
      }
    }
    const local = ha["local-address"];
    const remote = ha["remote-address"];
    if (local && remote) {
      const l = parseIp(local);
      const r = parseIp(remote);
      if (l.family !== r.family) {
        report.error(
          where,
          `local-address ${local} and remote-address ${remote} are not of the same family`,
        );
      } else if (ipEqual(l, r)) {
        report.error(where, "local-address and remote-address must differ");
      }
    }
    if (local && !hasAddress(vrfAddresses(vrf), parseIp(local), ha.interface)) {
      const on = ha.interface ? `interface ${ha.interface}` : `vrf ${vrf.name}`;
      report.error(where, `local-address ${local} is not configured on ${on}`);
    }
    const pools = ha.pool.map((p) => ({ name: p.name, prefix: parsePrefix(p.address) }));
    for (const p of ha.pool) {
      const pw = `${where} pool ${p.name}`;
      const net = parsePrefix(p.address);
      for (const kind of ["dns", "nbns", "dhcp"] as const) {
        for (const a of p[kind]) {
          if (prefixContains(net, parseIp(a))) {
            report.error(pw, `${kind} ${a} is inside the pool's address ${p.address}`);
          }
        }
      }
      if (p.netmask && net.address.family !== 4) {
        report.error(pw, "netmask applies to IPv4 pools only");
      }
      for (const q of pools) {
        if (q.name === p.name) break;
        if (prefixContains(q.prefix, net.address) || prefixContains(net, q.prefix.address)) {
          report.error(pw, `address ${p.address} overlaps pool ${q.name}`);
        }
      }
    }
  }
};

export const IKE_HA_CHECKS: readonly Check<TandemConfig>[] = [checkHa];
