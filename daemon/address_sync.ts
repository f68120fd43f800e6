/**
 * Interface addresses: the kernel's addresses of one link made to match
 * the configuration, removing only those Tandem added (`kernel_plan.ts`).
 * IPv4 addresses get their broadcast address (`ip addr add … brd +`).
 *
 * @module
 */
import { formatPrefix } from "../core/ip.ts";
import { EADDRNOTAVAIL, EEXIST, isErrno } from "../kernel/errno.ts";
import type { Rtnl } from "../kernel/netlink/rtnl.ts";
import type { KernelEnv } from "./kernel_env.ts";
import { planAddresses } from "./kernel_plan.ts";

/**
 * Makes link `link` (a name or ifindex in `nl`'s namespace) carry
 * `desired`; ownership is recorded under the configured interface
 * `vrf`/`name`.
 */
export async function syncAddresses(
  env: KernelEnv,
  nl: Rtnl,
  owner: { readonly vrf: string; readonly name: string },
  link: string | number,
  desired: readonly string[],
): Promise<void> {
  const present = (await nl.addrs.list({ link })).map((a) => formatPrefix(a.address));
  const owned = env.owned.addresses(owner.vrf, owner.name);
  const plan = planAddresses(desired, present, owned);
  if (plan.add.length + plan.remove.length > 0) {
    env.owned.setAddresses(owner.vrf, owner.name, [...new Set([...owned, ...desired])]);
  }
  const where = `vrf ${owner.vrf} interface ${owner.name}`;
  for (const a of plan.remove) {
    try {
      await nl.addrs.del(link, a);
    } catch (e) {
      if (!isErrno(e, EADDRNOTAVAIL)) throw e;
    }
    env.log.control(`${where}: address ${a} removed`);
  }
  for (const a of plan.add) {
    try {
      await nl.addrs.add(link, a, { broadcast: true });
    } catch (e) {
      if (!isErrno(e, EEXIST)) throw e;
    }
    env.log.control(`${where}: address ${a} added`);
  }
  const now = new Set(desired);
  if (owned.length !== now.size || owned.some((a) => !now.has(a))) {
    env.owned.setAddresses(owner.vrf, owner.name, desired);
  }
}
