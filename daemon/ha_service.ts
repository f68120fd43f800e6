/**
 * HA groups in the daemon (`ha group <name> [state master|backup]`): the
 * appliance's one {@linkcode HaGroupRegistry} (`ServiceContext.ha`), the
 * appliers that create, change and remove its groups with the
 * configuration, and `show ha group [<name>]`.
 *
 * Who does what with the registry:
 *
 * - this service creates and removes the groups and sets their static
 *   `state`;
 * - the VRRP service attaches each `vrf * vrrp group *` that names the
 *   group in `notify-ha-group` as its controller (the configuration checks
 *   already allow exactly one controller per group: a static state or one
 *   VRRP group, `config/vrrp_checks.ts`);
 * - any other service listens: `ctx.ha.listen(group, "ike ha", fn)` from
 *   its applier (HA IKE's `listen-ha-group`, order `ike`, runs after the
 *   groups exist and is removed before they go), unsubscribing when its
 *   configuration goes. Listeners get every change in order, numbered
 *   (`ha/group.ts`); `ctx.ha.get(group)?.current()` gives the state at
 *   subscription time. A group that is removed drops its listeners.
 *
 * Ordering. A VRRP group can only attach to a group that exists and has
 * no static state, and a static state can only be set once the VRRP
 * controller is gone, so the registry is changed on both sides of the
 * VRRP appliers (order `vrrp`): an early applier (before VRRP) creates
 * groups and clears static states that go away; a late one (after VRRP)
 * sets static states. Either one sets whatever it can (a static state of
 * a group still controlled by VRRP waits for the late one) and removes
 * groups that go away. Reverting a failed commit runs the same steps in
 * the opposite order with the old configuration, so every step is legal
 * both ways. The late applier refuses a static state over a controller
 * that is still attached; the configuration checks make that a bug.
 *
 * @module
 */
import type { Change } from "../config/appliers.ts";
import type { HaGroupConfig } from "../config/root_schema.ts";
import type { HaGroupRegistry } from "../ha/group.ts";
import { type HaGroupShow, renderHaGroups, showHaGroups } from "../ha/show.ts";
import { ORDER, type Service, type ServiceContext } from "./service.ts";
import { registerView } from "./views.ts";

/** Order of the early HA applier: after the routes, before VRRP. */
export const HA_EARLY_ORDER = ORDER.vrrp - 5;

/**
 * Brings group `name` to `target` (undefined: removed) as far as it can
 * now. With `strict`, a static state that a controller still blocks is an
 * error; otherwise it is left for the other applier.
 */
export function reconcileHaGroup(
  registry: HaGroupRegistry,
  name: string,
  target: HaGroupConfig | undefined,
  strict: boolean,
): void {
  const g = registry.get(name);
  if (target === undefined) {
    if (g) registry.remove(name);
    return;
  }
  const state = target.state;
  if (!g) {
    registry.create(name, state === undefined ? {} : { state });
    return;
  }
  if (state === undefined) {
    if (g.staticState !== undefined) g.setStaticState(undefined);
  } else if (g.staticState !== state && (strict || !g.controller)) {
    g.setStaticState(state);
  }
}

/** The data of `show ha group [<name>]`. */
export function haGroupsData(
  registry: HaGroupRegistry,
  name?: string,
): { groups: HaGroupShow[] } {
  const groups = registry.list().filter((g) => name === undefined || g.name === name);
  if (name !== undefined && groups.length === 0) throw new Error(`no ha group ${name}`);
  return { groups: showHaGroups(groups) };
}

/** The HA service; see the module doc. */
export function haService(): Service {
  let registry: HaGroupRegistry | undefined;
  return {
    name: "ha",
    register(ctx: ServiceContext) {
      const ha = ctx.ha;
      registry = ha;
      const name = (c: Change<HaGroupConfig>) => String(c.keys[0]);
      ctx.datastore.registerApplier<HaGroupConfig>("ha group *", {
        apply: (c) => reconcileHaGroup(ha, name(c), c.new, false),
        revert: (c) => reconcileHaGroup(ha, name(c), c.old, false),
      }, { name: "ha group", order: HA_EARLY_ORDER });
      ctx.datastore.registerApplier<HaGroupConfig>("ha group *", {
        apply: (c) => reconcileHaGroup(ha, name(c), c.new, true),
        revert: (c) => reconcileHaGroup(ha, name(c), c.old, false),
      }, { name: "ha group state", order: ORDER.ha });
      registerView(ctx.operational, {
        words: ["show", "ha", "group"],
        help: "HA groups: state, controller, listeners, recent changes",
        args: [{
          name: "name",
          syntax: "<name>",
          help: "only this group",
          optional: true,
          complete: () => ha.list().map((g) => g.name),
        }],
        data: (a) => haGroupsData(ha, a["name"]),
        text: (d) => renderHaGroups(d.groups),
      });
    },
    status() {
      const groups = registry?.list() ?? [];
      const masters = groups.filter((g) => g.state === "master").length;
      return `${groups.length} group${groups.length === 1 ? "" : "s"}, ${masters} master`;
    },
  };
}
