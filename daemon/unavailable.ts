/**
 * Configuration this build accepts in the editor but cannot apply yet:
 * a commit that configures one of these fails before anything is applied
 * (`Cannot commit "vrf main interface gre g1": GRE interfaces are not available
 * in this build (…)`), so
 * an operator never believes a tunnel is up when nothing runs it. Removing
 * such configuration always works.
 *
 * This is the registration point of the subsystems still to be wired:
 * when one lands, its service registers its real applier for the pattern
 * (with the order suggested in `service.ts`) and its row leaves
 * {@linkcode UNAVAILABLE}.
 *
 * @module
 */
import type { TreeValue } from "../config/tree.ts";
import { ORDER, type Service, type ServiceContext } from "./service.ts";

/** Patterns not applied by this build, and the subject of the refusal. */
export const UNAVAILABLE: readonly {
  readonly pattern: string;
  readonly what: string;
  readonly why?: string;
}[] = [
  {
    pattern: "vrf * interface gre *",
    what: "GRE interfaces are",
    why: "the userspace GRE encapsulation is not built yet; an svti interface gives " +
      "the same protected cross-VRF channel",
  },
];

/** Registers the refusals of {@linkcode UNAVAILABLE}, except those in `skip`. */
export function unavailableService(skip: readonly string[] = []): Service {
  return {
    name: "unavailable",
    register(ctx: ServiceContext) {
      for (const { pattern, what, why } of UNAVAILABLE) {
        if (skip.includes(pattern)) continue;
        const message = `${what} not available in this build${why ? ` (${why})` : ""}`;
        ctx.datastore.registerApplier<TreeValue>(pattern, {
          apply(change) {
            if (change.new !== undefined) throw new Error(message);
          },
        }, { name: `unavailable: ${pattern}`, order: ORDER.unavailable });
      }
    },
  };
}
