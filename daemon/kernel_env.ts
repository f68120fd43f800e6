/**
 * What the kernel appliers share: the VRF namespaces, the record of what
 * Tandem owns, a logger, and how a failing applier undoes its own partial
 * work (the datastore reverts the appliers that completed; the one that
 * failed must leave the kernel as it found it).
 *
 * @module
 */
import type { Logger } from "../core/log.ts";
import type { Change } from "../config/appliers.ts";
import { Rtnl } from "../kernel/netlink/rtnl.ts";
import type { Netns } from "../kernel/netns.ts";
import { MAIN_VRF, type Vrfs } from "../kernel/vrf.ts";
import type { Owned } from "./owned.ts";

export { MAIN_VRF };

/** The kernel appliers' shared state. */
export class KernelEnv {
  constructor(readonly vrfs: Vrfs, readonly owned: Owned, readonly log: Logger) {}

  netns(vrf: string): Netns {
    return this.vrfs.netns(vrf);
  }

  /**
   * Whether the VRF's namespace exists and can be entered (main always
   * can). A crash inside `ip netns add` leaves a plain file where the
   * namespace would be: that does not count.
   */
  exists(vrf: string): boolean {
    return this.vrfs.exists(vrf) && usable(this.netns(vrf));
  }

  /** An rtnetlink handle in the VRF (close it: `using nl = env.open(vrf)`). */
  open(vrf: string): Rtnl {
    const ns = this.netns(vrf);
    if (!ns.exists()) throw new Error(`vrf ${vrf} has no namespace (${ns.label})`);
    return Rtnl.open(ns);
  }
}

/** Whether a namespace can be entered. */
export function usable(ns: Netns): boolean {
  try {
    ns.id();
    return true;
  } catch {
    return false;
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Applies a change the way every kernel applier does: `ensure` the new
 * configuration or `remove` the instance; on failure, back to the old one.
 */
export function applyChange<T>(
  env: KernelEnv,
  change: Change<T>,
  ensure: (cfg: T) => Promise<void>,
  remove: () => Promise<void>,
): Promise<void> {
  const to = (cfg: T | undefined) => () => cfg === undefined ? remove() : ensure(cfg);
  return withUndo(env.log, change.pathText, to(change.new), to(change.old));
}

/**
 * Runs `work`; if it throws, runs `undo` (bringing the kernel back to the
 * old configuration), logs an undo failure, and rethrows the first error.
 */
export async function withUndo(
  log: Logger,
  what: string,
  work: () => Promise<void>,
  undo: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (e) {
    log.warn(`${what}: ${reason(e)}; undoing`);
    try {
      await undo();
    } catch (u) {
      log.error(`${what}: undoing failed: ${reason(u)}`);
    }
    throw e;
  }
}
