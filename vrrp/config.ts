/**
 * The parameters of a VRRPv3 instance (RFC 5798 §6.1) as the configuration
 * gives them, their defaults, their validation, and the timer arithmetic of
 * RFC 5798 §6.1 (Skew_Time, Master_Down_Interval).
 *
 * Intervals: the configuration speaks milliseconds (`advertisement-interval
 * 1000`, down to 10 ms), the wire speaks centiseconds (12 bits, 10 ms ..
 * 40 950 ms). A configured value that is not a multiple of 10 ms is
 * **rounded up** to the next one (e.g. 1005 -> 1010 ms, sent as 101 cs), and
 * the instance then advertises at exactly the rounded value: what it sends
 * on the wire is what it does, and backups, which time out on the
 * advertised value, never see adverts later than they expect.
 *
 * Timer values are kept in (possibly fractional) milliseconds, so that
 * `Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256` is exact:
 * priority 100 at 1 s gives 609.375 ms, Master_Down_Interval 3609.375 ms
 * (keepalived 2.2.7 measured 3.61 s between the last advert of a killed
 * master and the backup's first).
 *
 * @module
 */
import type { Family, InterfaceAddress, IpAddress } from "../core/ip.ts";
import { formatPrefix } from "../core/ip.ts";
import { VRRP_MAX_INTERVAL_CS } from "./packet.ts";

/** Priority of the address owner (§6.1): always master, never preempted. */
export const PRIORITY_OWNER = 255;
/** Priority a master sends when it stops (§6.4.3 Shutdown). */
export const PRIORITY_RESIGN = 0;

/** Configuration of one VRRP instance (`vrf main interface vrrp <name>`). */
export interface VrrpInstanceConfig {
  /** The `vrrp <name>` interface name, also the Linux macvlan name (<= 15 characters). */
  readonly name: string;
  /** `link-interface`: the physical link the virtual router lives on. */
  readonly linkInterface: string;
  /** `vrid`, 1..255. */
  readonly vrid: number;
  /** `priority`, 1..255 (255: this node owns the addresses); default 100 (§6.1). */
  readonly priority?: number;
  /** `advertisement-interval` in ms, 10..40950, default 1000 (§6.1: 100 cs). */
  readonly advertisementIntervalMs?: number;
  /** `virtual-address`, one family, at least one (§5.2.5), at most 255. */
  readonly virtualAddresses: readonly InterfaceAddress[];
  /**
   * Source address of the adverts: the link's primary IPv4 address, or its
   * IPv6 link-local address (§5.1.1.1, §5.1.2.1). Also the tie-break
   * address of §6.4.3. Supplied by whoever binds the instance to a link.
   */
  readonly primaryAddress: IpAddress;
  /** `preempt`, default true (§6.1). */
  readonly preempt?: boolean;
  /** `preempt-delay` in ms, default 0: how long a higher-priority backup lets a lower master live. */
  readonly preemptDelayMs?: number;
  /** `accept-mode`, default true (keepalived's default; RFC 5798 §6.1 says false). */
  readonly accept?: boolean;
  /** Delay after `start()` before the instance may become master; default 0. */
  readonly startupDelayMs?: number;
  /** Gratuitous ARPs / unsolicited NAs per address per burst; default 5 (keepalived). */
  readonly garpRepeat?: number;
  /** Delay of the second burst after becoming master, ms, 0 = none; default 5000 (keepalived). */
  readonly garpDelayMs?: number;
  /** Period of refresh bursts while master, ms, 0 = none; default 0 (keepalived). */
  readonly garpRefreshMs?: number;
  /**
   * A master that hears a lower-priority advert answers at once with its own
   * advert and a burst of GARPs (keepalived's default, ends a split brain
   * one interval sooner); false follows RFC 5798 §6.4.3 strictly (discard).
   */
  readonly lowerPriorityReply?: boolean;
}

/** A configuration with every default filled in and the interval rounded. */
export interface ResolvedVrrpConfig {
  readonly name: string;
  readonly linkInterface: string;
  readonly family: Family;
  readonly vrid: number;
  readonly priority: number;
  /** Effective Advertisement_Interval in ms (a multiple of 10). */
  readonly advertisementIntervalMs: number;
  /** The same in centiseconds, as sent. */
  readonly intervalCs: number;
  readonly virtualAddresses: readonly InterfaceAddress[];
  readonly primaryAddress: IpAddress;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly accept: boolean;
  readonly startupDelayMs: number;
  readonly garpRepeat: number;
  readonly garpDelayMs: number;
  readonly garpRefreshMs: number;
  readonly lowerPriorityReply: boolean;
}

/** Smallest and largest advertisement intervals in ms. */
export const MIN_INTERVAL_MS = 10;
export const MAX_INTERVAL_MS = VRRP_MAX_INTERVAL_CS * 10;

/** Configured milliseconds to wire centiseconds, rounding up (see the module doc). */
export function intervalToCs(ms: number): number {
  return Math.ceil(ms / 10);
}

/** Skew_Time in ms (§6.1): `((256 - priority) * masterAdverMs) / 256`. */
export function skewTimeMs(priority: number, masterAdverMs: number): number {
  return ((256 - priority) * masterAdverMs) / 256;
}

/** Master_Down_Interval in ms (§6.1): `3 * masterAdverMs + Skew_Time`. */
export function masterDownIntervalMs(priority: number, masterAdverMs: number): number {
  return 3 * masterAdverMs + skewTimeMs(priority, masterAdverMs);
}

function range(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v) || v < lo || v > hi) {
    throw new RangeError(`Cannot set "${name}": ${v} is out of range ${lo}..${hi}`);
  }
  return v;
}

function integer(name: string, v: number, lo: number, hi: number): number {
  range(name, v, lo, hi);
  if (!Number.isInteger(v)) throw new RangeError(`Cannot set "${name}": ${v} is not an integer`);
  return v;
}

/** Validates `c` and fills the defaults; errors are RangeErrors in the project's voice. */
export function resolveVrrpConfig(c: VrrpInstanceConfig): ResolvedVrrpConfig {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/.test(c.name)) {
    throw new RangeError(
      `Cannot set "vrrp ${c.name}": an interface name is 1..15 letters, digits, ".", "_" or "-"`,
    );
  }
  integer("vrid", c.vrid, 1, 255);
  const priority = integer("priority", c.priority ?? 100, 1, 255);
  const ms = range(
    "advertisement-interval",
    c.advertisementIntervalMs ?? 1000,
    10,
    MAX_INTERVAL_MS,
  );
  const intervalCs = intervalToCs(ms);
  const vips = c.virtualAddresses;
  if (vips.length === 0) {
    throw new RangeError(`Cannot start vrrp ${c.name}: it has no "virtual-address"`);
  }
  integer("virtual-address count", vips.length, 1, 255);
  const family = vips[0]!.address.family;
  for (const v of vips) {
    if (v.address.family !== family) {
      throw new RangeError(
        `Cannot set "virtual-address" ${formatPrefix(v)} on vrrp ${c.name}: ` +
          `an instance is IPv4 or IPv6 (RFC 5798 §1), not both`,
      );
    }
  }
  if (c.primaryAddress.family !== family) {
    throw new RangeError(
      `Cannot start vrrp ${c.name}: its primary address is not IPv${family} like its virtual addresses`,
    );
  }
  return {
    name: c.name,
    linkInterface: c.linkInterface,
    family,
    vrid: c.vrid,
    priority,
    advertisementIntervalMs: intervalCs * 10,
    intervalCs,
    virtualAddresses: vips,
    primaryAddress: c.primaryAddress,
    preempt: c.preempt ?? true,
    preemptDelayMs: range("preempt-delay", c.preemptDelayMs ?? 0, 0, 3_600_000),
    accept: c.accept ?? true,
    startupDelayMs: range("startup-delay", c.startupDelayMs ?? 0, 0, 3_600_000),
    garpRepeat: integer("garp-repeat", c.garpRepeat ?? 5, 0, 100),
    garpDelayMs: range("garp-delay", c.garpDelayMs ?? 5000, 0, 3_600_000),
    garpRefreshMs: range("garp-refresh", c.garpRefreshMs ?? 0, 0, 86_400_000),
    lowerPriorityReply: c.lowerPriorityReply ?? true,
  };
}

/** Whether an IPv6 address is link-local (fe80::/10). */
export function isLinkLocal6(a: IpAddress): boolean {
  return a.family === 6 && a.bytes[0] === 0xfe && (a.bytes[1]! & 0xc0) === 0x80;
}
