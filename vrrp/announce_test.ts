import { assertEquals, assertThrows } from "../tests/assert.ts";
import { toHex } from "../tests/pcap.ts";
import { readVrrpCapture, VRRP_CAPTURES, VRRP_CAPTURES_V6 } from "../tests/vrrp_captures.ts";
import { parseIp } from "../core/ip.ts";
import { garpFrame, macBytes, unsolicitedNaFrame } from "./announce.ts";

Deno.test("vrrp announce: every gratuitous ARP in the keepalived captures is rebuilt byte for byte", () => {
  let n = 0;
  let vmac = 0;
  for (const name of VRRP_CAPTURES) {
    for (const g of readVrrpCapture(name).garps) {
      assertEquals(toHex(garpFrame(macBytes(g.srcMac), parseIp(g.address))), toHex(g.frame), name);
      n++;
      if (g.srcMac === "00:00:5e:00:01:4e") vmac++;
    }
  }
  // 15 in each vrid 78 capture (3 per burst), 6 in the vrid 77 one; 30 from the virtual MAC.
  assertEquals([n, vmac], [6 * 15 + 6, 30]);
});

Deno.test("vrrp announce: every unsolicited NA in the keepalived IPv6 capture is rebuilt byte for byte", () => {
  const { nas } = readVrrpCapture(VRRP_CAPTURES_V6[0]);
  for (const na of nas) {
    // keepalived set no Router flag: IPv6 forwarding was off in its namespace.
    assertEquals(
      toHex(unsolicitedNaFrame(macBytes(na.srcMac), parseIp(na.address), false)),
      toHex(na.frame),
    );
  }
  assertEquals(nas.length, 36);
  const r = unsolicitedNaFrame(macBytes("00:00:5e:00:02:01"), parseIp("fe80::1"), true);
  assertEquals(r[58], 0xa0);
});

Deno.test("vrrp announce: wrong inputs are refused", () => {
  assertThrows(
    () => macBytes("00:00:5e:00:01"),
    RangeError,
    'Cannot parse MAC address "00:00:5e:00:01"',
  );
  assertThrows(
    () => garpFrame(macBytes("00:00:5e:00:01:01"), parseIp("fe80::1")),
    RangeError,
    "IPv4",
  );
  assertThrows(
    () => unsolicitedNaFrame(macBytes("00:00:5e:00:01:01"), parseIp("10.0.0.1"), false),
    RangeError,
    "IPv6",
  );
});
