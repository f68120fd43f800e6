/**
 * Per-namespace (per-VRF) sysctls: `net.*` keys under /proc/sys/net show
 * and change the namespace of the thread that opens them, so they are
 * read and written through FFI inside `Netns.run`:
 * `ip netns exec <vrf> sysctl -w key=value`.
 *
 * @module
 */
import { KernelError } from "./errno.ts";
import { readTextFile, writeTextFile } from "./files.ts";
import type { Netns } from "./netns.ts";

/**
 * The /proc/sys path of a key. Dotted keys (`net.ipv4.ip_forward`) map
 * dots to slashes; a key containing `/` is taken as a path below
 * /proc/sys, which is how to name interfaces with dots in them
 * (`net/ipv4/conf/eth0.100/rp_filter`), as `sysctl` allows.
 */
export function sysctlPath(key: string): string {
  if (!/^[A-Za-z0-9_./:@+-]+$/.test(key) || key.includes("..")) {
    throw new Error(`Cannot use sysctl "${key}": not a sysctl key`);
  }
  return `/proc/sys/${key.includes("/") ? key : key.replaceAll(".", "/")}`;
}

function rethrow(e: unknown, what: string): never {
  if (e instanceof KernelError) throw new KernelError(what, e.errno);
  throw e;
}

/** Reads a sysctl in `ns` (trimmed): `sysctl -n key`. */
export function readSysctl(ns: Netns, key: string): string {
  const path = sysctlPath(key);
  try {
    return ns.run(() => readTextFile(path)).trim();
  } catch (e) {
    rethrow(e, `read sysctl ${key} in namespace ${ns.label}`);
  }
}

/** Writes a sysctl in `ns`: `sysctl -w key=value`. */
export function writeSysctl(ns: Netns, key: string, value: string | number): void {
  const path = sysctlPath(key);
  try {
    ns.run(() => writeTextFile(path, `${value}\n`));
  } catch (e) {
    rethrow(e, `set sysctl ${key}=${value} in namespace ${ns.label}`);
  }
}

/** The router settings of a VRF; unset fields are left alone. */
export interface RouterSysctls {
  /** net.ipv4.ip_forward. */
  ipv4Forwarding?: boolean;
  /** net.ipv6.conf.{all,default}.forwarding. */
  ipv6Forwarding?: boolean;
  /** net.ipv4.conf.{all,default}.rp_filter: 0 off, 1 strict, 2 loose. */
  rpFilter?: 0 | 1 | 2;
  /** net.ipv6.conf.{all,default}.accept_dad: 0 off, 1 on, 2 disable IPv6 on DAD failure. */
  acceptDad?: 0 | 1 | 2;
  /** net.ipv6.conf.{all,default}.accept_ra (a router usually says 0). */
  acceptRa?: 0 | 1 | 2;
  /** net.ipv4.ip_nonlocal_bind and net.ipv6.ip_nonlocal_bind: bind to VIPs not (yet) ours. */
  nonLocalBind?: boolean;
}

/** Writes the given router sysctls into `ns`. */
export function applyRouterSysctls(ns: Netns, s: RouterSysctls): void {
  const both = (suffix: string, v: number) => {
    writeSysctl(ns, `net.ipv6.conf.all.${suffix}`, v);
    writeSysctl(ns, `net.ipv6.conf.default.${suffix}`, v);
  };
  if (s.ipv4Forwarding !== undefined) {
    writeSysctl(ns, "net.ipv4.ip_forward", s.ipv4Forwarding ? 1 : 0);
  }
  if (s.ipv6Forwarding !== undefined) both("forwarding", s.ipv6Forwarding ? 1 : 0);
  if (s.rpFilter !== undefined) {
    writeSysctl(ns, "net.ipv4.conf.all.rp_filter", s.rpFilter);
    writeSysctl(ns, "net.ipv4.conf.default.rp_filter", s.rpFilter);
  }
  if (s.acceptDad !== undefined) both("accept_dad", s.acceptDad);
  if (s.acceptRa !== undefined) both("accept_ra", s.acceptRa);
  if (s.nonLocalBind !== undefined) {
    writeSysctl(ns, "net.ipv4.ip_nonlocal_bind", s.nonLocalBind ? 1 : 0);
    writeSysctl(ns, "net.ipv6.ip_nonlocal_bind", s.nonLocalBind ? 1 : 0);
  }
}
