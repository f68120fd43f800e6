/**
 * The whole configuration tree: `vrf`, `system`, `ha`, in the order the
 * reference's `show config` prints them, and the typed configuration the
 * daemon reads.
 *
 * @module
 */
import { container, list, type ValueOf } from "./schema.ts";
import { HA } from "./ha_schema.ts";
import { IKE } from "./ike_schema.ts";
import { INTERFACE } from "./interface_schema.ts";
import { ROUTING } from "./routing_schema.ts";
import { SYSTEM } from "./system_schema.ts";
import { VRRP } from "./vrrp_schema.ts";
import { name } from "./value_types.ts";

export const VRF = list({ name: "name", type: name, help: "VRF name" }, {
  interface: INTERFACE,
  routing: ROUTING,
  vrrp: VRRP,
  ike: IKE,
}, { help: "virtual routing and forwarding instance (a network namespace)" });

export const ROOT = container({ vrf: VRF, system: SYSTEM, ha: HA }, { help: "configuration" });

/** The typed configuration: defaults filled in, lists as arrays. */
export type TandemConfig = ValueOf<typeof ROOT>;
export type VrfConfig = TandemConfig["vrf"][number];
export type IkeConfig = NonNullable<VrfConfig["ike"]>;
export type IkeHaConfig = NonNullable<IkeConfig["ha"]>;
export type VpnConfig = IkeConfig["vpn"][number];
export type InterfaceConfig = VrfConfig["interface"];
export type PhysicalInterfaceConfig = InterfaceConfig["physical"][number];
export type LoopbackInterfaceConfig = InterfaceConfig["loopback"][number];
export type SvtiInterfaceConfig = InterfaceConfig["svti"][number];
export type GreInterfaceConfig = InterfaceConfig["gre"][number];
export type VrrpInterfaceConfig = InterfaceConfig["vrrp"][number];
export type VrrpGroupConfig = VrfConfig["vrrp"]["group"][number];
export type StaticRoutesConfig = VrfConfig["routing"]["static"];
export type HaGroupConfig = TandemConfig["ha"]["group"][number];
export type HaPoolConfig = IkeHaConfig["pool"][number];
export type IkePolicyTemplateConfig = IkeConfig["ike-policy-template"][number];
export type IpsecPolicyTemplateConfig = IkeConfig["ipsec-policy-template"][number];
export type PreSharedKeyConfig = IkeConfig["pre-shared-key"][number];
export type SecurityPolicyConfig = VpnConfig["security-policy"][number];
