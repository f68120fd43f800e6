/**
 * The runtime configuration: the reference's ha1 VRRP setup as data,
 * validation in the project's voice, JSON reading, and what counts as a
 * live (priority-only) change.
 */
import { assertEquals, assertThrows } from "../tests/assert.ts";
import { parseIp } from "../core/ip.ts";
import {
  instanceConfig,
  parseRuntimeConfig,
  sameButPriority,
  sameGroup,
  validateRuntimeConfig,
  type VrrpRuntimeConfig,
} from "./runtime_config.ts";

function labelled(label: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    throw new Error(`${label}: ${(e as Error).message}`);
  }
}

/** ha1 of the reference: vrrp51 on eth1, vrrp52 on eth2, group1 notifying ha-group1. */
const HA1: VrrpRuntimeConfig = {
  instances: [
    {
      name: "vrrp51",
      linkInterface: "eth1",
      vrid: 1,
      priority: 100,
      advertisementInterval: 1000,
      virtualAddresses: ["10.100.0.2/24"],
    },
    {
      name: "vrrp52",
      linkInterface: "eth2",
      vrid: 1,
      priority: 100,
      advertisementInterval: 1000,
      virtualAddresses: ["10.200.0.2/24"],
    },
  ],
  groups: [{ name: "group1", instances: ["vrrp51", "vrrp52"], notifyHaGroup: "ha-group1" }],
};

Deno.test("vrrp runtime config: the reference ha1 configuration is valid and reads back from JSON", () => {
  assertEquals(validateRuntimeConfig(HA1), HA1);
  assertEquals(parseRuntimeConfig(JSON.parse(JSON.stringify(HA1))), HA1);
  const c = instanceConfig(HA1.instances[0]!, parseIp("10.22.0.1"));
  assertEquals(c.advertisementIntervalMs, 1000);
  assertEquals(c.virtualAddresses.length, 1);
  assertEquals(c.primaryAddress, parseIp("10.22.0.1"));
});

Deno.test("vrrp runtime config: refusals name the leaf and the reason", () => {
  const one = HA1.instances[0]!;
  const cases: [string, VrrpRuntimeConfig, string][] = [
    ["duplicate", { instances: [one, one] }, "Cannot create vrrp vrrp51 twice"],
    [
      "version 2",
      { instances: [{ ...one, version: 2 }] },
      'Cannot set "version" of vrrp vrrp51 to 2: only VRRPv3',
    ],
    ["vrid 0", { instances: [{ ...one, vrid: 0 }] }, 'Cannot set "vrid": 0 is out of range 1..255'],
    [
      "same vrid on one link",
      { instances: [one, { ...one, name: "vrrp53" }] },
      'Cannot set "vrid" of vrrp vrrp53 to 1: vrrp vrrp51 uses it on eth1',
    ],
    [
      "mixed families",
      { instances: [{ ...one, virtualAddresses: ["10.100.0.2/24", "fd00::2/64"] }] },
      "an instance is IPv4 or IPv6",
    ],
    [
      "bad address",
      { instances: [{ ...one, virtualAddresses: ["10.100.0.300/24"] }] },
      'Cannot set "virtual-address" of vrrp vrrp51',
    ],
    [
      "interval",
      { instances: [{ ...one, advertisementInterval: 5 }] },
      'Cannot set "advertisement-interval": 5 is out of range',
    ],
    [
      "unknown member",
      { instances: [one], groups: [{ name: "g", instances: ["vrrp9"] }] },
      "Cannot add instance vrrp9 to vrrp group g: no vrrp vrrp9",
    ],
    [
      "two groups",
      {
        instances: [one],
        groups: [{ name: "g", instances: ["vrrp51"] }, { name: "h", instances: ["vrrp51"] }],
      },
      "Cannot add instance vrrp51 to vrrp group h: it is in vrrp group g",
    ],
    [
      "link is a vrrp",
      { instances: [one, { ...one, name: "vrrp53", linkInterface: "vrrp51", vrid: 3 }] },
      'Cannot set "link-interface" of vrrp vrrp53: vrrp51 is a vrrp interface',
    ],
  ];
  for (const [label, c, msg] of cases) {
    labelled(label, () => assertThrows(() => validateRuntimeConfig(c), RangeError, msg));
  }
});

Deno.test("vrrp runtime config: JSON with wrong types or unknown fields is refused with its path", () => {
  const cases: [string, unknown, string][] = [
    ["not an object", [], "the top level must be an object"],
    ["no instances", {}, "instances must be a list"],
    ["unknown field", { instances: [{ ...HA1.instances[0], colour: 1 }] }, "colour is not a field"],
    ["string vrid", { instances: [{ ...HA1.instances[0], vrid: "1" }] }, "vrid must be a number"],
    [
      "preempt",
      { instances: [{ ...HA1.instances[0], preempt: "yes" }] },
      "preempt must be true or false",
    ],
  ];
  for (const [label, json, msg] of cases) {
    labelled(label, () => assertThrows(() => parseRuntimeConfig(json), RangeError, msg));
  }
});

Deno.test("vrrp runtime config: only a priority change is live; group identity is its leaves", () => {
  const one = HA1.instances[0]!;
  assertEquals(sameButPriority(one, { ...one, priority: 250 }), true);
  assertEquals(sameButPriority(one, { ...one, advertisementInterval: 1000 }), true, "default");
  assertEquals(sameButPriority(one, { ...one, preempt: false }), false);
  assertEquals(sameButPriority(one, { ...one, virtualAddresses: ["10.100.0.3/24"] }), false);
  const g = HA1.groups![0]!;
  assertEquals(sameGroup(g, { ...g }), true);
  assertEquals(sameGroup(g, { ...g, notifyHaGroup: "other" }), false);
  assertEquals(sameGroup(g, { ...g, instances: ["vrrp52", "vrrp51"] }), false);
});
