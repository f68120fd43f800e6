/**
 * The `tandem lab` network and configurations, after the reference's use
 * case (ha1 facing the remote security gateway SecGW), for one Tandem node:
 *
 * ```
 *  lan1 10.100.0.65 --- eth1 10.100.0.2  [ha1]  eth2 10.200.0.2 --- 10.200.0.1 [secgw] 10.250.0.193 --- lan2 10.250.0.200
 *                              loopback0 10.175.0.1 (IKE)        10.225.0.1 (IKE)
 *  tunnel vpn-secgw: 10.100.0.64/26 <=> 10.250.0.192/26, IKE between 10.175.0.1 and 10.225.0.1
 * ```
 *
 * ha1's interfaces, loopback and static routes are the reference's (its
 * VRRP virtual addresses 10.100.0.2 and 10.200.0.2 are plain addresses on
 * a single node); its IKE configuration is the reference's "Configure IKE"
 * session, typed through `tandem cli`. SecGW is strongSwan (charon with the
 * kernel-libipsec userspace dataplane) or, without strongSwan, a second
 * Tandem node configured as its mirror and answering only.
 *
 * The plan is data (`network.ts`), so that it grows into the reference's
 * full ha1/ha2/SecGW topology.
 *
 * @module
 */
import type { Network } from "./network.ts";
import type { SwanctlConfig } from "./swanctl_conf.ts";

/** What runs the remote security gateway. */
export type PeerKind = "strongswan" | "tandem";

/** The reference's pre-shared key (its public example, not a secret). */
export const REFERENCE_PSK = "0sBzAyaM5PTcnTHi/yRA1lARpAoRetSzP8";

/** Addresses of the demo, by role. */
export const DEMO = {
  lan1Host: "10.100.0.65",
  ha1Lan: "10.100.0.2",
  ha1Wan: "10.200.0.2",
  ha1Ike: "10.175.0.1",
  secgwWan: "10.200.0.1",
  secgwIke: "10.225.0.1",
  // Inside the remote selector: strongSwan's libipsec routes the tunnel only from such an address.
  secgwLan: "10.250.0.193",
  lan2Host: "10.250.0.200",
  localTs: "10.100.0.64/26",
  remoteTs: "10.250.0.192/26",
} as const;

/** The demo's network plan; SecGW's role depends on what runs it. */
export function demoNetwork(peer: PeerKind): Network {
  const d = DEMO;
  const tandemPeer = peer === "tandem";
  return {
    nodes: [
      { name: "lan1", role: "host", routes: [{ to: "default", via: d.ha1Lan }] },
      {
        name: "ha1",
        role: "tandem",
        loopbacks: [{ name: "loopback0", addresses: [`${d.ha1Ike}/32`] }],
        routes: [
          { to: "10.250.0.0/24", via: d.secgwWan },
          { to: "10.225.0.0/24", via: d.secgwWan },
        ],
      },
      {
        name: "secgw",
        role: tandemPeer ? "tandem" : "router",
        ...(tandemPeer
          ? { loopbacks: [{ name: "loopback0", addresses: [`${d.secgwIke}/32`] }] }
          : {}),
        routes: [{ to: `${d.ha1Ike}/32`, via: d.ha1Wan }],
      },
      { name: "lan2", role: "host", routes: [{ to: "default", via: d.secgwLan }] },
    ],
    links: [
      { a: ["lan1", "eth0", `${d.lan1Host}/24`], b: ["ha1", "eth1", `${d.ha1Lan}/24`] },
      {
        a: ["ha1", "eth2", `${d.ha1Wan}/24`],
        // strongSwan's IKE address sits on its WAN link (this kernel has no dummy links).
        b: tandemPeer
          ? ["secgw", "eth0", `${d.secgwWan}/24`]
          : ["secgw", "eth0", `${d.secgwWan}/24`, `${d.secgwIke}/32`],
      },
      { a: ["secgw", "eth1", `${d.secgwLan}/24`], b: ["lan2", "eth0", `${d.lan2Host}/24`] },
    ],
  };
}

/**
 * The reference's "Configure IKE" session for ha1, line by line as an
 * operator types it (contexts, `..`), ending with `commit`. `esn` is the
 * reference's `esn true` unless the peer cannot do ESN.
 */
export function ha1IkeSession(esn: boolean): string[] {
  const d = DEMO;
  return [
    "vrf main",
    "ike",
    "ike-policy-template ike1",
    "ike-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 dh-group modp1024",
    "rekey-time 2h",
    "..",
    "ipsec-policy-template ipsec1",
    `esp-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 esn ${esn}`,
    "rekey-time 1h",
    "replay-window 1024",
    "..",
    "vpn vpn-secgw",
    "ike-policy template ike1",
    "ipsec-policy template ipsec1",
    `local-address ${d.ha1Ike}`,
    `remote-address ${d.secgwIke}`,
    "security-policy site-to-secgw-site",
    `local-ts subnet ${d.localTs}`,
    `remote-ts subnet ${d.remoteTs}`,
    "..",
    "..",
    "pre-shared-key secgw",
    `id ${d.secgwIke}`,
    `secret ${REFERENCE_PSK}`,
    "..",
    "commit",
  ];
}

/** SecGW as a Tandem node: the mirror of ha1's IKE, answering only (no remote-address). */
export function secgwIkeCommands(): string[] {
  const d = DEMO;
  const ike = "vrf main ike";
  return [
    `${ike} ike-policy-template ike1 ike-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 dh-group modp1024`,
    `${ike} ike-policy-template ike1 rekey-time 2h`,
    `${ike} ipsec-policy-template ipsec1 esp-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 esn true`,
    `${ike} ipsec-policy-template ipsec1 replay-window 1024`,
    `${ike} vpn vpn-ha1 ike-policy template ike1`,
    `${ike} vpn vpn-ha1 ipsec-policy template ipsec1`,
    `${ike} vpn vpn-ha1 local-address ${d.secgwIke}`,
    `${ike} vpn vpn-ha1 remote-id ${d.ha1Ike}`,
    `${ike} vpn vpn-ha1 security-policy ha1-site local-ts subnet ${d.remoteTs}`,
    `${ike} vpn vpn-ha1 security-policy ha1-site remote-ts subnet ${d.localTs}`,
    `${ike} pre-shared-key ha1 id ${d.ha1Ike}`,
    `${ike} pre-shared-key ha1 secret ${REFERENCE_PSK}`,
  ];
}

/**
 * SecGW as strongSwan: the reference's proposals without ESN (libipsec
 * has none), the same lifetimes, no start action (it answers; ha1
 * initiates).
 */
export function secgwSwanctl(): SwanctlConfig {
  const d = DEMO;
  return {
    connections: [{
      name: "ha1",
      localAddrs: [d.secgwIke],
      remoteAddrs: [d.ha1Ike],
      proposals: ["aes128-sha1-modp1024"],
      local: { id: d.secgwIke },
      remote: { id: d.ha1Ike },
      rekeyTime: "2h",
      children: [{
        name: "site",
        localTs: [d.remoteTs],
        remoteTs: [d.localTs],
        espProposals: ["aes128-sha1"],
        rekeyTime: "1h",
      }],
    }],
    secrets: [{ ids: [d.secgwIke, d.ha1Ike], secret: REFERENCE_PSK, encoded: true }],
  };
}
