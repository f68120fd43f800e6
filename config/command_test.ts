import { assertEquals, assertThrows } from "../tests/assert.ts";
import { CommandError, locate, parseEdit, walk } from "./command.ts";
import { ROOT } from "./root_schema.ts";

const IKE = [{ name: "vrf", key: "main" }, { name: "ike" }];
const TPL = [...IKE, { name: "ike-policy-template", key: "ike1" }];

Deno.test("command: one line sets several leaves of a list entry and stays in the context", () => {
  const e = parseEdit(
    ROOT,
    TPL,
    "ike-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 dh-group modp1024".split(" "),
  );
  const p1 = [...TPL, { name: "ike-proposal", key: 1 }];
  assertEquals(e.enter, undefined);
  assertEquals(e.ops, [
    { op: "ensure", path: p1 },
    { op: "add", path: [...p1, { name: "enc-alg" }], value: "aes128-cbc" },
    { op: "add", path: [...p1, { name: "auth-alg" }], value: "hmac-sha1" },
    { op: "add", path: [...p1, { name: "dh-group" }], value: "modp1024" },
  ]);
});

Deno.test("command: naming a container or entry enters it; a flat node never does", () => {
  assertEquals(parseEdit(ROOT, [], ["vrf", "main", "ike", "ha"]).enter, [...IKE, { name: "ha" }]);
  assertEquals(parseEdit(ROOT, IKE, ["global-options", "sp-hash-ipv4"]).enter, undefined);
  const vpn = [...IKE, { name: "vpn", key: "v" }];
  const vip = parseEdit(ROOT, vpn, ["vip"]);
  assertEquals(vip, { ops: [{ op: "ensure", path: [...vpn, { name: "vip" }] }] });
  const route = parseEdit(ROOT, [{ name: "vrf", key: "main" }, { name: "routing" }, {
    name: "static",
  }], [
    "ipv4-route",
    "10.250.0.0/24",
    "next-hop",
    "10.200.0.1",
  ]);
  assertEquals(route.enter, undefined);
  assertEquals(route.ops.length, 2);
});

Deno.test("command: errors name the word and the reason", () => {
  const ha = [...IKE, { name: "ha" }];
  assertThrows(
    () => parseEdit(ROOT, ha, ["node-id", "16"]),
    CommandError,
    'Cannot set "node-id": 16 is out of range 1..15',
  );
  assertThrows(
    () => parseEdit(ROOT, ha, ["nod-id", "1"]),
    CommandError,
    'Cannot parse "nod-id": not a node of vrf main ike ha; did you mean "node-id"?',
  );
  assertThrows(
    () => parseEdit(ROOT, ha, ["node-id"]),
    CommandError,
    'Cannot set "node-id": a value is missing (<1-15>)',
  );
  assertThrows(
    () => parseEdit(ROOT, [], ["vrf"]),
    CommandError,
    'Cannot enter "vrf": a key is missing',
  );
  assertThrows(
    () => parseEdit(ROOT, [], ["vrf", "main", "interface", "physical", "a123456789012345"]),
    CommandError,
    'Cannot create "physical": "a123456789012345" is longer than 15 characters',
  );
  const w = walk(ROOT, ha, ["node-id", "1", "bogus"]);
  assertEquals(w.error?.index, 2);
  assertEquals(w.ops.length, 1);
});

Deno.test("command: locate designates lists, entries, leaves and leaf-list values", () => {
  assertEquals(locate(ROOT, [], ["vrf"]).node.kind, "list");
  assertEquals(locate(ROOT, [], ["vrf", "main"]).path, [{ name: "vrf", key: "main" }]);
  const t = locate(ROOT, [], ["vrf", "main", "ike", "pre-shared-key", "k", "id", "10.0.0.1"]);
  assertEquals(t.value, "10.0.0.1");
  assertEquals(t.node.kind, "leaf-list");
  assertThrows(() => locate(ROOT, [], ["system", "hostname", "x"]), CommandError, "unexpected");
});

Deno.test("command: later words may name nodes the command descended through, never above its context", () => {
  const e = parseEdit(
    ROOT,
    IKE,
    "vpn v ipsec-policy template t local-address 10.0.0.1 security-policy p local-ts subnet 10.0.0.0/8 remote-ts subnet 10.1.0.0/16"
      .split(" "),
  );
  const vpn = [...IKE, { name: "vpn", key: "v" }];
  assertEquals(
    e.ops.filter((o) => o.op === "set").map((o) => o.path.map((s) => s.name).slice(2).join(" ")),
    [
      "vpn ipsec-policy template",
      "vpn local-address",
      "vpn security-policy local-ts subnet",
      "vpn security-policy remote-ts subnet",
    ],
  );
  assertEquals(e.ops[0], { op: "ensure", path: vpn });
  assertThrows(
    () => parseEdit(ROOT, [...IKE, { name: "ha" }], ["node-id", "1", "vpn", "v"]),
    CommandError,
    "not a node of vrf main ike ha",
  );
});
