/**
 * `vrf <name> vrrp group <name>`: VRRP groups. A group's instances move
 * together, and its state drives one HA group (`notify-ha-group`).
 *
 * @module
 */
import { container, leaf, leafList, list } from "./schema.ts";
import { HA_GROUP_REF, VRRP_INSTANCE_REF } from "./refs.ts";
import { interfaceName, name } from "./value_types.ts";

export const VRRP = container({
  group: list({ name: "name", type: name, help: "vrrp group name" }, {
    instance: leafList(interfaceName, {
      help: "vrrp interface in the group",
      ref: VRRP_INSTANCE_REF,
    }),
    "notify-ha-group": leaf(name, {
      help: "ha group whose state this group controls",
      ref: HA_GROUP_REF,
    }),
  }, { help: "group of VRRP instances that change state together" }),
}, { help: "VRRP groups" });
