/**
 * Configuration this build accepts in the editor but cannot apply yet:
 * a commit that configures one of these fails before anything is applied
 * (`Cannot commit "vrf main ike": IKE is not available in this build`), so
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
export const UNAVAILABLE: readonly { readonly pattern: string; readonly what: string }[] = [
  { pattern: "vrf * ike", what: "IKE is" },
  { pattern: "vrf * interface svti *", what: "SVTI interfaces are" },
  { pattern: "vrf * interface gre *", what: "GRE interfaces are" },
];

/** Registers the refusals of {@linkcode UNAVAILABLE}, except those in `skip`. */
export function unavailableService(skip: readonly string[] = []): Service {
  return {
    name: "unavailable",
    register(ctx: ServiceContext) {
      for (const { pattern, what } of UNAVAILABLE) {
        if (skip.includes(pattern)) continue;
        ctx.datastore.registerApplier<TreeValue>(pattern, {
          apply(change) {
            if (change.new !== undefined) throw new Error(`${what} not available in this build`);
          },
        }, { name: `unavailable: ${pattern}`, order: ORDER.unavailable });
      }
    },
  };
}
