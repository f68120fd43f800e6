import { parseIp } from "../core/ip.ts";
import { assertEquals, assertThrows } from "../tests/assert.ts";
import { readPcap, toHex } from "../tests/pcap.ts";
import { encodeGratuitousArp, encodeUnsolicitedNa } from "./neigh_packets.ts";
import { parseMac } from "./netlink/link.ts";

Deno.test("neighbour frames: gratuitous ARP equals keepalived 2.2.7's (capture frame 2)", () => {
  const pcap = readPcap(
    Deno.readFileSync(
      new URL("../tests/vectors/vrrp/keepalived-2.2.7-vrrpv3-adv1s-hard.pcap", import.meta.url),
    ),
  );
  const garp = pcap.records[1]!.data;
  const out = new Uint8Array(64);
  const n = encodeGratuitousArp(out, parseMac("36:49:79:29:b7:03"), parseIp("10.78.0.10"));
  assertEquals(toHex(out.subarray(0, n)), toHex(garp.subarray(0, 42)));
});

Deno.test("neighbour frames: unsolicited NA layout and checksum (RFC 4861 §4.4)", () => {
  const out = new Uint8Array(128);
  const mac = parseMac("02:00:5e:00:02:07");
  const target = parseIp("fd00::7");
  const n = encodeUnsolicitedNa(out, mac, target, { router: true });
  assertEquals(n, 86);
  const f = out.subarray(0, n);
  assertEquals(toHex(f.subarray(0, 14)), "333300000001" + "02005e000207" + "86dd");
  assertEquals([f[14], f[19], f[20], f[21]], [0x60, 32, 58, 255]);
  assertEquals([f[54], f[55], f[58]], [136, 0, 0xa0], "type, code, R|O");
  assertEquals(toHex(f.subarray(62, 78)), toHex(target.bytes));
  assertEquals(toHex(f.subarray(78, 86)), "0201" + "02005e000207");
  // The checksum makes the one's-complement sum over pseudo-header + message 0xffff.
  let s = 32 + 58;
  for (let i = 22; i < 54; i += 2) s += (f[i]! << 8) | f[i + 1]!;
  for (let i = 54; i < 86; i += 2) s += (f[i]! << 8) | f[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  assertEquals(s, 0xffff);
  assertThrows(() => encodeUnsolicitedNa(out, mac, parseIp("10.0.0.1")), Error, "IPv4");
  assertThrows(() => encodeGratuitousArp(out, new Uint8Array(4), parseIp("10.0.0.1")), Error);
});
