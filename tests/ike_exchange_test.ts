import { assert, assertEquals } from "./assert.ts";
import { formatIp, parseIp, parsePrefix } from "../core/ip.ts";
import type { EspProposalConfig, IkeProposalConfig } from "../ike/config.ts";
import { decodeMessage } from "../ike/message/message.ts";
import { SubnetPool } from "../ike/vip_pool.ts";
import {
  child,
  dump,
  ESP_DEFAULT,
  id,
  IKE_DEFAULT,
  ikePolicy,
  mirrored,
  type Node,
  pair,
  states,
} from "./ike_fixture.ts";

const up = (a: Node, b: Node) =>
  states(a).join() === "established" && states(b).join() === "established" && mirrored(a, b);

Deno.test("ike exchange: IKE_SA_INIT + IKE_AUTH establish an IKE SA and a CHILD SA", () => {
  const { clock, a, b } = pair();
  a.ike.initiate("vpn");
  clock.advance(100);
  const sa = a.ike.listIkeSas();
  assertEquals(states(a), ["established"], dump(a) + "\n" + dump(b));
  assertEquals(states(b), ["established"], dump(b));
  assertEquals(a.ike.listChildSas().length, 1);
  assert(mirrored(a, b), "CHILD SA keys and SPIs mirror each other");
  assertEquals(sa[0]!.nextSend, 2);
  assertEquals(b.ike.listIkeSas()[0]!.expectRecv, 2);
  assertEquals(sa[0]!.localId, "192.0.2.1");
  assertEquals(sa[0]!.remoteId, "198.51.100.2");
  const c = a.ike.listChildSas()[0]!;
  assertEquals([c.localTs, c.remoteTs, c.mode, c.encap], [
    ["10.1.0.0/24"],
    ["10.2.0.0/24"],
    "tunnel",
    false,
  ]);
});

Deno.test("ike exchange: every transform class negotiates (CBC/CTR/GCM/ChaCha, HMAC/XCBC/CMAC, MODP/ECP/Curve)", () => {
  const cases: [string, IkeProposalConfig, EspProposalConfig][] = [
    [
      "cbc-sha1-modp1024",
      { enc: ["aes128-cbc"], integ: ["hmac-sha1"], prf: [], dh: ["modp1024"] },
      {
        enc: ["aes128-cbc"],
        integ: ["hmac-sha1"],
        dh: [],
        esn: [false],
      },
    ],
    ["cbc256-sha512-modp2048", {
      enc: ["aes256-cbc"],
      integ: ["hmac-sha512"],
      prf: [],
      dh: ["modp2048"],
    }, {
      enc: ["aes256-cbc"],
      integ: ["hmac-sha384"],
      dh: [],
      esn: [false],
    }],
    [
      "ctr-sha256-ecp256",
      { enc: ["aes192-ctr"], integ: ["hmac-sha256"], prf: [], dh: ["ecp256"] },
      {
        enc: ["aes256-ctr"],
        integ: ["hmac-sha256"],
        dh: [],
        esn: [false],
      },
    ],
    ["cbc-xcbc-ecp384", {
      enc: ["aes128-cbc"],
      integ: ["aes-xcbc"],
      prf: ["aes-xcbc"],
      dh: ["ecp384"],
    }, {
      enc: ["aes128-cbc"],
      integ: ["aes-xcbc"],
      dh: [],
      esn: [false],
    }],
    ["cbc-cmac-ecp521", {
      enc: ["aes128-cbc"],
      integ: ["aes-cmac"],
      prf: ["aes-cmac"],
      dh: ["ecp521"],
    }, {
      enc: ["aes128-cbc"],
      integ: ["aes-cmac"],
      dh: [],
      esn: [false],
    }],
    ["gcm-curve25519", {
      enc: ["aes256-gcm-128"],
      integ: [],
      prf: ["hmac-sha256"],
      dh: ["curve25519"],
    }, {
      enc: ["aes256-gcm-128"],
      integ: [],
      dh: [],
      esn: [false],
    }],
    ["gcm64-curve448", {
      enc: ["aes128-gcm-64"],
      integ: [],
      prf: ["hmac-sha384"],
      dh: ["curve448"],
    }, {
      enc: ["aes128-gcm-96"],
      integ: [],
      dh: [],
      esn: [false],
    }],
    ["chacha-curve25519", {
      enc: ["chacha20-poly1305"],
      integ: [],
      prf: ["hmac-sha512"],
      dh: ["curve25519"],
    }, {
      enc: ["chacha20-poly1305"],
      integ: [],
      dh: [],
      esn: [false],
    }],
    ["esp-null-sha256", IKE_DEFAULT, {
      enc: ["null"],
      integ: ["hmac-sha256"],
      dh: [],
      esn: [false],
    }],
  ];
  for (const [label, ikeP, espP] of cases) {
    const over = (local: string, remote: string) => ({
      ike: ikePolicy({ proposals: [ikeP] }),
      children: [child(local, remote, { proposals: [espP] })],
    });
    const { clock, a, b } = pair({
      a: over("10.1.0.0/24", "10.2.0.0/24"),
      b: over("10.2.0.0/24", "10.1.0.0/24"),
    });
    a.ike.initiate("vpn");
    clock.advance(100);
    assert(up(a, b), `${label}\n${dump(a)}\n${dump(b)}`);
    const c = a.ike.listChildSas()[0]!;
    assert(c.algorithms.startsWith(espP.enc[0]!), `${label}: ${c.algorithms}`);
  }
});

Deno.test("ike exchange: INVALID_KE_PAYLOAD makes the initiator retry with the group asked for", () => {
  const { clock, wire, a, b } = pair({
    a: { ike: ikePolicy({ proposals: [{ ...IKE_DEFAULT, dh: ["curve25519", "ecp256"] }] }) },
    b: { ike: ikePolicy({ proposals: [{ ...IKE_DEFAULT, dh: ["ecp256"] }] }) },
  });
  a.ike.initiate("vpn");
  clock.advance(100);
  assert(up(a, b), dump(a));
  assertEquals(a.ike.listIkeSas()[0]!.algorithms.endsWith("ecp256"), true);
  // Request, INVALID_KE answer, retried request, answer, then IKE_AUTH both ways.
  assertEquals(wire.log.length, 6);
  assertEquals(b.ike.counts().ikeSas, 1, "the refused attempt left no state on the responder");
});

Deno.test("ike exchange: COOKIE challenge under dos-protection, then the SA comes up", () => {
  const { clock, wire, a, b } = pair({ options: {} });
  b.ike.setOptions({ dosProtection: true, cookieThreshold: 0 });
  a.ike.initiate("vpn");
  clock.advance(100);
  assert(up(a, b), dump(a) + dump(b));
  assertEquals(b.ike.counters.cookiesSent, 1);
  assertEquals(wire.log.length, 6);
});

Deno.test("ike exchange: a NAT in front of the initiator floats IKE to 4500 and encapsulates ESP", () => {
  const { clock, wire, a, b } = pair({ b: { remoteAddress: parseIp("203.0.113.7") } });
  wire.natFor(a, "203.0.113.7");
  a.ike.initiate("vpn");
  clock.advance(100);
  assert(up(a, b), dump(a) + dump(b));
  const sa = a.ike.listIkeSas()[0]!;
  assertEquals([sa.natLocal, sa.natRemote, sa.local.port, sa.remote.port], [
    true,
    false,
    4500,
    4500,
  ]);
  const sb = b.ike.listIkeSas()[0]!;
  assertEquals([sb.natLocal, sb.natRemote, sb.local.port, formatIp(sb.remote.address)], [
    false,
    true,
    4500,
    "203.0.113.7",
  ]);
  const ds = [...b.dataplane.sas.values()][0]!;
  assertEquals([ds.encap, ds.local.port, ds.remote.port >= 40000], [true, 4500, true]);
  // IKE_AUTH went with the non-ESP marker.
  const auth = wire.log[2]!;
  assertEquals([auth.to.port, ...auth.data.subarray(0, 4)], [4500, 0, 0, 0, 0]);
  assertEquals(a.ike.listChildSas()[0]!.encap, true);
  // The side behind the NAT keeps the mapping open (RFC 3948 §2.3); the other side does not.
  clock.advance(20_000);
  assertEquals([b.ike.counters.keepalives, a.ike.counters.keepalives], [1, 0]);
});

Deno.test("ike exchange: NAT detection survives INVALID_KE_PAYLOAD and COOKIE retries", () => {
  // Found against strongSwan: the retried IKE_SA_INIT lacked NAT-D, IKE stayed on 500 and the
  // peer, which needs UDP encapsulation, refused the CHILD SA.
  const { clock, wire, a, b } = pair({
    a: { ike: ikePolicy({ proposals: [{ ...IKE_DEFAULT, dh: ["curve25519", "ecp256"] }] }) },
    b: {
      remoteAddress: parseIp("203.0.113.7"),
      ike: ikePolicy({ proposals: [{ ...IKE_DEFAULT, dh: ["ecp256"] }] }),
    },
  });
  wire.natFor(a, "203.0.113.7");
  b.ike.setOptions({ dosProtection: true, cookieThreshold: 0 });
  a.ike.initiate("vpn");
  clock.advance(100);
  assert(up(a, b), dump(a) + dump(b));
  // COOKIE, INVALID_KE_PAYLOAD (the retry keeps the cookie), then the exchange that succeeds:
  // every IKE_SA_INIT request on 500, IKE_AUTH on 4500; answers without NAT-D to the errors.
  assertEquals(b.ike.counters.cookiesSent, 1);
  const requests = wire.log.filter((d) => d.to.port === 500 || d.to.port === 4500);
  assertEquals(requests.map((d) => d.to.port), [500, 500, 500, 4500]);
  const answers = wire.log.filter((d) => d.from.port === 500).map((d) => decodeMessage(d.data));
  assertEquals(
    answers.slice(0, 2).map((m) => m.ok ? m.value.payloads.map((x) => x.kind).join(",") : "?"),
    ["notify", "notify"],
  );
  const sa = a.ike.listIkeSas()[0]!;
  assertEquals([sa.natLocal, sa.local.port, sa.remote.port], [true, 4500, 4500]);
  assertEquals([a.ike.listChildSas()[0]!.encap, b.ike.listChildSas()[0]!.encap], [true, true]);
});

Deno.test("ike exchange: a large IKE_AUTH is fragmented (RFC 7383) and reassembled", () => {
  const many = Array.from(
    { length: 40 },
    (_, i) => ({ prefix: parsePrefix(`10.1.${i}.0/24`), protocol: 0 }),
  );
  const { clock, wire, a, b } = pair({
    a: { children: [{ ...child("10.1.0.0/24", "10.2.0.0/24"), localTs: many }] },
    b: { children: [child("10.2.0.0/24", "10.1.0.0/16")] },
    options: { fragmentSize: 576 },
  });
  a.ike.initiate("vpn");
  clock.advance(100);
  assert(up(a, b), dump(a) + dump(b));
  assert(a.ike.counters.fragmentsSent > 1, `fragments sent: ${a.ike.counters.fragmentsSent}`);
  assertEquals(b.ike.counters.fragmentsReceived, a.ike.counters.fragmentsSent);
  assert(wire.log.every((d) => d.data.length <= 576 - 28), "every datagram fits");
  assertEquals(a.ike.listChildSas()[0]!.localTs.length, 40);
});

Deno.test("ike exchange: every identity type authenticates with its PSK", () => {
  const ids: [string, string][] = [
    ["192.0.2.1", "198.51.100.2"],
    ["2001:db8::1", "2001:db8::2"],
    ["gw-a.example", "@gw-b.example"],
    ["a@example.net", "b@example.net"],
    ["@#0a0b0c", "keyid:0d0e0f"],
  ];
  for (const [ia, ib] of ids) {
    const { clock, a, b } = pair({
      a: { localId: id(ia), remoteId: id(ib) },
      b: { localId: id(ib), remoteId: id(ia) },
    });
    a.psk.set([{ name: "p", ids: [id(ib)], secret: new TextEncoder().encode(`k-${ia}`) }]);
    b.psk.set([{ name: "p", ids: [id(ia)], secret: new TextEncoder().encode(`k-${ia}`) }]);
    a.ike.initiate("vpn");
    clock.advance(100);
    assert(up(a, b), `${ia} / ${ib}\n${dump(a)}\n${dump(b)}`);
    assertEquals(b.ike.listIkeSas()[0]!.remoteId, a.ike.listIkeSas()[0]!.localId);
  }
});

Deno.test("ike exchange: a wrong PSK fails authentication on both sides", () => {
  const { clock, a, b } = pair();
  b.psk.set([{ name: "p", ids: [], secret: new TextEncoder().encode("other") }]);
  a.ike.initiate("vpn");
  clock.advance(100);
  assertEquals(a.ike.counts().ikeSas, 0);
  assertEquals(b.ike.counts().ikeSas, 0);
  assertEquals(a.dataplane.sas.size + b.dataplane.sas.size, 0);
});

Deno.test("ike exchange: CP hands a virtual IP from the responder's pool; TSi narrows to it", () => {
  const { clock, a, b } = pair({
    a: {
      requestVip: true,
      children: [{ ...child("10.1.0.0/24", "10.2.0.0/24"), localTs: [{ protocol: 0 }] }],
    },
    b: {
      vipPool: "pool",
      children: [{ ...child("10.2.0.0/24", "10.1.0.0/24"), remoteTs: [{ protocol: 0 }] }],
    },
  });
  b.pools.set(
    "pool",
    new SubnetPool("pool", parsePrefix("192.168.0.0/24"), {
      dns: [parseIp("192.168.3.99")],
      nbns: [],
      dhcp: [],
      subnets: [],
    }),
  );
  const leases: string[] = [];
  b.ike.events.on("vip-lease", (e) => leases.push(`${formatIp(e.address)}:${e.leased}`));
  a.ike.initiate("vpn");
  clock.advance(100);
  assert(up(a, b), dump(a) + dump(b));
  assertEquals(a.ike.listIkeSas()[0]!.localVips.map(formatIp), ["192.168.0.1"]);
  assertEquals(a.ike.listChildSas()[0]!.localTs, ["192.168.0.1/32"]);
  assertEquals(b.ike.listChildSas()[0]!.remoteTs, ["192.168.0.1/32"]);
  assertEquals(leases, ["192.168.0.1:true"]);
  b.ike.terminate({});
  clock.advance(100);
  assertEquals(leases, ["192.168.0.1:true", "192.168.0.1:false"]);
});

Deno.test("ike exchange: transport mode for protocol 47 between the gateways", () => {
  const gre = (over = {}) => ({
    ...child("0.0.0.0/0", "0.0.0.0/0"),
    localTs: [{ protocol: 47 }],
    remoteTs: [{ protocol: 47 }],
    mode: "transport" as const,
    ...over,
  });
  const { clock, a, b } = pair({ a: { children: [gre()] }, b: { children: [gre()] } });
  a.ike.initiate("vpn");
  clock.advance(100);
  assert(up(a, b), dump(a) + dump(b));
  const c = a.ike.listChildSas()[0]!;
  assertEquals([c.mode, c.localTs, c.remoteTs], ["transport", ["192.0.2.1/32[47]"], [
    "198.51.100.2/32[47]",
  ]]);
});

Deno.test("ike exchange: ESN is negotiated as a transform", () => {
  const esn = { ...ESP_DEFAULT, esn: [true] };
  const { clock, a, b } = pair({
    a: { children: [child("10.1.0.0/24", "10.2.0.0/24", { proposals: [esn] })] },
    b: {
      children: [
        child("10.2.0.0/24", "10.1.0.0/24", { proposals: [{ ...esn, esn: [false, true] }] }),
      ],
    },
  });
  a.ike.initiate("vpn");
  clock.advance(100);
  assert(up(a, b));
  assertEquals([...a.dataplane.sas.values()][0]!.esn, true);
  assertEquals([...b.dataplane.sas.values()][0]!.esn, true);
});

Deno.test("ike exchange: unacceptable selectors leave a childless IKE SA (TS_UNACCEPTABLE)", () => {
  const { clock, a, b } = pair({ b: { children: [child("10.9.0.0/24", "10.1.0.0/24")] } });
  a.ike.initiate("vpn");
  clock.advance(100);
  assertEquals(states(a), ["established"]);
  assertEquals(a.ike.counts().childSas + b.ike.counts().childSas, 0);
});

Deno.test("ike exchange: a childless IKE SA (RFC 6023) when the initiator has no CHILD config", () => {
  const { clock, a, b } = pair({ a: { children: [] } });
  a.ike.initiate("vpn");
  clock.advance(100);
  assertEquals(states(a), ["established"]);
  assertEquals(states(b), ["established"]);
  assertEquals(a.ike.counts().childSas + b.ike.counts().childSas, 0);
});
