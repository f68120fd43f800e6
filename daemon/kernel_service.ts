/**
 * The kernel service: the appliers that turn `vrf`, `interface physical`,
 * `interface loopback` and `routing static` into namespaces, links,
 * addresses and routes (each idempotent, reconciling against what the
 * kernel has and what Tandem owns), the start-time clean-up of what a
 * previous run left and the configuration no longer has, and
 * `show interface`.
 *
 * Stopping the daemon leaves all of this in place (management access
 * survives a restart; the next start reconciles); removing the
 * configuration removes it.
 *
 * @module
 */
import type { Change } from "../config/appliers.ts";
import type {
  LoopbackInterfaceConfig,
  PhysicalInterfaceConfig,
  StaticRoutesConfig,
  TandemConfig,
  VrfConfig,
} from "../config/root_schema.ts";
import { KernelEnv } from "./kernel_env.ts";
import { LoopbackApplier } from "./loopback_applier.ts";
import { PhysicalApplier } from "./physical_applier.ts";
import { checkSingleNextHop, RouteApplier } from "./route_applier.ts";
import { ORDER, type Service, type ServiceContext } from "./service.ts";
import { collectInterfaces, renderInterfaces, shownVrfs } from "./show_interface.ts";
import { registerView } from "./views.ts";
import { VrfApplier } from "./vrf_applier.ts";

/** The appliers of one kernel environment. */
export class KernelAppliers {
  readonly vrf: VrfApplier;
  readonly physical: PhysicalApplier;
  readonly loopback: LoopbackApplier;
  readonly routes: RouteApplier;

  constructor(readonly env: KernelEnv) {
    this.vrf = new VrfApplier(env);
    this.physical = new PhysicalApplier(env);
    this.loopback = new LoopbackApplier(env);
    this.routes = new RouteApplier(env);
  }

  /**
   * Removes what Tandem owns and `config` does not have (routes, then
   * links, then namespaces and sysctls): what a crash in the middle of a
   * commit, or a commit made while no daemon ran, left behind.
   */
  async sweep(config: TandemConfig): Promise<void> {
    const { owned, log } = this.env;
    const vrfOf = (name: string) => config.vrf.find((v) => v.name === name);
    for (const vrf of owned.routeVrfs()) {
      if (!vrfOf(vrf)) await this.routes.sync(vrf, []);
    }
    for (const l of [...owned.links()].reverse()) {
      const cfg = vrfOf(l.vrf)?.interface;
      const kept = l.kind === "physical"
        ? cfg?.physical.some((p) => p.name === l.name)
        : cfg?.loopback.some((p) => p.name === l.name);
      if (kept) continue;
      log.control(`clean-up: vrf ${l.vrf} interface ${l.kind} ${l.name} is no longer configured`);
      if (l.kind === "physical") await this.physical.release(l.vrf, l.name);
      else await this.loopback.remove(l.vrf, l.name);
    }
    for (const [vrf, link] of owned.addressLinks()) {
      if (!owned.link(vrf, link)) owned.setAddresses(vrf, link, []);
    }
    for (const vrf of [...owned.vrfs(), ...owned.sysctlVrfs()]) {
      if (!vrfOf(vrf)) await this.vrf.remove(vrf);
    }
  }
}

/** The kernel service; see the module doc. */
export function kernelService(): Service & { appliers?: KernelAppliers } {
  const service: Service & { appliers?: KernelAppliers } = {
    name: "kernel",
    register(ctx: ServiceContext) {
      const env = new KernelEnv(ctx.vrfs, ctx.owned, ctx.hub.logger("knl"));
      const a = new KernelAppliers(env);
      service.appliers = a;
      const ds = ctx.datastore;
      ds.registerApplier<VrfConfig>("vrf *", {
        apply: (c: Change<VrfConfig>) => a.vrf.apply(c),
      }, { name: "vrf", order: ORDER.vrf });
      ds.registerApplier<PhysicalInterfaceConfig>("vrf * interface physical *", {
        apply: (c: Change<PhysicalInterfaceConfig>) => a.physical.apply(c),
      }, { name: "physical interface", order: ORDER.link });
      ds.registerApplier<LoopbackInterfaceConfig>("vrf * interface loopback *", {
        apply: (c: Change<LoopbackInterfaceConfig>) => a.loopback.apply(c),
      }, { name: "loopback interface", order: ORDER.link });
      ds.registerApplier<StaticRoutesConfig>("vrf * routing static", {
        apply: (c: Change<StaticRoutesConfig>) => a.routes.apply(c),
      }, { name: "static routes", order: ORDER.route });
      ds.addCheck(checkSingleNextHop);
      const interfaceNames = () =>
        ds.typed().vrf.flatMap((v) => [...v.interface.physical, ...v.interface.loopback])
          .map((i) => i.name);
      registerView(ctx.operational, {
        words: ["show", "interface"],
        help: "network interfaces: state, addresses, counters",
        args: [
          {
            name: "vrf",
            keyword: "vrf",
            syntax: "<vrf>",
            help: "only this VRF",
            optional: true,
            complete: () => shownVrfs(env, ds.typed()),
          },
          {
            name: "name",
            syntax: "<name>",
            help: "one interface, in detail",
            optional: true,
            complete: interfaceNames,
          },
        ],
        data: async (a) => ({
          interfaces: await collectInterfaces(env, ds.typed(), {
            ...(a["vrf"] !== undefined ? { vrf: a["vrf"] } : {}),
            ...(a["name"] !== undefined ? { name: a["name"] } : {}),
          }),
        }),
        text: (d, a) => renderInterfaces(d.interfaces, a["name"] !== undefined),
      });
    },
    prepare(config: TandemConfig) {
      return service.appliers!.sweep(config);
    },
  };
  return service;
}
