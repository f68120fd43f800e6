/**
 * `vrf <name>`: the VRF's network namespace (`<prefix><name>`; `main` is
 * the daemon's own and is never created nor deleted) and the router
 * sysctls of `kernel_plan.ts` inside it. Removing the VRF deletes the
 * namespace if Tandem created it; in a namespace it did not create (main)
 * the sysctls get their values from before Tandem back.
 *
 * The applier runs on every change below `vrf <name>` (the instance is
 * the whole subtree); it is idempotent, so that costs a few reads.
 *
 * @module
 */
import type { Change } from "../config/appliers.ts";
import type { VrfConfig } from "../config/root_schema.ts";
import { readSysctl, writeSysctl } from "../kernel/sysctl.ts";
import { applyChange, type KernelEnv, usable } from "./kernel_env.ts";
import { ROUTER_SYSCTLS } from "./kernel_plan.ts";

export class VrfApplier {
  constructor(readonly env: KernelEnv) {}

  async apply(change: Change<VrfConfig>): Promise<void> {
    const vrf = String(change.keys[0]);
    await applyChange(this.env, change, () => this.ensure(vrf), () => this.remove(vrf));
  }

  async ensure(vrf: string): Promise<void> {
    const ns = this.env.netns(vrf);
    if (ns.exists() && !usable(ns)) {
      if (!this.env.owned.ownsVrf(vrf)) throw new Error(`${ns.path} is not a network namespace`);
      this.env.log.warn(`vrf ${vrf}: ${ns.path} is not a namespace (a crash while creating it)`);
      this.env.vrfs.remove(vrf);
    }
    if (!ns.exists()) {
      this.env.owned.addVrf(vrf);
      await this.env.vrfs.ensure(vrf);
      this.env.log.control(`vrf ${vrf}: namespace ${ns.name} created`);
    } else {
      await this.env.vrfs.ensure(vrf);
    }
    const created = this.env.owned.ownsVrf(vrf);
    for (const [key, value] of ROUTER_SYSCTLS) {
      let now: string;
      try {
        now = readSysctl(ns, key);
      } catch {
        continue; // not in this kernel or namespace (IPv6 disabled)
      }
      if (now === value) continue;
      if (!created) this.env.owned.noteSysctl(vrf, key, now);
      writeSysctl(ns, key, value);
      this.env.log.detail(`vrf ${vrf}: ${key} = ${value} (was ${now})`);
    }
  }

  async remove(vrf: string): Promise<void> {
    const ns = this.env.netns(vrf);
    if (this.env.owned.ownsVrf(vrf)) {
      if (ns.exists()) this.env.vrfs.remove(vrf);
      this.env.owned.dropVrf(vrf);
      this.env.log.control(`vrf ${vrf}: namespace ${ns.name} deleted`);
      return;
    }
    if (ns.exists()) {
      for (const s of [...this.env.owned.sysctls(vrf)].reverse()) {
        writeSysctl(ns, s.key, s.original);
        this.env.log.detail(`vrf ${vrf}: ${s.key} = ${s.original} (restored)`);
      }
    }
    this.env.owned.dropSysctls(vrf);
    await Promise.resolve();
  }
}
