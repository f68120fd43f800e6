/**
 * `vrf <vrf> interface svti <name>`: a secure virtual tunnel interface
 * (route-based IPsec): a TUN named like the interface in this VRF, whose
 * traffic is encrypted by the
 * IKE gateway of its `link-vrf` (default this VRF) with the CHILD SAs of
 * the security-policy whose `svti-id-in`/`svti-id-out` equal its
 * `svti-id`: the reference's cross-VRF protected channel. Its addresses are
 * applied like those of other interfaces.
 *
 * The TUN belongs to the gateway: the applier runs after `vrf * ike`
 * (`ORDER.svti`), and removing the interface, or stopping the daemon,
 * closes it (the link and its addresses vanish with it; the next start
 * creates it again).
 *
 * @module
 */
import type { Change } from "../config/appliers.ts";
import type { SvtiInterfaceConfig, TandemConfig } from "../config/root_schema.ts";
import type { Check, Report } from "../config/validate.ts";
import { syncAddresses } from "./address_sync.ts";
import type { IkeGateways } from "./ike_gateways.ts";
import { applyInterfaceChange, type KernelEnv } from "./kernel_env.ts";
import { desiredAddresses } from "./kernel_plan.ts";

/** An SVTI needs the IKE of its link-vrf, which encrypts its traffic. */
export const checkSvti: Check<TandemConfig> = (cfg: TandemConfig, report: Report): void => {
  for (const vrf of cfg.vrf) {
    for (const s of vrf.interface.svti) {
      const link = s["link-vrf"] ?? vrf.name;
      if (!cfg.vrf.find((v) => v.name === link)?.ike) {
        report.error(
          `vrf ${vrf.name} interface svti ${s.name}`,
          `vrf ${link} has no ike to encrypt its traffic (link-vrf)`,
        );
      }
    }
  }
};

/** The applier; see the module doc. */
export class SvtiApplier {
  readonly #tuns = new Map<string, { readonly id: number; readonly linkVrf: string }>();

  constructor(readonly env: KernelEnv, readonly gateways: IkeGateways) {}

  apply(change: Change<SvtiInterfaceConfig>): Promise<void> {
    return applyInterfaceChange(
      this.env,
      change,
      (vrf, name, cfg) => this.ensure(vrf, name, cfg),
      (vrf, name) => this.remove(vrf, name),
    );
  }

  async ensure(vrf: string, name: string, cfg: SvtiInterfaceConfig): Promise<void> {
    const id = cfg["svti-id"];
    const linkVrf = cfg["link-vrf"] ?? vrf;
    const key = `${vrf}/${name}`;
    const now = this.#tuns.get(key);
    if (now && (now.id !== id || now.linkVrf !== linkVrf)) await this.remove(vrf, name);
    if (!this.#tuns.has(key)) {
      const gw = this.gateways.get(linkVrf);
      if (!gw) throw new Error(`vrf ${linkVrf} runs no IKE gateway (link-vrf)`);
      await gw.addSvti(id, name, this.env.netns(vrf));
      this.#tuns.set(key, { id, linkVrf });
      this.env.log.control(
        `vrf ${vrf} interface ${name}: svti ${id} created (encrypted by the IKE of vrf ${linkVrf})`,
      );
    }
    using nl = this.env.open(vrf);
    await syncAddresses(this.env, nl, { vrf, name }, name, desiredAddresses(cfg));
  }

  async remove(vrf: string, name: string): Promise<void> {
    const key = `${vrf}/${name}`;
    const now = this.#tuns.get(key);
    if (now) {
      this.gateways.get(now.linkVrf)?.removeSvti(now.id);
      this.#tuns.delete(key);
      this.env.log.control(`vrf ${vrf} interface ${name}: svti ${now.id} removed`);
    }
    this.env.owned.setAddresses(vrf, name, []);
    await Promise.resolve();
  }
}
