/**
 * The configuration tree's VRRP (`vrf <vrf> interface vrrp <name>`, `vrf
 * <vrf> vrrp group <name>`) as the {@linkcode VrrpRuntimeConfig} of that
 * VRF's runtime: one field per leaf, the table in
 * `vrrp/runtime_config.ts`. Defaults come filled in from the schema
 * (priority 100, advertisement-interval 1000 ms, version 3, preempt
 * true); `preempt-delay` is in milliseconds on both sides.
 *
 * @module
 */
import type { VrfConfig, VrrpGroupConfig, VrrpInterfaceConfig } from "../config/root_schema.ts";
import type {
  VrrpGroupSpec,
  VrrpInterfaceSpec,
  VrrpRuntimeConfig,
} from "../vrrp/runtime_config.ts";

/** `interface vrrp <name>` as a runtime instance. */
export function vrrpInstanceSpec(v: VrrpInterfaceConfig): VrrpInterfaceSpec {
  return {
    name: v.name,
    linkInterface: v["link-interface"],
    vrid: v.vrid,
    priority: v.priority,
    advertisementInterval: v["advertisement-interval"],
    virtualAddresses: [...v["virtual-address"]],
    version: v.version,
    preempt: v.preempt,
    ...(v["preempt-delay"] === undefined ? {} : { preemptDelay: v["preempt-delay"] }),
  };
}

/** `vrrp group <name>` as a runtime group. */
export function vrrpGroupSpec(g: VrrpGroupConfig): VrrpGroupSpec {
  return {
    name: g.name,
    instances: [...g.instance],
    ...(g["notify-ha-group"] === undefined ? {} : { notifyHaGroup: g["notify-ha-group"] }),
  };
}

/** The runtime configuration of one VRF (empty lists: no VRRP there). */
export function vrrpRuntimeConfig(vrf: VrfConfig): VrrpRuntimeConfig {
  return {
    instances: vrf.interface.vrrp.map(vrrpInstanceSpec),
    groups: vrf.vrrp.group.map(vrrpGroupSpec),
  };
}
