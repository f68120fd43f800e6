/**
 * Top-level `ha`: high-availability groups. A group holds the
 * master/backup state of this node; exactly one controller drives it,
 * either a static `state` here or a VRRP group's `notify-ha-group`, and
 * services such as HA IKE follow it (`listen-ha-group`).
 *
 * @module
 */
import { container, leaf, list } from "./schema.ts";
import { enumeration, name } from "./value_types.ts";

export const HA_STATES = ["master", "backup"] as const;

export const HA = container({
  group: list({ name: "name", type: name, help: "ha group name" }, {
    state: leaf(enumeration(HA_STATES, "ha state"), {
      help: "static state of the group (when no VRRP group controls it)",
    }),
  }, { help: "high-availability group" }),
}, { help: "high-availability groups" });
