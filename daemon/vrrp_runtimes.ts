/**
 * The daemon's VRRP runtimes (RFC 5798, `vrrp/runtime.ts`): one per VRF
 * that has VRRP configuration, opened in the VRF's namespace, brought to
 * the configuration on every commit that touches VRRP, physical
 * interfaces or HA groups, and stopped when the VRF's VRRP configuration
 * goes away.
 *
 * {@linkcode VrrpRuntimes.reconcile} brings every runtime to a whole
 * configuration at once (the datastore calls it with the new one, and with
 * the old one when it reverts). It may run in the removal phase of a
 * commit (before the links it removes go: an instance leaves its link
 * before the link leaves the VRF), where VRFs not created yet are skipped
 * (their namespace comes later in the same commit, and VRRP runs again
 * then); links that do not exist yet are fine, the runtime follows links
 * as they come and go.
 *
 * A vrrp group's `notify-ha-group` is held back while its HA group cannot
 * take it yet (not created, static state not cleared, or still controlled
 * by a group that leaves later in the same run); two passes over the
 * runtimes let a controller move between VRFs in one commit. See
 * `ha_service.ts` for the HA side of the ordering.
 *
 * A run that fails undoes its own steps (previous configurations
 * re-applied, runtimes it opened stopped, runtimes it stopped reopened)
 * before it throws.
 *
 * @module
 */
import type { Logger } from "../core/log.ts";
import type { TandemConfig } from "../config/root_schema.ts";
import type { HaController, HaGroupRegistry } from "../ha/group.ts";
import type { VrrpGroupSpec, VrrpRuntimeConfig } from "../vrrp/runtime_config.ts";
import type { VrrpRuntimeShow } from "../vrrp/runtime_show.ts";
import { vrrpRuntimeConfig } from "./vrrp_config.ts";

/** What the daemon needs of a {@linkcode VrrpRuntime} (tests pass doubles). */
export interface VrrpRuntimeLike {
  readonly vrf: string;
  readonly config: VrrpRuntimeConfig;
  readonly service: { group(name: string): HaController | undefined };
  apply(config: VrrpRuntimeConfig): Promise<void>;
  stop(): Promise<void>;
  show(): VrrpRuntimeShow;
}

/** What {@linkcode VrrpRuntimes} is given. */
export interface VrrpRuntimesDeps {
  readonly ha: HaGroupRegistry;
  readonly log: Logger;
  /** Opens a runtime (no instance yet) in the VRF's namespace. */
  open(vrf: string): Promise<VrrpRuntimeLike>;
  /** Whether the VRF's namespace exists (and can be entered). */
  exists(vrf: string): boolean;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether two runtime configurations are the same. */
function same(a: VrrpRuntimeConfig, b: VrrpRuntimeConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** VRFs in `show` order: main first, then by name. */
function byVrf(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "main") return -1;
  if (b === "main") return 1;
  return a < b ? -1 : 1;
}

/** See the module doc. */
export class VrrpRuntimes {
  #deps: VrrpRuntimesDeps;
  #runtimes = new Map<string, VrrpRuntimeLike>();

  constructor(deps: VrrpRuntimesDeps) {
    this.#deps = deps;
  }

  /** The runtime of a VRF, if it has one. */
  get(vrf: string): VrrpRuntimeLike | undefined {
    return this.#runtimes.get(vrf);
  }

  /** Every runtime, main first, then by VRF name. */
  list(): VrrpRuntimeLike[] {
    return [...this.#runtimes.keys()].sort(byVrf).map((v) => this.#runtimes.get(v)!);
  }

  /** Brings the runtimes to `config` (see the module doc); undoes its own steps on failure. */
  async reconcile(config: TandemConfig): Promise<void> {
    const targets = new Map<string, VrrpRuntimeConfig>();
    for (const vrf of config.vrf) {
      const t = vrrpRuntimeConfig(vrf);
      if (t.instances.length === 0 && (t.groups ?? []).length === 0) continue;
      if (!this.#deps.exists(vrf.name)) {
        this.#deps.log.detail(`vrrp: vrf ${vrf.name} has no namespace yet`);
        continue;
      }
      targets.set(vrf.name, t);
    }
    const undo: Array<() => Promise<void>> = [];
    try {
      for (let pass = 0; pass < 2; pass++) {
        for (const vrf of new Set([...this.#runtimes.keys(), ...targets.keys()])) {
          await this.#step(vrf, targets.get(vrf), undo);
        }
      }
    } catch (e) {
      for (const u of undo.reverse()) {
        await u().catch((f) => this.#deps.log.error(`vrrp: undoing failed: ${reason(f)}`));
      }
      throw e;
    }
  }

  /**
   * Stops every runtime at once (graceful: masters send priority 0, virtual
   * addresses and macvlans go, HA groups fall back to backup).
   */
  async stopAll(): Promise<void> {
    const all = [...this.#runtimes.values()];
    this.#runtimes.clear();
    const results = await Promise.allSettled(all.map((rt) => rt.stop()));
    results.forEach((r, i) => {
      if (r.status === "rejected") {
        this.#deps.log.error(`vrrp: stopping vrf ${all[i]!.vrf}: ${reason(r.reason)}`);
      }
    });
  }

  async #step(
    vrf: string,
    want: VrrpRuntimeConfig | undefined,
    undo: Array<() => Promise<void>>,
  ): Promise<void> {
    const rt = this.#runtimes.get(vrf);
    if (want === undefined) {
      if (!rt) return;
      const prev = rt.config;
      this.#runtimes.delete(vrf);
      await rt.stop();
      this.#deps.log.control(`vrrp: vrf ${vrf} stopped (no vrrp configuration left)`);
      undo.push(() => this.#open(vrf, prev));
      return;
    }
    const next = this.#admissible(vrf, want, rt);
    if (!rt) {
      await this.#open(vrf, next);
      undo.push(() => this.#close(vrf));
      return;
    }
    if (same(rt.config, next)) return;
    const prev = rt.config;
    // Before the apply: a rejected apply may have changed some of the runtime already.
    undo.push(() => rt.apply(prev));
    await rt.apply(next);
  }

  /** `want` without the notify-ha-group links the HA groups cannot take now. */
  #admissible(
    vrf: string,
    want: VrrpRuntimeConfig,
    rt: VrrpRuntimeLike | undefined,
  ): VrrpRuntimeConfig {
    const groups = (want.groups ?? []).map((g): VrrpGroupSpec => {
      if (g.notifyHaGroup === undefined) return g;
      const h = this.#deps.ha.get(g.notifyHaGroup);
      const mine = rt?.service.group(g.name);
      if (
        h && h.staticState === undefined &&
        (h.controller === undefined || (mine !== undefined && h.controller === mine))
      ) return g;
      this.#deps.log.detail(
        `vrrp: vrf ${vrf} vrrp group ${g.name}: ha group ${g.notifyHaGroup} not ready yet`,
      );
      return { name: g.name, instances: g.instances };
    });
    return { instances: want.instances, groups };
  }

  async #open(vrf: string, config: VrrpRuntimeConfig): Promise<void> {
    const rt = await this.#deps.open(vrf);
    try {
      await rt.apply(config);
    } catch (e) {
      await rt.stop().catch((f) => this.#deps.log.error(`vrrp: vrf ${vrf}: ${reason(f)}`));
      throw e;
    }
    this.#runtimes.set(vrf, rt);
    this.#deps.log.control(`vrrp: vrf ${vrf} started`);
  }

  async #close(vrf: string): Promise<void> {
    const rt = this.#runtimes.get(vrf);
    if (!rt) return;
    this.#runtimes.delete(vrf);
    await rt.stop();
  }
}
