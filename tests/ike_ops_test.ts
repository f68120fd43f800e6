import { assert, assertEquals, assertNotEquals } from "./assert.ts";
import { formatIp, parseIp, parsePrefix } from "../core/ip.ts";
import { CpAttribute } from "../ike/constants.ts";
import { parseReply, replyAttributes } from "../ike/tasks/ike_config.ts";
import {
  child,
  dump,
  establishedPair,
  ikePolicy,
  mirrored,
  pair,
  states,
  vpn,
} from "./ike_fixture.ts";

Deno.test("ike ops: CP reply attributes round trip (RFC 7296 §3.15.1 formats)", () => {
  const attrs = replyAttributes(parseIp("192.168.0.7"), {
    dns: [parseIp("192.168.3.99"), parseIp("2001:db8::53")],
    nbns: [parseIp("192.168.3.98")],
    dhcp: [parseIp("192.168.3.97")],
    subnets: [parsePrefix("10.100.0.0/16")],
    netmask: parseIp("255.255.255.0"),
  });
  assertEquals(attrs.map((a) => [a.type, a.value.length]), [
    [CpAttribute.INTERNAL_IP4_ADDRESS, 4],
    [CpAttribute.INTERNAL_IP4_NETMASK, 4],
    [CpAttribute.INTERNAL_IP4_DNS, 4],
    [CpAttribute.INTERNAL_IP4_NBNS, 4],
    [CpAttribute.INTERNAL_IP4_DHCP, 4],
    [CpAttribute.INTERNAL_IP4_SUBNET, 8],
  ]);
  assertEquals([...attrs[5]!.value], [10, 100, 0, 0, 255, 255, 0, 0]);
  const got = parseReply(attrs);
  assertEquals(got.addresses.map(formatIp), ["192.168.0.7"]);
  assertEquals(got.dns.map(formatIp), ["192.168.3.99"]);
  assertEquals(got.nbns.map(formatIp), ["192.168.3.98"]);
  const v6 = replyAttributes(parseIp("2001:db8::7"), {
    dns: [parseIp("2001:db8::53")],
    nbns: [],
    dhcp: [],
    subnets: [],
  });
  assertEquals(v6.map((a) => [a.type, a.value.length]), [[CpAttribute.INTERNAL_IP6_ADDRESS, 17], [
    CpAttribute.INTERNAL_IP6_DNS,
    16,
  ]]);
  assertEquals(parseReply(v6).addresses.map(formatIp), ["2001:db8::7"]);
  assertEquals(
    parseReply([{ type: CpAttribute.INTERNAL_IP4_ADDRESS, value: new Uint8Array(3) }]).addresses,
    [],
  );
});

Deno.test("ike ops: dataplane soft limit rekeys the CHILD SA, hard limit deletes it", () => {
  const p = establishedPair();
  const spi = p.a.ike.listChildSas()[0]!.spiIn;
  p.a.ike.childExpired(parseInt(spi, 16), false);
  p.clock.advance(100);
  const now = p.a.ike.listChildSas()[0]!.spiIn;
  assertNotEquals(now, spi);
  assert(mirrored(p.a, p.b));
  p.b.ike.childExpired(parseInt(p.b.ike.listChildSas()[0]!.spiIn, 16), true);
  p.clock.advance(100);
  assertEquals(p.a.ike.counts().childSas + p.b.ike.counts().childSas, 0);
  assertEquals(states(p.a), ["established"]);
});

Deno.test("ike ops: config reload touches only the VPNs that changed", () => {
  const p = establishedPair();
  const spi = p.a.ike.listIkeSas()[0]!.spiI;
  const same = vpn("192.0.2.1", "198.51.100.2", {
    children: [child("10.1.0.0/24", "10.2.0.0/24")],
  });
  const other = vpn("192.0.2.1", "198.51.100.9", { name: "other" });
  assertEquals(p.a.ike.setVpns([same, other]), { added: ["other"], removed: [], changed: [] });
  p.clock.advance(100);
  assertEquals(p.a.ike.listIkeSas()[0]!.spiI, spi, "unchanged VPN keeps its SA");
  // A changed VPN is re-established (it was started here), a removed one torn down.
  const changed = { ...same, ike: ikePolicy({ rekeyTime: 7200 }) };
  assertEquals(p.a.ike.setVpns([changed]).changed, ["vpn"]);
  p.clock.advance(200);
  const sas = p.a.ike.listIkeSas();
  assertEquals(sas.map((s) => s.state), ["established"], dump(p.a));
  assertNotEquals(sas[0]!.spiI, spi);
  assertEquals(states(p.b), ["established"]);
  assertEquals(p.a.ike.setVpns([]).removed, ["vpn"]);
  p.clock.advance(100);
  assertEquals(p.a.ike.counts().ikeSas + p.b.ike.counts().ikeSas, 0);
  assertEquals(p.a.ike.initiate("vpn"), undefined, "unknown VPN");
});

Deno.test("ike ops: cookies from the half-open threshold; blocking per peer address", () => {
  const p = pair({ options: { cookieThreshold: 1, blockThreshold: 1, cookieThresholdIp: 10 } });
  // A first, half-open SA (its IKE_AUTH is lost) ...
  p.wire.rules.push((_d, n) => (n === 3 ? { drop: true } : undefined));
  p.a.ike.initiate("vpn");
  p.clock.advance(10);
  assertEquals(p.b.ike.counts().halfOpen, 1);
  assertEquals(p.b.ike.counters.cookiesSent, 0);
  // ... so the next attempt from the same address is blocked.
  p.a.ike.initiate("vpn");
  p.clock.advance(10);
  assertEquals(p.b.ike.drops.blocked, 1);
  assertEquals(p.b.ike.counts().halfOpen, 1);
});

Deno.test("ike ops: cookies are demanded once a peer's half-open threshold is reached", () => {
  const p = pair({ options: { cookieThreshold: 10, blockThreshold: 10, cookieThresholdIp: 1 } });
  p.wire.rules.push((_d, n) => (n === 3 ? { drop: true } : undefined));
  p.a.ike.initiate("vpn");
  p.clock.advance(10);
  p.a.ike.initiate("vpn");
  p.clock.advance(100);
  assertEquals(p.b.ike.counters.cookiesSent, 1);
  assert(states(p.a).includes("established"), dump(p.a));
});

Deno.test("ike ops: without dos-protection only init-limit-half-open limits new SAs", () => {
  const p = pair({ options: { dosProtection: false, cookieThreshold: 0, initLimitHalfOpen: 2 } });
  p.wire.rules.push((
    d,
  ) => (d.data.length > 0 && d.to.port === 500 && d.data[18] === 35 ? { drop: true } : undefined));
  for (let i = 0; i < 3; i++) {
    p.a.ike.initiate("vpn");
    p.clock.advance(10);
  }
  assertEquals(p.b.ike.counters.cookiesSent, 0);
  assertEquals(p.b.ike.counts().halfOpen, 2);
  assertEquals(p.b.ike.drops.blocked, 1);
});

Deno.test("ike ops: flush of (unknown) SAs drops half-open ones only", () => {
  const p = pair();
  p.wire.rules.push((_d, n) => (n === 3 ? { drop: true } : undefined));
  p.a.ike.initiate("vpn");
  p.clock.advance(10);
  const list = p.b.ike.listIkeSas();
  assertEquals(list.map((s) => [s.vpn, s.state]), [["(unknown)", "connecting"]]);
  assertEquals(p.b.ike.flush({ unknown: true }), 1);
  assertEquals(p.b.ike.counts().ikeSas, 0);
});

Deno.test("ike ops: listIkeSas and listChildSas carry what show needs", () => {
  const p = establishedPair();
  const s = p.a.ike.listIkeSas()[0]!;
  assertEquals(
    [
      s.vpn,
      s.initiator,
      formatIp(s.local.address),
      s.localId,
      s.remoteId,
      s.childSas,
      s.algorithms,
    ],
    [
      "vpn",
      true,
      "192.0.2.1",
      "192.0.2.1",
      "198.51.100.2",
      1,
      "aes128-cbc/hmac-sha256/prf-hmac-sha256/curve25519",
    ],
  );
  assert(s.established !== undefined && s.rekeyAt! > s.established && s.expireAt! > s.rekeyAt!);
  const c = p.b.ike.listChildSas()[0]!;
  assertEquals([c.vpn, c.name, c.state, c.mode, c.algorithms, c.replayWindow], [
    "vpn",
    "net",
    "installed",
    "tunnel",
    "aes128-gcm-128",
    32,
  ]);
  assert(c.rekeyAt! < c.expireAt!);
  assertEquals(p.b.ike.counts(), { ikeSas: 1, halfOpen: 0, childSas: 1, passive: 0 });
});
