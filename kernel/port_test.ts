import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { Rtnl } from "./netlink/rtnl.ts";
import { findPortLink, listPorts, parsePort, pciAddress, portOfPciAddress } from "./port.ts";
import { pciAddressOfLink, sysfsLinkStats } from "./sysfs.ts";

Deno.test("port: PCI locations and link names parse; errors say why", () => {
  const p = parsePort("pci-b0s3");
  assertEquals(p, { kind: "pci", domain: 0, bus: 0, slot: 3, fn: 0 });
  assertEquals(pciAddress(p as Extract<typeof p, { kind: "pci" }>), "0000:00:03.0");
  const q = parsePort("pci-d1b16s31f7");
  assertEquals(pciAddress(q as Extract<typeof q, { kind: "pci" }>), "0001:10:1f.7");
  assertEquals(parsePort("eth1"), { kind: "name", name: "eth1" });
  assertEquals(portOfPciAddress("0000:00:03.0"), "pci-b0s3");
  assertEquals(portOfPciAddress("0001:10:1f.7"), "pci-d1b16s31f7");
  assertEquals(portOfPciAddress("virtio2"), undefined);
  assertThrows(
    () => parsePort("pci-b0"),
    Error,
    `Cannot parse port "pci-b0": expected pci-b<bus>s<slot>`,
  );
  assertThrows(() => parsePort("pci-b0s32"), Error, "slot 0-31");
  assertThrows(() => parsePort("a/b"), Error, "not a PCI location nor a link name");
});

Deno.test("port: every PCI-backed link of this host resolves back to itself", () => {
  // On a host with PCI NICs this checks the sysfs walk (a virtio NIC sits below its PCI function).
  for (const { link, port } of listPorts()) {
    if (port) assertEquals(findPortLink(port), link, `${port} -> ${link}`);
  }
  assertEquals(findPortLink("lo"), "lo");
  assertEquals(pciAddressOfLink("lo"), undefined);
  assertEquals(findPortLink("pci-b255s31f7"), undefined);
  assert(sysfsLinkStats("lo").rxPackets >= 0);
});

Deno.test("port: sysfs counters match what rtnetlink reports", async () => {
  using nl = Rtnl.open();
  const lo = await nl.links.get("lo");
  const viaSysfs = sysfsLinkStats("lo");
  assert(lo.stats !== undefined);
  // Counters only grow: the later sysfs read is at least the earlier netlink one.
  assert(viaSysfs.rxPackets >= lo.stats.rxPackets && viaSysfs.txBytes >= lo.stats.txBytes);
});
