import { assertEquals, assertThrows } from "../tests/assert.ts";
import { rootTest } from "../tests/netns.ts";
import { KernelError } from "./errno.ts";
import { NetlinkLabHelper } from "./netlink/test_lab.ts";
import { Netns } from "./netns.ts";
import { applyRouterSysctls, readSysctl, sysctlPath, writeSysctl } from "./sysctl.ts";

Deno.test("sysctl: keys map to /proc/sys paths", () => {
  assertEquals(sysctlPath("net.ipv4.ip_forward"), "/proc/sys/net/ipv4/ip_forward");
  assertEquals(
    sysctlPath("net/ipv4/conf/eth0.100/rp_filter"),
    "/proc/sys/net/ipv4/conf/eth0.100/rp_filter",
  );
  assertThrows(() => sysctlPath("net/../../etc/passwd"), Error, "not a sysctl key");
  assertThrows(() => sysctlPath("a b"), Error, "not a sysctl key");
});

rootTest("sysctl: set in one VRF, not seen in another nor at home", async () => {
  await using h = await NetlinkLabHelper.create("a", "b");
  const [a, b] = h.ns;
  const homeFwd = readSysctl(Netns.home(), "net.ipv4.ip_forward");
  applyRouterSysctls(a!, {
    ipv4Forwarding: true,
    ipv6Forwarding: true,
    rpFilter: 2,
    acceptDad: 0,
    acceptRa: 0,
    nonLocalBind: true,
  });
  assertEquals(readSysctl(a!, "net.ipv4.ip_forward"), "1");
  assertEquals(readSysctl(a!, "net.ipv6.conf.all.forwarding"), "1");
  assertEquals(readSysctl(a!, "net.ipv4.conf.default.rp_filter"), "2");
  assertEquals(readSysctl(a!, "net.ipv6.conf.default.accept_dad"), "0");
  assertEquals(readSysctl(a!, "net.ipv4.ip_nonlocal_bind"), "1");
  assertEquals(readSysctl(b!, "net.ipv4.ip_forward"), "0");
  assertEquals(readSysctl(b!, "net.ipv6.conf.all.forwarding"), "0");
  assertEquals(readSysctl(b!, "net.ipv4.ip_nonlocal_bind"), "0");
  assertEquals(readSysctl(Netns.home(), "net.ipv4.ip_forward"), homeFwd);
  // iproute2's view agrees.
  const viaIp = await h.lab.exec(h.names[0]!, ["cat", "/proc/sys/net/ipv4/ip_forward"]);
  assertEquals(viaIp.stdout.trim(), "1");

  writeSysctl(b!, "net/ipv4/conf/lo/rp_filter", 1);
  assertEquals(readSysctl(b!, "net.ipv4.conf.lo.rp_filter"), "1");
  assertEquals(readSysctl(a!, "net.ipv4.conf.lo.rp_filter"), "0");

  assertThrows(
    () => writeSysctl(a!, "net.ipv4.conf.nosuchlink.rp_filter", 1),
    KernelError,
    `Cannot set sysctl net.ipv4.conf.nosuchlink.rp_filter=1 in namespace "${h.names[0]}": ENOENT`,
  );
  assertThrows(() => writeSysctl(a!, "net.ipv4.ip_forward", "x"), KernelError, "EINVAL");
});
