/**
 * `vrf <name> ike ha`: HA IKE. The active node streams IKE and CHILD SA
 * state to its peer between `local-address` and `remote-address`, over
 * `interface`, following the HA group named by `listen-ha-group`;
 * `seqnum-sync` paces the ESP sequence-number updates and `pool` holds the
 * virtual-IP pools whose leases are synchronized.
 *
 * @module
 */
import { container, leaf, leafList, list, presence } from "./schema.ts";
import { duration } from "./duration.ts";
import { HA_GROUP_REF, INTERFACE_REF } from "./refs.ts";
import { bool, int, interfaceName, ipAddress, ipPrefix, name, netmask } from "./value_types.ts";

const U32 = 4294967295;

export const SEQNUM_SYNC = container({
  "oseq-shift": leaf(int(0, U32), {
    help: "added to outbound sequence numbers on takeover",
    default: 65536,
  }),
  "sync-period-time": leaf(duration(0, 86_400_000), {
    help: "minimum time between sequence number updates (0 disables)",
    default: 10_000,
  }),
  "sync-period-packets": leaf(int(0, U32), {
    help: "packets between sequence number updates (0 disables)",
    default: 2,
  }),
}, { help: "IPsec sequence number synchronization" });

export const HA_POOL = list({ name: "name", type: name, help: "pool name" }, {
  address: leaf(ipPrefix(), { help: "subnet the virtual addresses come from", mandatory: true }),
  dns: leafList(ipAddress(), { help: "DNS server given to peers" }),
  nbns: leafList(ipAddress(), { help: "NetBIOS name server given to peers" }),
  dhcp: leafList(ipAddress(), { help: "DHCP server given to peers" }),
  subnet: leafList(ipPrefix(), { help: "subnet protected by this gateway (INTERNAL_IP*_SUBNET)" }),
  netmask: leaf(netmask, { help: "internal netmask given to IPv4 peers (INTERNAL_IP4_NETMASK)" }),
}, { help: "HA-synchronized virtual IP pool" });

export const IKE_HA = presence({
  enabled: leaf(bool, { help: "run HA IKE", default: true }),
  "listen-ha-group": leaf(name, {
    help: "ha group whose state makes this node active or backup",
    ref: HA_GROUP_REF,
  }),
  "node-id": leaf(int(1, 15), { help: "identifier of this node in the HA cluster" }),
  interface: leaf(interfaceName, {
    help: "interface the synchronization messages use",
    ref: INTERFACE_REF,
  }),
  "local-address": leaf(ipAddress(), { help: "address of this node" }),
  "remote-address": leaf(ipAddress(), { help: "address of the other node" }),
  "seqnum-sync": SEQNUM_SYNC,
  pool: HA_POOL,
}, { help: "high-availability IKE" });
