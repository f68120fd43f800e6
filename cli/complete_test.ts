import { assertEquals } from "../tests/assert.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { complete, type CompletionState, helpLines } from "./complete.ts";

const TREE = parseConfigText(
  ROOT,
  Deno.readTextFileSync(new URL("../tests/vectors/config/ha1.conf", import.meta.url)),
);
const state = (context: CompletionState["context"] = []): CompletionState => ({
  root: ROOT,
  context,
  candidate: TREE,
  running: TREE,
  ops: [{ words: ["show", "vrrp"], help: "VRRP instances", args: [] }, {
    words: ["flush", "ike"],
    help: "x",
    args: [],
  }],
  historySize: 2,
});
const IKE_CHILDREN = [
  "pre-shared-key",
  "global-options",
  "ha",
  "ike-policy-template",
  "ipsec-policy-template",
  "vpn",
];
const words = (line: string, context?: CompletionState["context"]) =>
  complete(state(context), line).candidates.map((c) => c.word);

Deno.test("complete: verbs, operational roots and the context's nodes at the start of a line", () => {
  assertEquals(words(""), [
    "commit",
    "delete",
    "discard",
    "exit",
    "help",
    "rollback",
    "show",
    "..",
    "/",
    "flush",
    "vrf",
    "system",
    "ha",
  ]);
  assertEquals(words("vr"), ["vrf"]);
  assertEquals(words("", [{ name: "vrf", key: "main" }, { name: "ike" }]).slice(-6), IKE_CHILDREN);
});

Deno.test("complete: keys already configured, enumeration values, names a reference may take", () => {
  assertEquals(words("vrf "), ["<name>", "main"]);
  assertEquals(words("vrf main interface vrrp v9 link-interface "), [
    "<ifname>",
    "eth1",
    "eth2",
    "eth3",
  ]);
  assertEquals(words("vrf main ike ha listen-ha-group "), ["<name>", "ha-group1"]);
  assertEquals(words("vrf main ike ike-policy-template t ike-proposal 1 dh-group cur"), [
    "<key exchange group>",
    "curve25519",
    "curve448",
  ]);
  assertEquals(words("vrf main ike ha node-id "), ["<1-15>"]);
  assertEquals(words("vrf main ike vpn vpn-secgw ike-policy template "), ["<name>", "ike1"]);
  assertEquals(words("vrf main ike ha preempt "), []);
});

Deno.test("complete: show config paths and modifiers, delete only what is configured, rollback indices", () => {
  assertEquals(words("show "), ["config", "commit", "vrrp"]);
  assertEquals(words("show config "), ["nodefault", "secrets", "running", "vrf", "system", "ha"]);
  assertEquals(words("show config nodefault vrf main ike "), IKE_CHILDREN);
  assertEquals(words("delete vrf main "), ["interface", "routing", "vrrp", "ike"]);
  assertEquals(words("delete vrf main interface physical "), ["eth1", "eth2", "eth3"]);
  assertEquals(words("delete vrf main ike pre-shared-key secgw id "), ["10.225.0.1"]);
  assertEquals(words("rollback "), ["0", "1"]);
});

Deno.test("complete: ? help lists candidates with their help and <Enter> when complete", () => {
  const ha = [{ name: "vrf", key: "main" }, { name: "ike" }, { name: "ha" }];
  assertEquals(helpLines(complete(state(ha), "node-id ")), [
    "  <1-15>  identifier of this node in the HA cluster",
  ]);
  assertEquals(helpLines(complete(state(ha), "node-id 1 ")).slice(-1), [
    "  <Enter>          run the command",
  ]);
  assertEquals(helpLines(complete(state(ha), "zzz ")), ["  (nothing to complete here)"]);
});
