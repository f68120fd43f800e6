/**
 * The IKE service: the appliers of `vrf * ike` (one gateway per VRF,
 * `ike_gateways.ts`) and `vrf * interface svti *` (`svti_applier.ts`),
 * their cross-checks, the IKE operational commands (`ike_views.ts`), and
 * at daemon stop the IKE Deletes of every SA (registered after the kernel
 * service, it stops before it: the interfaces and routes the Deletes use
 * are still there).
 *
 * @module
 */
import type { Change } from "../config/appliers.ts";
import type { IkeConfig, SvtiInterfaceConfig } from "../config/root_schema.ts";
import { IkeGateways } from "./ike_gateways.ts";
import { checkIkeRunnable } from "./ike_plan.ts";
import { registerIkeViews } from "./ike_views.ts";
import { KernelEnv } from "./kernel_env.ts";
import { ORDER, type Service, type ServiceContext } from "./service.ts";
import { checkSvti, SvtiApplier } from "./svti_applier.ts";

/** The service; `gateways` once registered (for tests and HA). */
export function ikeService(): Service & { gateways?: IkeGateways } {
  const service: Service & { gateways?: IkeGateways } = {
    name: "ike",
    register(ctx: ServiceContext) {
      const gateways = new IkeGateways({
        vrfs: ctx.vrfs,
        hub: ctx.hub,
        clock: ctx.clock,
        rng: ctx.rng,
      });
      service.gateways = gateways;
      const svti = new SvtiApplier(
        new KernelEnv(ctx.vrfs, ctx.owned, ctx.hub.logger("knl")),
        gateways,
      );
      const ds = ctx.datastore;
      ds.registerApplier<IkeConfig>("vrf * ike", {
        apply: (c: Change<IkeConfig>) => gateways.apply(c),
      }, { name: "ike", order: ORDER.ike });
      ds.registerApplier<SvtiInterfaceConfig>("vrf * interface svti *", {
        apply: (c: Change<SvtiInterfaceConfig>) => svti.apply(c),
      }, { name: "svti interface", order: ORDER.svti });
      ds.addCheck(checkIkeRunnable);
      ds.addCheck(checkSvti);
      registerIkeViews(ctx.operational, gateways, ds, ctx.clock);
    },
    async stop() {
      await service.gateways?.stop();
    },
    status() {
      const g = service.gateways;
      if (!g || g.vrfs().length === 0) return "no VRF runs IKE";
      const n = g.vrfs().reduce((sum, v) => sum + g.get(v)!.ike.counts().ikeSas, 0);
      return `${g.vrfs().length} VRF gateway${g.vrfs().length === 1 ? "" : "s"}, ${n} IKE SA${
        n === 1 ? "" : "s"
      }`;
    },
  };
  return service;
}
