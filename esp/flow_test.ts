import { assertEquals } from "../tests/assert.ts";
import { packet } from "../tests/esp_packets.ts";
import { Flow, OPAQUE_PORT, parseFlow } from "./flow.ts";

function flowOf(p: Uint8Array, len = p.length) {
  const f = new Flow();
  const ok = parseFlow(p, len, f);
  return { ok, f };
}

Deno.test("flow: IPv4 TCP/UDP/ICMP/other selector fields", () => {
  const cases: [string, Uint8Array, number, number, number][] = [
    [
      "tcp",
      packet({ src: "10.0.0.1", dst: "10.1.0.2", protocol: 6, srcPort: 1234, dstPort: 443 }),
      6,
      1234,
      443,
    ],
    [
      "udp",
      packet({ src: "10.0.0.1", dst: "10.1.0.2", protocol: 17, srcPort: 53, dstPort: 5353 }),
      17,
      53,
      5353,
    ],
    [
      "icmp echo",
      packet({ src: "10.0.0.1", dst: "10.1.0.2", protocol: 1, type: 8, code: 0 }),
      1,
      0x0800,
      0x0800,
    ],
    [
      "gre",
      packet({ src: "10.0.0.1", dst: "10.1.0.2", protocol: 47, payload: 12 }),
      47,
      OPAQUE_PORT,
      OPAQUE_PORT,
    ],
  ];
  for (const [name, p, proto, sp, dp] of cases) {
    const { ok, f } = flowOf(p);
    assertEquals(ok, true, name);
    assertEquals([f.family, f.src[0], f.dst[0], f.protocol, f.srcPort, f.dstPort], [
      4,
      0x0a000001,
      0x0a010002,
      proto,
      sp,
      dp,
    ], name);
    assertEquals([f.headerLength, f.totalLength, f.fragment], [20, p.length, false], name);
  }
});

Deno.test("flow: IPv4 fragments and DF", () => {
  const first = flowOf(
    packet({
      src: "1.2.3.4",
      dst: "5.6.7.8",
      protocol: 17,
      srcPort: 7,
      dstPort: 9,
      moreFragments: true,
    }),
  );
  assertEquals([first.f.fragment, first.f.srcPort, first.f.dstPort], [true, 7, 9]);
  const later = flowOf(packet({ src: "1.2.3.4", dst: "5.6.7.8", protocol: 17, fragOffset: 185 }));
  assertEquals([later.f.fragment, later.f.srcPort, later.f.dstPort], [
    true,
    OPAQUE_PORT,
    OPAQUE_PORT,
  ]);
  const df = flowOf(packet({ src: "1.2.3.4", dst: "5.6.7.8", protocol: 6, df: true }));
  assertEquals([df.f.dontFragment, df.f.fragment], [true, false]);
});

Deno.test("flow: IPv6 with and without extension headers", () => {
  const plain = flowOf(
    packet({ src: "2001:db8::1", dst: "2001:db8:1::2", protocol: 6, srcPort: 80, dstPort: 8080 }),
  );
  assertEquals([
    plain.ok,
    plain.f.family,
    plain.f.protocol,
    plain.f.srcPort,
    plain.f.dstPort,
    plain.f.headerLength,
  ], [
    true,
    6,
    6,
    80,
    8080,
    40,
  ]);
  assertEquals([...plain.f.src], [0x20010db8, 0, 0, 1]);
  assertEquals([...plain.f.dst], [0x20010db8, 0x00010000, 0, 2]);
  const ext = flowOf(
    packet({
      src: "2001:db8::1",
      dst: "2001:db8::2",
      protocol: 17,
      srcPort: 1,
      dstPort: 2,
      ext: [0, 60],
    }),
  );
  assertEquals([ext.f.protocol, ext.f.srcPort, ext.f.headerLength, ext.f.extensionHeaders], [
    17,
    1,
    56,
    true,
  ]);
  const icmp6 = flowOf(packet({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 58, type: 128 }));
  assertEquals([icmp6.f.srcPort, icmp6.f.dstPort], [0x8000, 0x8000]);
  const frag2 = flowOf(
    packet({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 17, ext: [44], fragOffset: 100 }),
  );
  assertEquals([frag2.f.fragment, frag2.f.srcPort, frag2.f.protocol], [true, OPAQUE_PORT, 17]);
  const frag1 = flowOf(
    packet({
      src: "2001:db8::1",
      dst: "2001:db8::2",
      protocol: 17,
      srcPort: 5,
      ext: [44],
      moreFragments: true,
    }),
  );
  assertEquals([frag1.f.fragment, frag1.f.srcPort], [true, 5]);
});

Deno.test("flow: malformed packets are refused", () => {
  const good = packet({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 17 });
  assertEquals(flowOf(good, 19).ok, false, "short header");
  assertEquals(flowOf(good, good.length - 1).ok, false, "total length beyond data");
  const badIhl = good.slice();
  badIhl[0] = 0x44;
  assertEquals(flowOf(badIhl).ok, false, "ihl < 5");
  const v5 = good.slice();
  v5[0] = 0x55;
  assertEquals(flowOf(v5).ok, false, "version 5");
  assertEquals(flowOf(new Uint8Array(0)).ok, false, "empty");
  const v6 = packet({ src: "::1", dst: "::2", protocol: 6 });
  assertEquals(flowOf(v6, 39).ok, false, "v6 short");
  const loop = packet({ src: "::1", dst: "::2", protocol: 6, ext: [0, 0, 0, 0, 0, 0, 0, 0, 0] });
  assertEquals(flowOf(loop).ok, false, "too many extension headers");
  // Trailing bytes after the IPv4 total length are tolerated (TFC padding, TUN offsets).
  const padded = new Uint8Array(good.length + 5);
  padded.set(good);
  assertEquals(flowOf(padded).f.totalLength, good.length);
});
