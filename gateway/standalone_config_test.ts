import { formatIp, formatPrefix } from "../core/ip.ts";
import { assertEquals, assertThrows } from "../tests/assert.ts";
import { DEFAULT_CHILD, DEFAULT_IKE_POLICY } from "../ike/config.ts";
import { formatIdentity } from "../ike/identity.ts";
import { type GatewayJson, parseGatewayConfig } from "./standalone_config.ts";

const MINIMAL: GatewayJson = {
  addresses: ["10.225.0.1"],
  psks: [{ ids: ["10.225.0.1", "@peer.example"], secret: "0x0102" }],
  vpns: [{
    name: "lab",
    localAddress: "10.225.0.1",
    remoteAddress: "10.200.0.1",
    remoteId: "@peer.example",
    ike: { proposals: [{ enc: ["aes128-cbc"], integ: ["hmac-sha1"], dh: ["modp1024"] }] },
    children: [{
      name: "net",
      localTs: ["10.101.0.0/24"],
      remoteTs: [{ prefix: "10.102.0.0/24", protocol: 6, ports: { start: 80, end: 80 } }],
      proposals: [{ enc: ["aes256-gcm-128"] }],
    }],
  }],
  initiate: ["lab"],
};

Deno.test("standalone config: text fields parsed, engine defaults filled in", () => {
  const c = parseGatewayConfig(MINIMAL);
  assertEquals(c.vrf, "main");
  assertEquals(c.addresses.map(formatIp), ["10.225.0.1"]);
  assertEquals(c.psks[0]!.secret, Uint8Array.of(1, 2));
  assertEquals(c.psks[0]!.ids.map(formatIdentity), ["10.225.0.1", "peer.example"]);
  const v = c.vpns[0]!;
  assertEquals(formatIp(v.remoteAddress!), "10.200.0.1");
  assertEquals(v.ike.rekeyTime, DEFAULT_IKE_POLICY.rekeyTime);
  assertEquals(v.ike.proposals[0]!.prf, []);
  const ch = v.children[0]!;
  assertEquals([ch.mode, ch.rekeyTime, ch.replayWindow], [
    DEFAULT_CHILD.mode,
    DEFAULT_CHILD.rekeyTime,
    DEFAULT_CHILD.replayWindow,
  ]);
  assertEquals(ch.proposals[0], { enc: ["aes256-gcm-128"], integ: [], dh: [], esn: [false] });
  assertEquals(formatPrefix(ch.localTs[0]!.prefix!), "10.101.0.0/24");
  assertEquals(ch.remoteTs[0]!.protocol, 6);
  assertEquals(ch.remoteTs[0]!.ports, { start: 80, end: 80 });
});

Deno.test("standalone config: every problem reported in the project's voice", () => {
  const bad: GatewayJson = {
    ...MINIMAL,
    vpns: [{
      ...MINIMAL.vpns![0]!,
      ike: { proposals: [{ enc: ["aes128-cbc"], dh: ["modp1024"] }] },
    }],
    initiate: ["nope"],
  };
  const e = assertThrows(() => parseGatewayConfig(bad), Error);
  assertEquals((e as Error).message.split("\n"), [
    'Cannot use vpn "lab": ike-proposal 1 needs an auth-alg',
    'Cannot initiate "nope": no such vpn',
  ]);
  assertThrows(() => parseGatewayConfig({ ...MINIMAL, addresses: ["10.0.0.300"] }), Error);
});
