import { assertEquals } from "../tests/assert.ts";
import { parseInterfaceAddress, parseIp } from "../core/ip.ts";
import { planVirtualLink, virtualMac } from "./port.ts";

Deno.test("vrrp port: RFC 5798 §7.3 virtual MACs (the vmac captures use 00:00:5e:00:01:4e for vrid 78)", () => {
  assertEquals(virtualMac(78, 4), "00:00:5e:00:01:4e");
  assertEquals(virtualMac(1, 4), "00:00:5e:00:01:01");
  assertEquals(virtualMac(255, 6), "00:00:5e:00:02:ff");
});

Deno.test("vrrp port: the reference's vrrp51 becomes a bridge-mode macvlan on eth1 with the virtual MAC", () => {
  const plan = planVirtualLink({
    name: "vrrp51",
    linkInterface: "eth1",
    vrid: 1,
    family: 4,
    virtualAddresses: [parseInterfaceAddress("10.100.0.2/24")],
    primaryAddress: parseIp("10.22.0.1"),
  });
  assertEquals(plan, {
    name: "vrrp51",
    link: "eth1",
    mac: "00:00:5e:00:01:01",
    mode: "bridge",
    addrGenMode: "none",
    sysctls: [
      { path: "net.ipv4.conf.vrrp51.arp_ignore", value: 1 },
      { path: "net.ipv4.conf.eth1.arp_ignore", value: 1 },
      { path: "net.ipv4.conf.eth1.arp_filter", value: 1 },
    ],
    masterAddresses: [parseInterfaceAddress("10.100.0.2/24")],
  });
  const v6 = planVirtualLink({
    name: "vrrp61",
    linkInterface: "eth1",
    vrid: 1,
    family: 6,
    virtualAddresses: [parseInterfaceAddress("fe80::1/64")],
    primaryAddress: parseIp("fe80::5"),
  });
  assertEquals([v6.mac, v6.sysctls.length, v6.linkLocal], [
    "00:00:5e:00:02:01",
    0,
    parseIp("fe80::5"),
  ]);
});
