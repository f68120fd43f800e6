/**
 * VRRP in the daemon (RFC 5798): `vrf * interface vrrp *` and `vrf * vrrp
 * group *` run by one {@linkcode VrrpRuntime} per VRF (`vrrp_runtimes.ts`),
 * their groups driving the HA groups they name (`notify-ha-group`), and
 * `show vrrp [vrf <vrf>] [instance <name>]`.
 *
 * In Linux, `interface vrrp vrrp51` with `link-interface eth1` and `vrid
 * 1` is the macvlan `vrrp51` on `eth1` (in the VRF's namespace), with the
 * virtual MAC 00:00:5e:00:01:01; it is up and holds the virtual addresses
 * only while the instance is master. Adverts leave `eth1` from its primary
 * address.
 *
 * Order: VRRP applies after the links, addresses and routes (order
 * `vrrp`), between the two HA group appliers (`ha_service.ts`). It also
 * runs when a physical interface changes, so that in the removal phase an
 * instance leaves its link before the link leaves the VRF.
 *
 * At start, macvlans carrying a VRRP virtual MAC that no configured
 * instance owns (left by a run that was killed, then reconfigured in local
 * mode) are deleted; those of configured instances are reused.
 *
 * Stop (SIGTERM): the VRRP service stops first of all (it is registered
 * last), before IKE: masters send priority 0 so the peer takes over after
 * its skew time (about 0.6 s at priority 100), instead of after the three
 * advertisement intervals it would wait for a silent master, and this
 * node's HA groups go backup at once, so HA IKE turns its SAs passive
 * before IKE stops and sends nothing that would tear down the tunnels the
 * new master carries on. The virtual addresses and macvlans go with the
 * runtimes; the rest of the kernel configuration stays.
 *
 * @module
 */
import type { Datastore } from "../config/datastore.ts";
import type { TandemConfig } from "../config/root_schema.ts";
import { Rtnl } from "../kernel/netlink/rtnl.ts";
import { VrrpRuntime } from "../vrrp/runtime.ts";
import { renderVrrpRuntime, type VrrpRuntimeShow } from "../vrrp/runtime_show.ts";
import { usable } from "./kernel_env.ts";
import { ORDER, type Service, type ServiceContext } from "./service.ts";
import { registerView } from "./views.ts";
import { VrrpRuntimes } from "./vrrp_runtimes.ts";

/** The patterns whose changes make VRRP reconcile. */
export const VRRP_PATTERNS = [
  "vrf * interface vrrp *",
  "vrf * vrrp group *",
  "vrf * interface physical *",
  "ha group *",
] as const;

const VIRTUAL_MAC = /^00:00:5e:00:0[12]:[0-9a-f]{2}$/;

/**
 * Registers the appliers: every change of {@linkcode VRRP_PATTERNS}
 * reconciles the runtimes with the new configuration (a revert, with the
 * old one).
 */
export function registerVrrpAppliers(ds: Datastore, runtimes: VrrpRuntimes): void {
  for (const pattern of VRRP_PATTERNS) {
    ds.registerApplier(pattern, {
      apply: (_change, c) => runtimes.reconcile(c.newConfig),
    }, { name: `vrrp (${pattern})`, order: ORDER.vrrp });
  }
}

/** `show vrrp` of a VRF narrowed to one instance (its groups, receiver and virtual link). */
export function showInstance(s: VrrpRuntimeShow, instance: string): VrrpRuntimeShow {
  const i = s.instances.find((x) => x.name === instance);
  return {
    ...s,
    instances: i ? [i] : [],
    groups: s.groups.filter((g) => g.members.includes(instance)),
    receivers: s.receivers.filter((r) => i && r.link === i.link && r.family === i.family),
    virtualLinks: s.virtualLinks.filter((l) => l.instance === instance),
  };
}

/** The data of `show vrrp`. */
export function vrrpData(
  runtimes: VrrpRuntimes,
  config: TandemConfig,
  filter: { vrf?: string; instance?: string },
): { vrfs: VrrpRuntimeShow[] } {
  const { vrf, instance } = filter;
  if (vrf !== undefined && !config.vrf.some((v) => v.name === vrf)) {
    throw new Error(`vrf ${vrf} does not exist`);
  }
  let vrfs = runtimes.list().filter((rt) => vrf === undefined || rt.vrf === vrf)
    .map((rt) => rt.show());
  if (instance !== undefined) {
    vrfs = vrfs.map((s) => showInstance(s, instance)).filter((s) => s.instances.length > 0);
    if (vrfs.length === 0) {
      throw new Error(`no vrrp instance ${instance}${vrf === undefined ? "" : ` in vrf ${vrf}`}`);
    }
  }
  return { vrfs };
}

/** The text of `show vrrp`. */
export function renderVrrpVrfs(vrfs: readonly VrrpRuntimeShow[]): string {
  return vrfs.length ? vrfs.map(renderVrrpRuntime).join("\n") : "no vrrp instance\n";
}

/**
 * Deletes the macvlans with a VRRP virtual MAC in the VRFs of `config`
 * that no configured instance of that VRF is named after.
 */
async function sweepVirtualLinks(ctx: ServiceContext, config: TandemConfig): Promise<void> {
  const log = ctx.hub.logger("vrrp");
  for (const vrf of config.vrf) {
    const ns = ctx.vrfs.netns(vrf.name);
    if (!ns.exists() || !usable(ns)) continue;
    const keep = new Set(vrf.interface.vrrp.map((v) => v.name));
    using nl = Rtnl.open(ns);
    for (const l of await nl.links.list()) {
      if (l.kind !== "macvlan" || !VIRTUAL_MAC.test(l.mac ?? "") || keep.has(l.name)) continue;
      log.control(
        `clean-up: vrf ${vrf.name}: macvlan ${l.name} (${l.mac}) is no longer configured`,
      );
      await nl.links.delete(l.index);
    }
  }
}

/** The VRRP service; see the module doc. */
export function vrrpService(): Service {
  let runtimes: VrrpRuntimes | undefined;
  let context: ServiceContext | undefined;
  return {
    name: "vrrp",
    register(ctx: ServiceContext) {
      context = ctx;
      const log = ctx.hub.logger("vrrp");
      const rts = new VrrpRuntimes({
        ha: ctx.ha,
        log,
        open: (vrf) => VrrpRuntime.open({ ha: ctx.ha, log, ns: ctx.vrfs.netns(vrf), vrf }),
        exists: (vrf) => ctx.vrfs.exists(vrf) && usable(ctx.vrfs.netns(vrf)),
      });
      runtimes = rts;
      const ds = ctx.datastore;
      registerVrrpAppliers(ds, rts);
      registerView(ctx.operational, {
        words: ["show", "vrrp"],
        help: "VRRP instances: state, priority, master, timers, counters, last transition",
        args: [
          {
            name: "vrf",
            keyword: "vrf",
            syntax: "<vrf>",
            help: "only this VRF",
            optional: true,
            complete: () => rts.list().map((rt) => rt.vrf),
          },
          {
            name: "instance",
            keyword: "instance",
            syntax: "<name>",
            help: "only this instance",
            optional: true,
            complete: () => ds.typed().vrf.flatMap((v) => v.interface.vrrp.map((i) => i.name)),
          },
        ],
        data: (a) =>
          vrrpData(rts, ds.typed(), {
            ...(a["vrf"] !== undefined ? { vrf: a["vrf"] } : {}),
            ...(a["instance"] !== undefined ? { instance: a["instance"] } : {}),
          }),
        text: (d) => renderVrrpVrfs(d.vrfs),
      });
    },
    prepare(config: TandemConfig) {
      return sweepVirtualLinks(context!, config);
    },
    stop() {
      return runtimes?.stopAll();
    },
    status() {
      const shows = runtimes?.list().map((rt) => rt.show()) ?? [];
      const instances = shows.flatMap((s) => s.instances);
      const masters = instances.filter((i) => i.state === "master").length;
      const n = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`;
      return `${n(instances.length, "instance")} in ${n(shows.length, "vrf")}, ${masters} master`;
    },
  };
}
