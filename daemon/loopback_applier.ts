/**
 * `vrf <vrf> interface loopback <name>`: a link that carries service
 * addresses (IKE endpoints, router ids) in its VRF: a `dummy` where the
 * kernel has the module, else an `ifb` (up, NOARP, drops what it is asked
 * to send; see `LinkOps.addLoopback`). Removing the configuration deletes
 * the link, if Tandem created it.
 *
 * @module
 */
import type { Change } from "../config/appliers.ts";
import type { LoopbackInterfaceConfig } from "../config/root_schema.ts";
import { syncAddresses } from "./address_sync.ts";
import { applyChange, type KernelEnv } from "./kernel_env.ts";
import { desiredAddresses } from "./kernel_plan.ts";

const LOOPBACK_KINDS = new Set(["dummy", "ifb"]);

export class LoopbackApplier {
  constructor(readonly env: KernelEnv) {}

  async apply(change: Change<LoopbackInterfaceConfig>): Promise<void> {
    const [vrf, name] = change.keys.map(String) as [string, string];
    await applyChange(
      this.env,
      change,
      (cfg) => this.ensure(vrf, name, cfg),
      () => this.remove(vrf, name),
    );
  }

  async ensure(vrf: string, name: string, cfg: LoopbackInterfaceConfig): Promise<void> {
    using nl = this.env.open(vrf);
    let link = await nl.links.find(name);
    const ours = this.env.owned.link(vrf, name)?.kind === "loopback";
    if (link && !ours) {
      throw new Error(`vrf ${vrf} already has a link named ${name} that Tandem did not create`);
    }
    if (!link) {
      this.env.owned.putLink({ kind: "loopback", vrf, name });
      const kind = await nl.links.addLoopback(name);
      this.env.log.control(`vrf ${vrf} interface ${name}: ${kind} link created`);
      link = await nl.links.get(name);
    }
    if (!link.up) await nl.links.setUp(name);
    await syncAddresses(this.env, nl, { vrf, name }, name, desiredAddresses(cfg));
  }

  async remove(vrf: string, name: string): Promise<void> {
    if (this.env.owned.link(vrf, name)?.kind !== "loopback") return;
    if (this.env.exists(vrf)) {
      using nl = this.env.open(vrf);
      const link = await nl.links.find(name);
      if (link && LOOPBACK_KINDS.has(link.kind ?? "")) {
        await nl.links.delete(link.index);
        this.env.log.control(`vrf ${vrf} interface ${name}: link deleted`);
      }
    }
    this.env.owned.dropLink(vrf, name);
  }
}
