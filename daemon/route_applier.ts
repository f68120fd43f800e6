/**
 * `vrf <vrf> routing static`: the VRF's static routes in its main table,
 * with protocol `static` (`ip route add <prefix> via <next-hop> proto
 * static`). Routes of other protocols, and static routes Tandem did not
 * add, are left alone. One next hop per route: several (ECMP) are refused
 * at validation by {@linkcode checkSingleNextHop}.
 *
 * @module
 */
import { formatIp, formatPrefix, parseIp, parsePrefix } from "../core/ip.ts";
import type { Change } from "../config/appliers.ts";
import type { StaticRoutesConfig, TandemConfig } from "../config/root_schema.ts";
import type { Check, Report } from "../config/validate.ts";
import { EEXIST, ESRCH, isErrno } from "../kernel/errno.ts";
import { describeRoute, RTPROT_STATIC } from "../kernel/netlink/route.ts";
import { applyChange, type KernelEnv } from "./kernel_env.ts";
import { desiredRoutes, mergeRoutes, planRoutes, type RouteKey } from "./kernel_plan.ts";

/** Refuses routes with more than one next hop (multipath is not in this build). */
export const checkSingleNextHop: Check<TandemConfig> = (
  cfg: TandemConfig,
  report: Report,
): void => {
  for (const vrf of cfg.vrf) {
    for (const kind of ["ipv4-route", "ipv6-route"] as const) {
      for (const r of vrf.routing.static[kind].filter((r) => r["next-hop"].length > 1)) {
        report.error(
          `vrf ${vrf.name} routing static ${kind} ${r.prefix}`,
          `${r["next-hop"].length} next-hops: multipath routes are not available in this build`,
        );
      }
    }
  }
};

function spec(r: RouteKey) {
  return { dst: parsePrefix(r.dst, true), gateway: parseIp(r.gateway), protocol: RTPROT_STATIC };
}

export class RouteApplier {
  constructor(readonly env: KernelEnv) {}

  async apply(change: Change<StaticRoutesConfig>): Promise<void> {
    const vrf = String(change.keys[0]);
    await applyChange(
      this.env,
      change,
      (cfg) => this.sync(vrf, desiredRoutes(cfg)),
      () => this.sync(vrf, []),
    );
  }

  /** Makes the VRF's static routes `desired`. */
  async sync(vrf: string, desired: readonly RouteKey[]): Promise<void> {
    if (!this.env.exists(vrf)) {
      if (desired.length > 0) throw new Error(`vrf ${vrf} has no namespace`);
      this.env.owned.setRoutes(vrf, []);
      return;
    }
    using nl = this.env.open(vrf);
    const present: RouteKey[] = [];
    for (const r of await nl.routes.list()) {
      if (r.protocol !== RTPROT_STATIC || r.type !== "unicast" || !r.gateway) continue;
      present.push({ dst: formatPrefix(r.dst), gateway: formatIp(r.gateway) });
    }
    const owned = this.env.owned.routes(vrf);
    const plan = planRoutes(desired, present, owned);
    if (plan.add.length > 0) this.env.owned.setRoutes(vrf, mergeRoutes(owned, plan.add));
    for (const r of plan.remove) {
      try {
        await nl.routes.del(spec(r));
      } catch (e) {
        if (!isErrno(e, ESRCH)) throw e;
      }
      this.env.log.control(`vrf ${vrf}: route ${describeRoute(spec(r))} removed`);
    }
    for (const r of plan.add) {
      try {
        await nl.routes.add(spec(r));
      } catch (e) {
        if (!isErrno(e, EEXIST)) throw e;
        throw new Error(
          `${(e as Error).message}: a route to ${r.dst} that Tandem did not add is there`,
        );
      }
      this.env.log.control(`vrf ${vrf}: route ${describeRoute(spec(r))} added`);
    }
    this.env.owned.setRoutes(vrf, desired);
  }
}
