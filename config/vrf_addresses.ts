/**
 * The addresses a VRF's configuration puts on its interfaces (interface
 * addresses, VRRP virtual addresses), for the cross-checks that need to
 * know whether an address or next hop belongs to the VRF.
 *
 * @module
 */
import {
  type InterfaceAddress,
  type IpAddress,
  ipEqual,
  networkOf,
  parseInterfaceAddress,
  prefixContains,
} from "../core/ip.ts";
import type { VrfConfig } from "./root_schema.ts";

/** One configured address and the interface holding it. */
export interface ConfiguredAddress {
  readonly ifname: string;
  readonly text: string;
  readonly address: InterfaceAddress;
  /** A VRRP virtual address (present only on the master). */
  readonly virtual: boolean;
}

/** Every address configured in a VRF, in configuration order. */
export function vrfAddresses(vrf: VrfConfig): ConfiguredAddress[] {
  const out: ConfiguredAddress[] = [];
  const add = (ifname: string, texts: readonly string[], virtual: boolean) => {
    for (const text of texts) {
      out.push({ ifname, text, address: parseInterfaceAddress(text), virtual });
    }
  };
  const i = vrf.interface;
  for (const l of [...i.physical, ...i.loopback, ...i.svti, ...i.gre]) {
    add(l.name, l.ipv4.address, false);
    add(l.name, l.ipv6.address, false);
  }
  for (const v of i.vrrp) add(v.name, v["virtual-address"], true);
  return out;
}

/** The names of every interface of a VRF, with their kind. */
export function vrfInterfaces(vrf: VrfConfig): Map<string, string> {
  const out = new Map<string, string>();
  const i = vrf.interface;
  for (const [kind, l] of Object.entries(i)) for (const e of l) out.set(e.name, kind);
  return out;
}

/** Whether `ip` is configured on an interface of the VRF (optionally a given one). */
export function hasAddress(
  addrs: readonly ConfiguredAddress[],
  ip: IpAddress,
  ifname?: string,
): boolean {
  return addrs.some((a) =>
    ipEqual(a.address.address, ip) && (ifname === undefined || a.ifname === ifname)
  );
}

/** Whether `ip` lies in a subnet connected to the VRF. */
export function isOnLink(addrs: readonly ConfiguredAddress[], ip: IpAddress): boolean {
  return addrs.some((a) => prefixContains(networkOf(a.address), ip));
}
