import { assertEquals } from "../tests/assert.ts";
import { ip, packet, refChecksum } from "../tests/esp_packets.ts";
import { Flow, parseFlow } from "./flow.ts";
import { buildFragNeeded, buildPacketTooBig, mayAnswerWithIcmp } from "./icmp.ts";

const out = new Uint8Array(2000);

function flowOf(p: Uint8Array): Flow {
  const f = new Flow();
  parseFlow(p, p.length, f);
  return f;
}

Deno.test("icmp: IPv4 fragmentation needed, field by field (RFC 792, RFC 1191, RFC 1812)", () => {
  const orig = packet({
    src: "10.1.0.5",
    dst: "10.2.0.9",
    protocol: 6,
    df: true,
    payload: 1400,
    ttl: 63,
  });
  const n = buildFragNeeded(out, orig, orig.length, 1422, ip("10.1.0.1"));
  const p = out.slice(0, n);
  assertEquals(n, 576, "576 bytes in all");
  // IPv4 header
  assertEquals(p[0], 0x45, "version 4, IHL 5");
  assertEquals((p[2]! << 8) | p[3]!, 576, "total length");
  assertEquals((p[6]! << 8) | p[7]!, 0, "no DF, no fragment");
  assertEquals(p[8], 64, "TTL");
  assertEquals(p[9], 1, "protocol ICMP");
  assertEquals(p.subarray(12, 16), ip("10.1.0.1"), "source: the gateway");
  assertEquals(p.subarray(16, 20), ip("10.1.0.5"), "destination: the sender");
  assertEquals(refChecksum(p.subarray(0, 20)), 0, "header checksum verifies");
  // ICMP
  assertEquals([p[20], p[21]], [3, 4], "type 3 code 4");
  assertEquals([p[24], p[25]], [0, 0], "unused");
  assertEquals((p[26]! << 8) | p[27]!, 1422, "next-hop MTU");
  assertEquals(p.subarray(28), orig.subarray(0, 548), "quotes the original from its IP header on");
  assertEquals(refChecksum(p.subarray(20)), 0, "ICMP checksum verifies");
  // A short original is quoted whole.
  const small = packet({ src: "10.1.0.5", dst: "10.2.0.9", protocol: 17, df: true, payload: 3 });
  const m = buildFragNeeded(out, small, small.length, 1000, ip("10.1.0.1"));
  assertEquals(m, 20 + 8 + small.length);
  assertEquals(out.subarray(28, m), small);
  assertEquals(refChecksum(out.subarray(20, m)), 0, "odd-length ICMP checksum verifies");
});

Deno.test("icmp: IPv6 packet too big, field by field (RFC 4443 §3.2)", () => {
  const orig = packet({
    src: "2001:db8:1::5",
    dst: "2001:db8:2::9",
    protocol: 17,
    payload: 1452,
    ttl: 60,
  });
  const n = buildPacketTooBig(out, orig, orig.length, 1390, ip("2001:db8:1::1"));
  const p = out.slice(0, n);
  assertEquals(n, 1280, "fills the minimum MTU");
  assertEquals(p[0]! >> 4, 6, "version 6");
  assertEquals((p[4]! << 8) | p[5]!, 1240, "payload length");
  assertEquals(p[6], 58, "next header ICMPv6");
  assertEquals(p[7], 64, "hop limit");
  assertEquals(p.subarray(8, 24), ip("2001:db8:1::1"), "source: the gateway");
  assertEquals(p.subarray(24, 40), ip("2001:db8:1::5"), "destination: the sender");
  assertEquals([p[40], p[41]], [2, 0], "type 2 code 0");
  assertEquals(((p[44]! << 24) | (p[45]! << 16) | (p[46]! << 8) | p[47]!) >>> 0, 1390, "MTU");
  assertEquals(p.subarray(48), orig.subarray(0, 1232), "quote");
  const pseudo = new Uint8Array(40);
  pseudo.set(p.subarray(8, 40));
  pseudo[34] = 1240 >> 8;
  pseudo[35] = 1240 & 0xff;
  pseudo[39] = 58;
  assertEquals(
    refChecksum(pseudo, p.subarray(40)),
    0,
    "ICMPv6 checksum with pseudo-header verifies",
  );
});

Deno.test("icmp: no error about errors, later fragments or non-unicast sources (RFC 1122 §3.2.2, RFC 4443 §2.4)", () => {
  const cases: [string, Uint8Array, boolean][] = [
    ["tcp", packet({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 6, df: true }), true],
    ["echo request", packet({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 1, type: 8 }), true],
    [
      "dest unreachable",
      packet({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 1, type: 3, code: 1 }),
      false,
    ],
    ["time exceeded", packet({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 1, type: 11 }), false],
    [
      "first fragment",
      packet({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 17, moreFragments: true }),
      true,
    ],
    [
      "later fragment",
      packet({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 17, fragOffset: 100 }),
      false,
    ],
    ["multicast dst", packet({ src: "10.0.0.1", dst: "224.0.0.5", protocol: 17 }), false],
    ["0.0.0.0 src", packet({ src: "0.0.0.0", dst: "10.0.0.2", protocol: 17 }), false],
    ["broadcast src", packet({ src: "255.255.255.255", dst: "10.0.0.2", protocol: 17 }), false],
    ["v6 udp", packet({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 17 }), true],
    ["v6 echo", packet({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 58, type: 128 }), true],
    ["v6 error", packet({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 58, type: 1 }), false],
    ["v6 unspecified src", packet({ src: "::", dst: "2001:db8::2", protocol: 17 }), false],
    ["v6 multicast src", packet({ src: "ff02::1", dst: "2001:db8::2", protocol: 17 }), false],
    [
      "v6 later fragment",
      packet({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 17, ext: [44], fragOffset: 9 }),
      false,
    ],
  ];
  for (const [name, p, want] of cases) assertEquals(mayAnswerWithIcmp(p, flowOf(p)), want, name);
});
