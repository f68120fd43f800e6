/**
 * Where reference leaves look for their targets: shared by the subtree
 * schemas, so that every `link-interface`, `link-vrf`, template or group
 * reference resolves (and completes) the same way.
 *
 * @module
 */
import type { RefSpec } from "./schema.ts";

/** A VRF name. */
export const VRF_REF: RefSpec = { scope: "root", lists: [["vrf"]], what: "vrf" };

/** Any interface of the same VRF. */
export const INTERFACE_REF: RefSpec = {
  scope: "vrf",
  lists: [
    ["interface", "physical"],
    ["interface", "loopback"],
    ["interface", "svti"],
    ["interface", "gre"],
    ["interface", "vrrp"],
  ],
  what: "interface",
};

/** A physical interface of the same VRF (what VRRP runs on). */
export const PHYSICAL_REF: RefSpec = {
  scope: "vrf",
  lists: [["interface", "physical"]],
  what: "physical interface",
};

/** A VRRP interface (instance) of the same VRF. */
export const VRRP_INSTANCE_REF: RefSpec = {
  scope: "vrf",
  lists: [["interface", "vrrp"]],
  what: "vrrp interface",
};

/** An HA group (top level). */
export const HA_GROUP_REF: RefSpec = { scope: "root", lists: [["ha", "group"]], what: "ha group" };

/** An IKE policy template of the same VRF. */
export const IKE_TEMPLATE_REF: RefSpec = {
  scope: "vrf",
  lists: [["ike", "ike-policy-template"]],
  what: "ike-policy-template",
};

/** An IPsec policy template of the same VRF. */
export const IPSEC_TEMPLATE_REF: RefSpec = {
  scope: "vrf",
  lists: [["ike", "ipsec-policy-template"]],
  what: "ipsec-policy-template",
};

/** An HA-synchronized virtual IP pool of the same VRF. */
export const HA_POOL_REF: RefSpec = {
  scope: "vrf",
  lists: [["ike", "ha", "pool"]],
  what: "ha pool",
};
