/**
 * Every typed cross-check, in the order their subtrees are declared.
 *
 * @module
 */
import type { TandemConfig } from "./root_schema.ts";
import type { Check } from "./validate.ts";
import { IKE_CHECKS } from "./ike_checks.ts";
import { IKE_HA_CHECKS } from "./ike_ha_checks.ts";
import { INTERFACE_CHECKS } from "./interface_checks.ts";
import { VRRP_CHECKS } from "./vrrp_checks.ts";

export const ALL_CHECKS: readonly Check<TandemConfig>[] = [
  ...INTERFACE_CHECKS,
  ...VRRP_CHECKS,
  ...IKE_CHECKS,
  ...IKE_HA_CHECKS,
];
