import { assertEquals } from "../tests/assert.ts";
import { formatIp, formatPrefix } from "../core/ip.ts";
import { Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { formatIdentity } from "../ike/identity.ts";
import { gatewayPlan } from "./ike_plan.ts";
import { checkSvti } from "./svti_applier.ts";
import { checkIkeRunnable } from "./ike_plan.ts";

/** The reference's ha1 IKE configuration (its "Configure IKE" listing), plus what it needs. */
const REFERENCE = `vrf main
  interface loopback loopback0 ipv4 address 10.175.0.1/32
  ike
    pre-shared-key secgw
      id 10.225.0.1
      secret 0sBzAyaM5PTcnTHi/yRA1lARpAoRetSzP8
    ..
    ike-policy-template ike1
      ike-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 dh-group modp1024
      rekey-time 2h
    ..
    ipsec-policy-template ipsec1
      esp-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 esn true
      rekey-time 1h
      replay-window 1024
    ..
    vpn vpn-secgw
      ike-policy template ike1
      ipsec-policy template ipsec1
      local-address 10.175.0.1
      remote-address 10.225.0.1
      security-policy site-to-secgw-site
        local-ts subnet 10.100.0.64/26
        remote-ts subnet 10.250.0.192/26
      ..
    ..
  ..
..
`;

async function typed(text: string) {
  const ds = Datastore.open();
  ds.addCheck(checkIkeRunnable);
  ds.addCheck(checkSvti);
  const r = await ds.commit(parseConfigText(ROOT, text));
  return { r, config: ds.typed() };
}

Deno.test("ike plan: the reference's IKE configuration in the engine's shape", async () => {
  const { r, config } = await typed(REFERENCE);
  assertEquals(r.ok, true, JSON.stringify(r));
  const plan = gatewayPlan("main", config.vrf[0]!.ike!);
  assertEquals(plan.addresses.map(formatIp), ["10.175.0.1"]);
  const v = plan.vpns[0]!;
  assertEquals([v.name, v.vrf, formatIp(v.localAddress), formatIp(v.remoteAddress!)], [
    "vpn-secgw",
    "main",
    "10.175.0.1",
    "10.225.0.1",
  ]);
  assertEquals([formatIdentity(v.localId!), formatIdentity(v.remoteId!)], [
    "10.175.0.1",
    "10.225.0.1",
  ]);
  assertEquals(v.ike, {
    proposals: [{ enc: ["aes128-cbc"], integ: ["hmac-sha1"], prf: [], dh: ["modp1024"] }],
    rekeyTime: 7200,
    reauthTime: 0,
    keyingTries: 1,
    uniqueSa: "no",
    dpdDelay: 0,
  });
  const c = v.children[0]!;
  assertEquals(c.name, "site-to-secgw-site");
  assertEquals(c.localTs.map((t) => [formatPrefix(t.prefix!), t.protocol]), [[
    "10.100.0.64/26",
    0,
  ]]);
  assertEquals(c.remoteTs.map((t) => formatPrefix(t.prefix!)), ["10.250.0.192/26"]);
  assertEquals(c.proposals, [{ enc: ["aes128-cbc"], integ: ["hmac-sha1"], dh: [], esn: [true] }]);
  assertEquals([c.mode, c.rekeyTime, c.replayWindow], ["tunnel", 3600, 1024]);
  assertEquals(v.requestVip, false);
  assertEquals(plan.psks.length, 1);
  assertEquals(plan.psks[0]!.ids.map(formatIdentity), ["10.225.0.1"]);
  assertEquals(plan.psks[0]!.secret.length, 24, "0s: base64 decoded");
  assertEquals(plan.options, {
    dosProtection: true,
    cookieThreshold: 30,
    cookieThresholdIp: 3,
    blockThreshold: 5,
    initLimitHalfOpen: 0,
  });
});

Deno.test("ike plan: proposals by id, ids and pools, transport selectors, SVTI ids", async () => {
  const text = `vrf hasync
  interface physical ntfp3 ipv4 address 10.150.0.1/24
  ike
    pre-shared-key psk-hasync id primary@ha id secondary@ha secret 0xf0043c9a1e4c22177c4e01dd909a96b2
    ike-policy-template t
      ike-proposal 2 enc-alg aes256-cbc auth-alg hmac-sha256 dh-group ecp256
      ike-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 prf-alg hmac-sha1 dh-group modp1024
      keying-tries 0
      unique-sa replace
      dpd-delay 30s
    ..
    ipsec-policy-template p esp-proposal 1 enc-alg aes128-gcm-128 esn true esn false
    ha
      enabled false
      pool vips address 192.168.0.0/24 dns 192.168.3.99
    ..
    vpn gre
      ike-policy template t
      ipsec-policy template p
      local-address 10.150.0.1
      remote-address 10.150.0.2
      local-id primary@ha
      remote-id secondary@ha
      vip-pool vips
      security-policy gre-hasync local-ts protocol 47 remote-ts protocol 47 mode transport
      security-policy svti local-ts subnet 0.0.0.0/0 remote-ts subnet 0.0.0.0/0 svti-id-in 888 svti-id-out 888
    ..
  ..
..
vrf main interface svti svti-hasync svti-id 888 link-vrf hasync ipv4 address 10.160.0.1/24
`;
  const { r, config } = await typed(text);
  assertEquals(r.ok, true, JSON.stringify(r));
  const plan = gatewayPlan("hasync", config.vrf.find((v) => v.name === "hasync")!.ike!);
  const v = plan.vpns[0]!;
  assertEquals(v.ike.proposals.map((p) => p.enc), [["aes128-cbc"], ["aes256-cbc"]]);
  assertEquals(v.ike.proposals[0]!.prf, ["hmac-sha1"]);
  assertEquals([v.ike.keyingTries, v.ike.uniqueSa, v.ike.dpdDelay], [0, "replace", 30]);
  assertEquals([formatIdentity(v.localId!), formatIdentity(v.remoteId!)], [
    "primary@ha",
    "secondary@ha",
  ]);
  assertEquals(v.vipPool, "vips");
  const [gre, svti] = v.children;
  assertEquals([gre!.mode, gre!.localTs, gre!.remoteTs], ["transport", [{ protocol: 47 }], [{
    protocol: 47,
  }]]);
  assertEquals([svti!.svtiIdIn, svti!.svtiIdOut], [888, 888]);
  assertEquals(gre!.proposals[0]!.esn, [true, false]);
  assertEquals(plan.pools.map((p) => [p.name, p.address, p.attributes.dns.map(formatIp)]), [
    ["vips", "192.168.0.0/24", ["192.168.3.99"]],
  ]);
  assertEquals(plan.psks[0]!.secret.length, 16);
});

Deno.test("ike plan: a vpn without local-address, an SVTI without IKE in its link-vrf", async () => {
  const noLocal = REFERENCE.replace("      local-address 10.175.0.1\n", "");
  const a = await typed(noLocal);
  assertEquals(a.r.ok ? [] : a.r.errors, [
    'Cannot commit "vrf main ike vpn vpn-secgw": a local-address is mandatory ' +
    "(IKE and ESP are bound to it)",
  ]);
  const b = await typed(
    "vrf main interface svti s1 svti-id 7 link-vrf blue\nvrf blue interface loopback l ipv4 address 10.9.9.9/32\n" +
      "vrf main interface svti s2 svti-id 7 link-vrf main\n",
  );
  assertEquals(b.r.ok ? [] : b.r.errors, [
    'Cannot commit "vrf main interface svti s1": vrf blue has no ike to encrypt its traffic (link-vrf)',
    'Cannot commit "vrf main interface svti s2": vrf main has no ike to encrypt its traffic (link-vrf)',
  ]);
});
