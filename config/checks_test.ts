/**
 * Every commit-time check, one invalid edit of the reference's ha1
 * configuration each, with the exact message an operator gets.
 */
import { assertEquals } from "../tests/assert.ts";
import { ALL_CHECKS } from "./checks.ts";
import { ConfigEditor, loadText } from "./editor.ts";
import { ROOT } from "./root_schema.ts";
import { issueMessage, validateTree } from "./validate.ts";

const HA1 = Deno.readTextFileSync(new URL("../tests/vectors/config/ha1.conf", import.meta.url));

function issues(edits: string): string[] {
  const e = new ConfigEditor(ROOT);
  loadText(e, HA1);
  loadText(e, edits);
  return validateTree(ROOT, e.tree, ALL_CHECKS).map(issueMessage);
}

const C = (path: string, reason: string) => `Cannot commit "${path}": ${reason}`;
const VRRP51 = "vrf main interface vrrp vrrp51";
const VPN = "vrf main ike vpn vpn-secgw";
const HA = "vrf main ike ha";

const CASES: ReadonlyArray<[string, string, string[]]> = [
  ["the reference's ha1", "", []],
  ["a reference to a missing interface", `/ ${VRRP51} link-interface eth9`, [
    C(`${VRRP51} link-interface`, 'no physical interface "eth9" in vrf main'),
  ]],
  ["a mandatory leaf", `delete / ${VRRP51} vrid`, [C(VRRP51, "vrid is mandatory")]],
  ["a VRID twice on one link", "/ vrf main interface vrrp vrrp52 link-interface eth1", [
    C("vrf main interface vrrp vrrp52", "vrid 1 is already used on eth1 by vrrp51"),
  ]],
  ["VRRPv2", `/ ${VRRP51} version 2`, [
    C(
      VRRP51,
      "VRRP version 2 (RFC 3768) is not supported in this build, only version 3 (RFC 5798)",
    ),
  ]],
  ["a VRRP instance without address", `delete / ${VRRP51} virtual-address`, [
    C(VRRP51, "a virtual-address is mandatory"),
  ]],
  [
    "an instance in two groups",
    "/ vrf main vrrp group g2 instance vrrp51 notify-ha-group other\n/ ha group other",
    [
      C("vrf main vrrp group g2", "instance vrrp51 is already in group group1"),
    ],
  ],
  ["an interface name used twice", "/ vrf main interface loopback eth1", [
    C("vrf main interface loopback eth1", "the name is already used by physical eth1"),
  ]],
  ["an address configured twice", "/ vrf main interface loopback lo2 ipv4 address 10.22.0.1/32", [
    C("vrf main interface lo2", "address 10.22.0.1 is already configured on eth1"),
  ]],
  [
    "IPv6 on a small MTU",
    "/ vrf main interface physical eth1 mtu 1200 ipv6 address 2001:db8::1/64",
    [
      C("vrf main interface physical eth1", "mtu 1200 is below 1280, the IPv6 minimum"),
    ],
  ],
  ["a port used twice", "/ vrf main interface physical eth4 port pci-b0s3", [
    C(
      "vrf main interface physical eth4",
      "port pci-b0s3 is already used by vrf main interface physical eth1",
    ),
  ]],
  ["an off-link next hop", "/ vrf main routing static ipv4-route 10.9.0.0/16 next-hop 10.99.0.1", [
    C(
      "vrf main routing static ipv4-route 10.9.0.0/16",
      "next-hop 10.99.0.1 is not in a subnet of vrf main",
    ),
  ]],
  ["a route without next hop", "/ vrf main routing static ipv4-route 10.9.0.0/16", [
    C("vrf main routing static ipv4-route 10.9.0.0/16", "a next-hop is mandatory"),
  ]],
  ["two controllers of an HA group", "/ ha group ha-group1 state master", [
    C(
      "ha group ha-group1",
      "only one controller is allowed, found state master and vrf main vrrp group group1",
    ),
  ]],
  ["an HA group without controller", "/ ha group lonely", [
    C("ha group lonely", "no controller (set state, or name it in a vrrp group's notify-ha-group)"),
  ]],
  [
    "an IKE proposal without DH group",
    "delete / vrf main ike ike-policy-template ike1 ike-proposal 1 dh-group",
    [
      C("vrf main ike ike-policy-template ike1 ike-proposal 1", "a dh-group is mandatory for IKE"),
    ],
  ],
  [
    "an AEAD IKE proposal without PRF",
    "/ vrf main ike ike-policy-template ike1 ike-proposal 2 enc-alg aes128-gcm-128 dh-group x25519",
    [
      C(
        "vrf main ike ike-policy-template ike1 ike-proposal 2",
        "a prf-alg is mandatory with an AEAD enc-alg (no auth-alg to derive it from)",
      ),
    ],
  ],
  [
    "AEAD and non-AEAD in one proposal",
    "/ vrf main ike ike-policy-template ike1 ike-proposal 1 enc-alg aes128-gcm-128",
    [
      C(
        "vrf main ike ike-policy-template ike1 ike-proposal 1",
        "AEAD (aes128-gcm-128) and non-AEAD enc-alg cannot share a proposal",
      ),
    ],
  ],
  [
    "an AEAD ESP proposal with integrity",
    "/ vrf main ike ipsec-policy-template ipsec1 esp-proposal 2 enc-alg aes128-gcm-128 auth-alg hmac-sha1",
    [
      C(
        "vrf main ike ipsec-policy-template ipsec1 esp-proposal 2",
        "auth-alg must not be set with the AEAD enc-alg aes128-gcm-128",
      ),
    ],
  ],
  [
    "a non-AEAD ESP proposal without integrity",
    "/ vrf main ike ipsec-policy-template ipsec1 esp-proposal 3 enc-alg aes256-cbc",
    [
      C(
        "vrf main ike ipsec-policy-template ipsec1 esp-proposal 3",
        "an auth-alg is mandatory with the non-AEAD enc-alg aes256-cbc",
      ),
    ],
  ],
  ["a template without proposal", "/ vrf main ike ipsec-policy-template empty", [
    C("vrf main ike ipsec-policy-template empty", "an esp-proposal is mandatory"),
  ]],
  ["a missing template", `/ ${VPN} ike-policy template nope`, [
    C(`${VPN} ike-policy template`, 'no ike-policy-template "nope" in vrf main'),
  ]],
  ["no key for the remote identity", `/ ${VPN} remote-id peer@example`, [
    C(VPN, "no pre-shared-key has id peer@example (the remote-id)"),
  ]],
  ["a local address of another VRF", `/ ${VPN} local-address 10.9.9.9`, [
    C(VPN, "local-address 10.9.9.9 is not an address of vrf main"),
  ]],
  ["one identity in two keys", "/ vrf main ike pre-shared-key other id 10.225.0.1 secret abc", [
    C("vrf main ike pre-shared-key other", "id 10.225.0.1 is already in pre-shared-key secgw"),
  ]],
  [
    "selectors of two families",
    `/ ${VPN} security-policy site-to-secgw-site remote-ts subnet 2001:db8::/64`,
    [
      C(
        `${VPN} security-policy site-to-secgw-site`,
        "local-ts subnet 10.100.0.64/26 and remote-ts subnet 2001:db8::/64 are not of the same family",
      ),
    ],
  ],
  [
    "an SVTI id with no interface",
    `/ ${VPN} security-policy site-to-secgw-site svti-id-in 5 svti-id-out 5`,
    [
      C(
        `${VPN} security-policy site-to-secgw-site`,
        "no svti interface has svti-id 5 and link-vrf main",
      ),
    ],
  ],
  [
    "half an SVTI pair in transport mode",
    `/ ${VPN} security-policy site-to-secgw-site svti-id-in 5 mode transport\n/ vrf main interface svti s ipv4 address 10.161.0.1/24\n/ vrf main interface svti s svti-id 5`,
    [
      C(`${VPN} security-policy site-to-secgw-site`, "svti-id-in and svti-id-out go together"),
      C(
        `${VPN} security-policy site-to-secgw-site`,
        "an SVTI security-policy must use mode tunnel",
      ),
    ],
  ],
  ["HA without node-id", `delete / ${HA} node-id`, [
    C(HA, "node-id is mandatory when ha is enabled"),
  ]],
  ["HA disabled without node-id", `delete / ${HA} node-id\n/ ${HA} enabled false`, []],
  ["HA local address on another interface", `/ ${HA} local-address 10.22.0.1`, [
    C(HA, "local-address 10.22.0.1 is not configured on interface eth3"),
  ]],
  ["HA addresses of two families", `/ ${HA} remote-address 2001:db8::2`, [
    C(HA, "local-address 10.150.0.1 and remote-address 2001:db8::2 are not of the same family"),
  ]],
  [
    "pool attributes",
    `/ ${HA} pool p address 192.168.0.0/24 dns 192.168.0.53\n/ ${HA} pool q address 192.168.0.128/25\n/ ${HA} pool r address 2001:db8::/64 netmask 255.255.255.0`,
    [
      C(`${HA} pool p`, "dns 192.168.0.53 is inside the pool's address 192.168.0.0/24"),
      C(`${HA} pool q`, "address 192.168.0.128/25 overlaps pool p"),
      C(`${HA} pool r`, "netmask applies to IPv4 pools only"),
    ],
  ],
  ["a vip-pool that is not an HA pool", `/ ${VPN} vip-pool nope`, [
    C(`${VPN} vip-pool`, 'no ha pool "nope" in vrf main'),
  ]],
  ["a GRE endpoint of another VRF", "/ vrf main interface gre g local 10.9.9.1 remote 10.9.9.2", [
    C("vrf main interface gre g", "local 10.9.9.1 is not an address of vrf main"),
  ]],
  [
    "a link-vrf that does not exist",
    "/ vrf main interface gre g local 10.150.0.1 remote 10.150.0.2 link-vrf nowhere",
    [
      C("vrf main interface gre g link-vrf", 'no vrf "nowhere"'),
    ],
  ],
];

for (const [what, edits, want] of CASES) {
  Deno.test(`checks: ${what}`, () => {
    assertEquals(issues(edits), want);
  });
}
