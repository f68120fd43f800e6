import { assertEquals } from "../tests/assert.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT, type TandemConfig } from "../config/root_schema.ts";
import { withDefaults } from "../config/tree.ts";
import {
  desiredAddresses,
  desiredRoutes,
  mergeRoutes,
  normalizeAddress,
  planAddresses,
  planRoutes,
  transitName,
} from "./kernel_plan.ts";

const typed = (text: string) =>
  withDefaults(ROOT, parseConfigText(ROOT, text)) as unknown as TandemConfig;

Deno.test("kernel plan: addresses are canonical, IPv4 first", () => {
  const cfg = typed(`vrf main interface physical eth1 ipv6 address 2001:DB8:0:0::1/64
vrf main interface physical eth1 ipv4 address 10.0.0.1/24
`);
  assertEquals(desiredAddresses(cfg.vrf[0]!.interface.physical[0]!), [
    "10.0.0.1/24",
    "2001:db8::1/64",
  ]);
  assertEquals(normalizeAddress("fd00:0::0:1/64"), "fd00::1/64");
});

Deno.test("kernel plan: addresses: add what is missing, remove only what Tandem added", () => {
  const cases: [string, string[], string[], string[], { add: string[]; remove: string[] }][] = [
    ["fresh link", ["10.0.0.1/24"], [], [], { add: ["10.0.0.1/24"], remove: [] }],
    ["already there", ["10.0.0.1/24"], ["10.0.0.1/24"], [], { add: [], remove: [] }],
    [
      "unconfigured one of ours goes, a foreign one and link-local stay",
      ["10.0.0.1/24"],
      ["10.0.0.1/24", "10.0.0.2/24", "192.0.2.9/24", "fe80::1/64"],
      ["10.0.0.1/24", "10.0.0.2/24"],
      { add: [], remove: ["10.0.0.2/24"] },
    ],
    [
      "prefix length changed",
      ["10.0.0.1/16"],
      ["10.0.0.1/24"],
      ["10.0.0.1/24"],
      { add: ["10.0.0.1/16"], remove: ["10.0.0.1/24"] },
    ],
    [
      "ours but already gone (crash after recording)",
      [],
      [],
      ["10.0.0.7/24"],
      { add: [], remove: [] },
    ],
  ];
  for (const [label, desired, present, owned, want] of cases) {
    assertEquals(planAddresses(desired, present, owned), want, label);
  }
});

Deno.test("kernel plan: routes: first next hop, canonical prefixes, default routes", () => {
  const cfg = typed(`vrf main interface physical eth1 ipv4 address 10.0.0.1/24
vrf main interface physical eth1 ipv6 address fd00::1/64
vrf main routing static ipv4-route 0.0.0.0/0 next-hop 10.0.0.254
vrf main routing static ipv4-route 10.9.0.0/16 next-hop 10.0.0.253
vrf main routing static ipv6-route ::/0 next-hop fd00:0::fe
`);
  assertEquals(desiredRoutes(cfg.vrf[0]!.routing.static), [
    { dst: "0.0.0.0/0", gateway: "10.0.0.254" },
    { dst: "10.9.0.0/16", gateway: "10.0.0.253" },
    { dst: "::/0", gateway: "fd00::fe" },
  ]);
});

Deno.test("kernel plan: routes: a changed next hop is removed then added; foreign routes stay", () => {
  const a = { dst: "10.9.0.0/16", gateway: "10.0.0.253" };
  const a2 = { dst: "10.9.0.0/16", gateway: "10.0.0.252" };
  const b = { dst: "0.0.0.0/0", gateway: "10.0.0.254" };
  const foreign = { dst: "172.16.0.0/12", gateway: "10.0.0.1" };
  assertEquals(planRoutes([a2, b], [a, b, foreign], [a, b]), { add: [a2], remove: [a] });
  assertEquals(planRoutes([], [a, foreign], [a, b]), { add: [], remove: [a] });
  assertEquals(mergeRoutes([a, b], [b, a2]), [a, b, a2]);
});

Deno.test("kernel plan: transit link names avoid names in use and fit IFNAMSIZ", () => {
  const taken = new Set(["tdt5", "tdt5x0"]);
  assertEquals(transitName(5, (n) => taken.has(n)), "tdt5x1");
  assertEquals(transitName(2 ** 31 - 1, () => false).length <= 15, true);
});
