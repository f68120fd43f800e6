/**
 * SVTI end to end: the reference's protected HA channel ("Using a
 * cross-vrf svti interface") between two Tandem daemons — `interface svti
 * svti-hasync` in vrf main (10.160.0.x/24) whose traffic the IKE of vrf
 * hasync encrypts in tunnel mode between the physical addresses
 * 10.150.0.x — configured from startup files, driven through `tandem cli`
 * only. Pings cross the SVTI; `show interface` shows it; removing the
 * interface and its security-policy closes the TUN and deletes that CHILD
 * SA, and the IKE SA stays.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest, run } from "./netns.ts";
import { waitFor } from "../lab/command.ts";
import { configListing } from "../lab/network.ts";
import { TandemNode } from "../lab/tandem_node.ts";
import { ping } from "../lab/traffic.ts";
import type { ChildSaShow, IkeSaShow } from "../daemon/ike_show.ts";
import type { InterfaceShow } from "../daemon/show_interface.ts";

function hasyncConfig(me: 1 | 2): string[] {
  const peer = me === 1 ? 2 : 1;
  const [id, peerId] = me === 1 ? ["primary@ha", "secondary@ha"] : ["secondary@ha", "primary@ha"];
  const ike = "vrf hasync ike";
  const vpn = `${ike} vpn vpn-hasync`;
  return [
    `system hostname ha${me}`,
    `vrf main interface svti svti-hasync svti-id 888 link-vrf hasync ipv4 address 10.160.0.${me}/24`,
    `vrf hasync interface physical ntfp3 port ntfp3 ipv4 address 10.150.0.${me}/24`,
    `${ike} pre-shared-key psk-hasync id primary@ha id secondary@ha secret 0xf0043c9a1e4c22177c4e01dd909a96b2`,
    `${ike} ike-policy-template ikepol-hasync ike-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 prf-alg hmac-sha1 dh-group modp1024`,
    `${ike} ike-policy-template ikepol-hasync keying-tries 0`,
    `${ike} ike-policy-template ikepol-hasync unique-sa replace`,
    `${ike} ipsec-policy-template ipsecpol-hasync esp-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 dh-group modp1024 esn true`,
    `${vpn} ike-policy template ikepol-hasync`,
    `${vpn} ipsec-policy template ipsecpol-hasync`,
    `${vpn} local-address 10.150.0.${me}`,
    `${vpn} remote-address 10.150.0.${peer}`,
    `${vpn} local-id ${id}`,
    `${vpn} remote-id ${peerId}`,
    `${vpn} security-policy svti-hasync local-ts subnet 0.0.0.0/0 remote-ts subnet 0.0.0.0/0`,
    `${vpn} security-policy svti-hasync svti-id-in 888 svti-id-out 888`,
  ];
}

interface Sas {
  ike: IkeSaShow[];
  child: ChildSaShow[];
}

async function sas(n: TandemNode): Promise<Sas> {
  return {
    ike: (await n.json<{ ikeSas: IkeSaShow[] }>("show ike vrf hasync ike-sa")).ikeSas,
    child: (await n.json<{ childSas: ChildSaShow[] }>("show ike vrf hasync child-sa")).childSas,
  };
}

rootTest(
  "svti e2e: the reference's cross-VRF SVTI between two daemons carries pings; removal closes it",
  async () => {
    await using lab = new NetnsLab("td");
    const ns1 = await lab.netns("ha1", { ipv6: false });
    const ns2 = await lab.netns("ha2", { ipv6: false });
    await lab.veth([ns1, "ntfp3"], [ns2, "ntfp3"]);
    const ha1 = await TandemNode.start(lab, {
      name: "ha1",
      ns: ns1,
      startup: configListing(hasyncConfig(1)),
    });
    const ha2 = await TandemNode.start(lab, {
      name: "ha2",
      ns: ns2,
      startup: configListing(hasyncConfig(2)),
    });
    const installed = (s: Sas) => s.child.some((c) => c.state === "installed");
    await waitFor(async () => installed(await sas(ha1)) && installed(await sas(ha2)), {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: "a CHILD SA of vpn-hasync on both nodes",
    });

    const iface = (await ha1.json<{ interfaces: InterfaceShow[] }>(
      "show interface vrf main svti-hasync",
    )).interfaces[0]!;
    assertEquals([iface.kind, iface.managed, iface.state, iface.addresses], [
      "svti",
      true,
      "up",
      ["10.160.0.1/24"],
    ]);
    for (const [ns, to] of [[ns1, "10.160.0.2"], [ns2, "10.160.0.1"]] as const) {
      const r = await ping(ns, to, { count: 3, intervalSeconds: 0.1 });
      assertEquals(r.received, 3, `ping ${to} over the SVTI: ${JSON.stringify(r)}`);
    }
    const counted = (await sas(ha1)).child.filter((c) => c.packetsOut > 0);
    assert(counted.length >= 1, "the pings went through a CHILD SA of vrf hasync");

    // Removing the interface and its policy: the TUN closes, the CHILD SAs go, the IKE SA stays.
    await ha1.ok(
      "delete vrf hasync ike vpn vpn-hasync security-policy svti-hasync",
      "delete vrf main interface svti svti-hasync",
      "commit",
    );
    const link = await run(["ip", "-n", ns1, "link", "show", "svti-hasync"], false);
    assert(link.code !== 0, "the SVTI's TUN is gone");
    const after = await waitFor(async () => {
      const s = await sas(ha1);
      return s.child.length === 0 && s.ike.some((x) => x.state === "established") ? s : undefined;
    }, { timeoutMs: 30_000, what: "ha1's CHILD SAs deleted, its IKE SA kept" });
    assert(after.ike.length >= 1);
    await waitFor(async () => (await sas(ha2)).child.length === 0, {
      timeoutMs: 30_000,
      what: "ha2's CHILD SAs deleted by ha1",
    });
  },
  { programs: ["ping"] },
);
