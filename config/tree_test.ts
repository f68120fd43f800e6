import { assert, assertEquals } from "../tests/assert.ts";
import { ROOT } from "./root_schema.ts";
import {
  deleteAt,
  ensureObject,
  formatPath,
  getAt,
  normalize,
  treeEqual,
  withDefaults,
} from "./tree.ts";
import type { TreeObject } from "./tree.ts";

const VRRP51 = [{ name: "vrf", key: "main" }, { name: "interface" }, {
  name: "vrrp",
  key: "vrrp51",
}];

Deno.test("tree: normalize drops defaults and empty nodes and orders fields as the schema", () => {
  const raw: TreeObject = {
    ha: {},
    system: { hostname: "tandem" },
    vrf: [{
      routing: { static: {} },
      interface: { vrrp: [{ priority: 100, vrid: 1, name: "vrrp51", "link-interface": "eth1" }] },
      name: "main",
    }],
  };
  const n = normalize(ROOT, raw);
  assertEquals(
    JSON.stringify(n),
    '{"vrf":[{"name":"main","interface":{"vrrp":[{"name":"vrrp51","link-interface":"eth1","vrid":1}]}}]}',
  );
  assert(treeEqual(n, normalize(ROOT, n)), "normalize is idempotent");
});

Deno.test("tree: a presence container stays when empty; non-presence containers do not", () => {
  const n = normalize(ROOT, { vrf: [{ name: "main", ike: { ha: {}, "global-options": {} } }] });
  assertEquals(n, { vrf: [{ name: "main", ike: { ha: {} } }] });
});

Deno.test("tree: withDefaults fills defaults, lists and non-presence containers", () => {
  const typed = withDefaults(ROOT, { vrf: [{ name: "main", ike: { ha: {} } }] }) as TreeObject;
  const vrf = (typed.vrf as TreeObject[])[0]!;
  const ha = (vrf.ike as TreeObject).ha as TreeObject;
  assertEquals(ha.enabled, true);
  assertEquals(ha["seqnum-sync"], {
    "oseq-shift": 65536,
    "sync-period-time": 10_000,
    "sync-period-packets": 2,
  });
  assertEquals(ha.pool, []);
  assertEquals((typed.system as TreeObject).hostname, "tandem");
  assertEquals((vrf.interface as TreeObject).physical, []);
});

Deno.test("tree: ensure, get, delete by instance path", () => {
  const t: TreeObject = {};
  ensureObject(ROOT, t, VRRP51).vrid = 7;
  assertEquals(getAt(ROOT, t, [...VRRP51, { name: "vrid" }]), 7);
  assertEquals(formatPath(ROOT, VRRP51), "vrf main interface vrrp vrrp51");
  const va = [...VRRP51, { name: "virtual-address" }];
  ensureObject(ROOT, t, VRRP51)["virtual-address"] = ["10.0.0.1/24", "10.0.1.1/24"];
  assert(deleteAt(ROOT, t, va, "10.0.0.1/24"));
  assertEquals(getAt(ROOT, t, va), ["10.0.1.1/24"]);
  assert(!deleteAt(ROOT, t, va, "10.9.9.9/24"));
  assert(deleteAt(ROOT, t, VRRP51));
  assertEquals(getAt(ROOT, t, VRRP51), undefined);
  assert(!deleteAt(ROOT, t, VRRP51));
});
