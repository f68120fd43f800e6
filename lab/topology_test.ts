import { assertEquals } from "../tests/assert.ts";
import { type TopologySpec, validateTopology } from "./topology.ts";

Deno.test("validateTopology: a sound spec has no errors", () => {
  const spec: TopologySpec = {
    namespaces: [{ name: "a", forwarding: true }, { name: "b" }, { name: "h" }],
    segments: [{ name: "sw", members: [["a", "lan", "10.0.0.1/24"], ["b", "lan"]] }],
    links: [{ a: ["a", "wan", "10.1.0.1/30"], b: ["h", "eth0", "10.1.0.2/30"] }],
    addresses: [{ ns: "b", dev: "lo", addr: "10.9.0.1/32" }],
    routes: [{ ns: "h", to: "default", via: "10.1.0.1" }, {
      ns: "a",
      to: "10.9.0.0/24",
      dev: "lan",
    }],
  };
  assertEquals(validateTopology(spec), []);
});

Deno.test("validateTopology: every problem is reported, in one voice", () => {
  const spec: TopologySpec = {
    namespaces: [{ name: "a" }, { name: "a" }, { name: "Bad" }],
    segments: [{ name: "a", members: [["zz", "lan"]] }],
    links: [
      { a: ["a", "wan", "10.1.0.1"], b: ["a", "this-name-is-too-long"] },
      { a: ["a", "wan"], b: ["a", "x"] },
    ],
    addresses: [{ ns: "q", dev: "lo", addr: "10.9.0.1/32" }],
    routes: [{ ns: "a", to: "somewhere" }],
  };
  assertEquals(validateTopology(spec), [
    'Cannot use namespace name "a": already used',
    'Cannot use namespace name "Bad": 1-12 lowercase letters or digits',
    'Cannot use segment name "a": already used',
    'Cannot use address "10.1.0.1" in link 0: expected addr/len',
    'Cannot use interface "this-name-is-too-long" in link 0: bad name',
    'Cannot create interface "wan" in "a" twice (link 1)',
    'Cannot use namespace "zz" in segment "a": not declared',
    'Cannot add address to "q": not declared',
    'Cannot route to "somewhere": expected "default" or addr/len',
    'Cannot add route to "somewhere" in "a": no via or dev',
  ]);
});
