/**
 * `vrf <name> interface`: the network interfaces of a VRF. Physical
 * interfaces name the link they use (`port`); loopbacks carry service
 * addresses; SVTI and GRE interfaces are cross-VRF logical interfaces whose
 * encapsulated traffic leaves through `link-vrf`; VRRP interfaces are
 * VRRPv3 instances (RFC 5798) on a physical link.
 *
 * @module
 */
import { container, leaf, leafList, list } from "./schema.ts";
import { duration } from "./duration.ts";
import { PHYSICAL_REF, VRF_REF } from "./refs.ts";
import {
  bool,
  int,
  interfaceAddress,
  interfaceName,
  ipAddress,
  name,
  word,
} from "./value_types.ts";

const ipv4 = container({
  address: leafList(interfaceAddress(4), { help: "IPv4 address and prefix length" }),
}, { help: "IPv4 addresses" });

const ipv6 = container({
  address: leafList(interfaceAddress(6), { help: "IPv6 address and prefix length" }),
}, { help: "IPv6 addresses" });

const key = { name: "name", type: interfaceName, help: "interface name" } as const;

const linkVrf = leaf(name, {
  help: "VRF the encapsulated traffic leaves through (default: this VRF)",
  ref: VRF_REF,
});

export const PHYSICAL = list(key, {
  ipv4,
  ipv6,
  port: leaf(word, {
    help: "hardware port (here: the link's name; default: the interface name)",
  }),
  mtu: leaf(int(68, 9000), { help: "maximum transmission unit in bytes", default: 1500 }),
}, { help: "physical network interface" });

export const LOOPBACK = list(key, { ipv4, ipv6 }, { help: "loopback interface" });

export const SVTI = list(key, {
  ipv4,
  ipv6,
  "svti-id": leaf(int(1, 4294967295), {
    help: "identifier matching a security-policy's svti-id-in/svti-id-out",
    mandatory: true,
  }),
  "link-vrf": linkVrf,
}, { help: "secure virtual tunnel interface (route-based IPsec)" });

export const GRE = list(key, {
  local: leaf(ipAddress(), { help: "local tunnel endpoint (in link-vrf)", mandatory: true }),
  remote: leaf(ipAddress(), { help: "remote tunnel endpoint", mandatory: true }),
  ipv4,
  ipv6,
  "link-vrf": linkVrf,
}, { help: "GRE tunnel interface" });

/** VRRPv3 (RFC 5798) advertisement intervals are centiseconds: 10 ms steps, 12 bits. */
export const VRRP_INTERFACE = list(key, {
  "link-interface": leaf(interfaceName, {
    help: "physical interface the instance runs on",
    mandatory: true,
    ref: PHYSICAL_REF,
  }),
  vrid: leaf(int(1, 255), { help: "virtual router identifier", mandatory: true }),
  priority: leaf(int(1, 254), { help: "priority in the election", default: 100 }),
  "advertisement-interval": leaf(int(10, 40950, { step: 10 }), {
    help: "advertisement interval in milliseconds",
    default: 1000,
  }),
  "virtual-address": leafList(interfaceAddress(), { help: "virtual address and prefix length" }),
  version: leaf(int(2, 3), { help: "VRRP version", default: 3 }),
  preempt: leaf(bool, { help: "take over from a lower-priority master", default: true }),
  "preempt-delay": leaf(duration(0, 3_600_000), { help: "delay before preempting" }),
}, { help: "VRRP instance" });

export const INTERFACE = container({
  physical: PHYSICAL,
  loopback: LOOPBACK,
  svti: SVTI,
  gre: GRE,
  vrrp: VRRP_INTERFACE,
}, { help: "network interfaces" });
