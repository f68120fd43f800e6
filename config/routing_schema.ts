/**
 * `vrf <name> routing static`: static routes. Each route lists its next
 * hops as entries (printed one per line, `next-hop 10.200.0.1`).
 *
 * @module
 */
import { container, list } from "./schema.ts";
import { ipAddress, ipPrefix } from "./value_types.ts";

function routes(family: 4 | 6) {
  return list({ name: "prefix", type: ipPrefix(family), help: "destination prefix" }, {
    "next-hop": list({ name: "address", type: ipAddress(family), help: "gateway address" }, {}, {
      help: "next hop",
      flat: true,
    }),
  }, { help: `IPv${family} static route` });
}

export const ROUTING = container({
  static: container({
    "ipv4-route": routes(4),
    "ipv6-route": routes(6),
  }, { help: "static routes" }),
}, { help: "routing" });
