import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { NetnsLab, rootTest, run } from "../tests/netns.ts";
import { readLink } from "./files.ts";
import { Rtnl } from "./netlink/rtnl.ts";
import { MAIN_VRF, Vrfs } from "./vrf.ts";

Deno.test("vrf: names map to prefixed namespaces; main is home", () => {
  const v = new Vrfs("ha1-");
  assertEquals(v.netnsName("hasync"), "ha1-hasync");
  assertEquals(v.netnsName(MAIN_VRF), undefined);
  assert(v.netns(MAIN_VRF).isHome);
  assertEquals(v.netns("hasync").name, "ha1-hasync");
  assertThrows(() => v.netns("a b"), Error, `Cannot use "a b" as a VRF name`);
  assertThrows(() => new Vrfs("x/y"), Error, "prefix");
  assertThrows(() => v.remove(MAIN_VRF), Error, `Cannot remove vrf "main"`);
});

rootTest("vrf: ensure is idempotent, lo is up, list sees it, remove cleans up", async () => {
  await using lab = new NetnsLab("tk");
  const v = new Vrfs(`${lab.tag}-`);
  lab.onDispose(() => {
    for (const name of ["hasync", "wan"]) v.remove(name);
  });
  assertEquals(v.list(), [MAIN_VRF]);
  const ns = await v.ensure("hasync");
  assertEquals((await v.ensure("hasync")).name, ns.name);
  await v.ensure("wan");
  assertEquals(v.list(), [MAIN_VRF, "hasync", "wan"]);
  assertEquals(v.run("hasync", () => readLink("/proc/thread-self/ns/net")), ns.id());
  using nl = Rtnl.open(ns);
  assert((await nl.links.get("lo")).up);
  const ipList = (await run(["ip", "netns", "list"])).stdout;
  assert(ipList.includes(`${lab.tag}-hasync`));
  v.remove("hasync");
  v.remove("hasync");
  assertEquals(v.list(), [MAIN_VRF, "wan"]);
  v.remove("wan");
  assertEquals(v.exists("wan"), false);
});
