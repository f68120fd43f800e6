import { assert, assertEquals } from "../tests/assert.ts";
import { pairIsV6, resolvePair, SWAN_PAIR_V6, swanPairTopology } from "./swan_pair.ts";
import { validateTopology } from "./topology.ts";

Deno.test("swanPairTopology: the IPv4 pair has IPv6 off and /32 WAN addresses", () => {
  const r = resolvePair();
  assert(!pairIsV6(r));
  const t = swanPairTopology(r);
  assertEquals(validateTopology(t), []);
  assertEquals(t.namespaces, [
    { name: "a", forwarding: true, ipv6: false, rpFilter: false },
    { name: "b", forwarding: true, ipv6: false, rpFilter: false },
    { name: "la", ipv6: false },
    { name: "lb", ipv6: false },
  ]);
  assertEquals(t.links?.[0], {
    a: ["a", "wan", "10.225.0.1/32"],
    b: ["b", "wan", "10.200.0.1/32"],
  });
  assertEquals(t.routes?.map((x) => x.to), [
    "10.200.0.1/32",
    "10.225.0.1/32",
    "default",
    "default",
  ]);
});

Deno.test("swanPairTopology: the IPv6 pair has IPv6 on without DAD, forwards it, /128 WAN addresses", () => {
  const r = resolvePair(SWAN_PAIR_V6);
  assert(pairIsV6(r));
  assertEquals([r.a.ts, r.b.ts, r.a.id], ["fd01::/64", "fd02::/64", "2001:db8:225::1"]);
  const t = swanPairTopology(r);
  assertEquals(validateTopology(t), []);
  for (const n of t.namespaces) {
    assert(n.ipv6 !== false, n.name);
    assertEquals(n.sysctls?.["net.ipv6.conf.default.accept_dad"], 0, n.name);
  }
  assertEquals(t.namespaces.map((n) => n.sysctls?.["net.ipv6.conf.all.forwarding"]), [
    1,
    1,
    undefined,
    undefined,
  ]);
  assertEquals(t.links?.map((l) => [l.a[2], l.b[2]]), [
    ["2001:db8:225::1/128", "2001:db8:200::1/128"],
    ["fd01::1/64", "fd01::10/64"],
    ["fd02::1/64", "fd02::10/64"],
  ]);
  assertEquals(t.routes?.map((x) => [x.to, x.via ?? x.dev]), [
    ["2001:db8:200::1/128", "wan"],
    ["2001:db8:225::1/128", "wan"],
    ["default", "fd01::1"],
    ["default", "fd02::1"],
  ]);
});
