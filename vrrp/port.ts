/**
 * The I/O a VRRP instance needs, as one small port, and the decision of how
 * the reference's `vrrp <name>` interface is realised on Linux.
 *
 * ## Decision: a macvlan named `<name>` carrying the virtual MAC
 *
 * `interface vrrp vrrp51` with `link-interface eth1`, `vrid 1` and
 * `virtual-address 10.100.0.2/24` becomes
 *
 * ```text
 * ip link add vrrp51 link eth1 address 00:00:5e:00:01:01 type macvlan mode bridge
 * ip link set vrrp51 addrgenmode none            # no automatic IPv6 link-local, no DAD/MLD noise
 * sysctl net.ipv4.conf.vrrp51.arp_ignore=1       # answer ARP only for addresses on vrrp51
 * sysctl net.ipv4.conf.eth1.arp_ignore=1 net.ipv4.conf.eth1.arp_filter=1
 *                                                # eth1 must not answer ARP for the VIP with its own MAC
 * # master:  ip link set vrrp51 up; ip addr add 10.100.0.2/24 dev vrrp51; GARP x5 from 00:00:5e:00:01:01
 * # backup:  ip addr del 10.100.0.2/24 dev vrrp51; ip link set vrrp51 down
 * ```
 *
 * like keepalived's `use_vmac` (which the lab captured: adverts and GARPs
 * from 00:00:5e:00:01:4e), rather than adding the VIP to `eth1` itself
 * (keepalived's default). Why:
 *
 * - RFC 5798 §7.3: the master answers ARP / ND for the virtual addresses
 *   with the virtual router MAC `00:00:5e:00:01:<vrid>` (IPv6:
 *   `00:00:5e:00:02:<vrid>`) and sends its adverts from it. Hosts' ARP
 *   entries then stay valid across a failover; the GARP burst only has to
 *   move the MAC in the switches' forwarding tables. Hosts that ignore
 *   gratuitous ARP (some do) keep working, which is not true when the VIP
 *   changes MAC on takeover.
 * - `show interface` lists `vrrp51` as the reference shows it: up with the
 *   VIP on the master, down without it on the backup.
 * - Keeping the macvlan **down on the backup** (keepalived keeps its VMAC up)
 *   means the backup never receives, answers or forwards anything sent to
 *   the virtual MAC (RFC 5798 §6.4.2: a backup MUST discard such frames) and
 *   never emits anything from it, so two nodes never show the same MAC on
 *   the segment. The connected route of the VIP subnet follows the link
 *   state, so only the master routes via `vrrp51`.
 * - **Mode `bridge`, not `private`** (keepalived's default), measured in
 *   the Tandem pair test: the macvlan driver hands a multicast frame whose
 *   *source* MAC is one of the link's own private (or passthru) macvlans to
 *   that macvlan alone, as a reflection of what it sent. A master's peer
 *   with the same VRID sends its adverts from the same virtual MAC, so in
 *   private mode they would reach only the master's macvlan, never the
 *   link's receive socket: the master would not hear a higher-priority
 *   peer (RFC 5798 §6.4.3) and two masters would stay up. keepalived copes
 *   by listening on its VMAC (kept up on the backup too); in bridge mode
 *   the frame goes on to the link, where both states listen. Bridge mode
 *   only adds direct delivery between macvlans of the same link (other
 *   VRRP instances' virtual links), which carry no traffic of their own.
 * - keepalived interop does not depend on it: a keepalived peer without
 *   `use_vmac` answers for the VIP with its own MAC after its GARPs; we
 *   answer with the virtual MAC after ours. Both move hosts and switches.
 *
 * Adverts: IPv4 adverts leave through the macvlan (source MAC = virtual MAC,
 * as §7.3 asks, which also keeps switches' entry for it fresh) with the
 * link's primary address as IP source (raw socket bound to that address,
 * `IP_MULTICAST_IF` = the macvlan's ifindex). They are received on the link
 * (`eth1`), where the backup listens. IPv6: the macvlan gets the link's own
 * link-local address (`nodad`) as advert source, as keepalived does.
 *
 * The port below is what the instance asks for; the I/O phase implements it
 * on `kernel/` (raw sockets for adverts, netlink for the link and addresses,
 * an AF_PACKET socket on the macvlan for the frames of `announce.ts`).
 *
 * @module
 */
import type { Family, InterfaceAddress, IpAddress } from "../core/ip.ts";

/** What a VRRP instance does to the outside world. */
export interface VrrpPort {
  /**
   * Sends one advertisement: `message` is the VRRP message (checksummed for
   * `src` -> 224.0.0.18 / ff02::12); the IP layer adds TTL / hop limit 255,
   * protocol 112, TOS 0xc0 (IPv4, as keepalived). Returns false when the
   * message could not be sent (counted, never thrown).
   */
  sendAdvert(message: Uint8Array, src: IpAddress): boolean;
  /**
   * Becoming master: bring the virtual link up and add the addresses. With
   * `accept` false and priority < 255, packets addressed to them must not be
   * delivered locally (RFC 5798 §6.4.3 Accept_Mode).
   */
  addVirtualAddresses(addrs: readonly InterfaceAddress[], accept: boolean): void;
  /** Leaving master: remove the addresses and bring the virtual link down. */
  removeVirtualAddresses(addrs: readonly InterfaceAddress[]): void;
  /**
   * `count` gratuitous ARPs or unsolicited Neighbor Advertisements per
   * address, sent back to back, from the virtual MAC. IPv4: ARP request
   * "who-has VIP tell VIP" to ff:ff:ff:ff:ff:ff (the lab captures' form).
   * IPv6: NA from the VIP to ff02::1, hop limit 255, Override flag, Router
   * flag when the node forwards IPv6 (RFC 5798 §6.4.1; keepalived sets it
   * from the interface's forwarding sysctl), target = VIP, Target
   * Link-Layer Address option = virtual MAC (the IPv6 capture's form).
   */
  announce(addrs: readonly InterfaceAddress[], count: number): void;
}

/** The RFC 5798 §7.3 virtual router MAC of a VRID: 00:00:5e:00:01:vrid (IPv6: :02:). */
export function virtualMac(vrid: number, family: Family): string {
  const hex = vrid.toString(16).padStart(2, "0");
  return `00:00:5e:00:0${family === 4 ? 1 : 2}:${hex}`;
}

/** What the I/O phase creates for one instance (see the module doc). */
export interface VirtualLinkPlan {
  /** The macvlan name: the `vrrp <name>` of the configuration. */
  readonly name: string;
  /** Its lower device: `link-interface`. */
  readonly link: string;
  readonly mac: string;
  readonly mode: "bridge";
  readonly addrGenMode: "none";
  /** sysctls to set, `net.ipv4.conf.<dev>.<key>` = value. */
  readonly sysctls: readonly { readonly path: string; readonly value: number }[];
  /** Link state and addresses on the backup (down, none) and the master (up, all). */
  readonly masterAddresses: readonly InterfaceAddress[];
  /** IPv6 only: the link's link-local address, added with `nodad` as the advert source. */
  readonly linkLocal?: IpAddress;
}

/** The plan for an instance's virtual link. */
export function planVirtualLink(c: {
  name: string;
  linkInterface: string;
  vrid: number;
  family: Family;
  virtualAddresses: readonly InterfaceAddress[];
  primaryAddress: IpAddress;
}): VirtualLinkPlan {
  const sysctls = c.family === 4
    ? [
      { path: `net.ipv4.conf.${c.name}.arp_ignore`, value: 1 },
      { path: `net.ipv4.conf.${c.linkInterface}.arp_ignore`, value: 1 },
      { path: `net.ipv4.conf.${c.linkInterface}.arp_filter`, value: 1 },
    ]
    : [];
  return {
    name: c.name,
    link: c.linkInterface,
    mac: virtualMac(c.vrid, c.family),
    mode: "bridge",
    addrGenMode: "none",
    sysctls,
    masterAddresses: c.virtualAddresses,
    ...(c.family === 6 ? { linkLocal: c.primaryAddress } : {}),
  };
}
