import { assertEquals } from "../tests/assert.ts";
import { parseConfigText } from "./editor.ts";
import { ROOT } from "./root_schema.ts";
import { renderConfig } from "./text_format.ts";

const VPN = [{ name: "vrf", key: "main" }, { name: "ike" }, { name: "vpn", key: "v" }];

Deno.test("text format: flat nodes on one line, blocks closed by .., two spaces per level", () => {
  const tree = parseConfigText(
    ROOT,
    "vrf main ike vpn v security-policy sp local-ts subnet 10.0.0.0/8 protocol 6 port 22\nvrf main ike vpn v vip\n",
  );
  assertEquals(renderConfig(ROOT, tree, VPN, { defaults: false, secrets: false }), [
    "vpn v",
    "  vip",
    "  security-policy sp",
    "    local-ts subnet 10.0.0.0/8 protocol 6 port 22",
    "  ..",
    "..",
  ]);
});

Deno.test("text format: defaults only when asked; secrets redacted unless asked; odd values quoted", () => {
  const tree = parseConfigText(
    ROOT,
    'vrf main ike pre-shared-key k secret "two words"\nsystem hostname ha1\n',
  );
  const psk = [{ name: "vrf", key: "main" }, { name: "ike" }, { name: "pre-shared-key", key: "k" }];
  assertEquals(renderConfig(ROOT, tree, psk, { defaults: false, secrets: false }), [
    "pre-shared-key k",
    "  secret <hidden>",
    "..",
  ]);
  assertEquals(renderConfig(ROOT, tree, psk, { defaults: false, secrets: true }), [
    "pre-shared-key k",
    '  secret "two words"',
    "..",
  ]);
  const sp4 = [{ name: "vrf", key: "main" }, { name: "ike" }, { name: "global-options" }, {
    name: "sp-hash-ipv4",
  }];
  assertEquals(renderConfig(ROOT, tree, sp4, { defaults: false, secrets: false }), [
    "sp-hash-ipv4",
  ]);
  assertEquals(renderConfig(ROOT, tree, sp4, { defaults: true, secrets: false }), [
    "sp-hash-ipv4 local-threshold 32 remote-threshold 32",
  ]);
  assertEquals(
    renderConfig(ROOT, tree, [{ name: "system" }, { name: "hostname" }], {
      defaults: false,
      secrets: false,
    }),
    [
      "hostname ha1",
    ],
  );
});

Deno.test("text format: the whole tree is headed config; containers print when they hold defaults", () => {
  const tree = parseConfigText(ROOT, "vrf main\n");
  assertEquals(renderConfig(ROOT, tree, [], { defaults: false, secrets: false }), [
    "config",
    "  vrf main",
    "  ..",
    "  system",
    "  ..",
    "..",
  ]);
  assertEquals(renderConfig(ROOT, tree, [], { defaults: true, secrets: false }), [
    "config",
    "  vrf main",
    "  ..",
    "  system",
    "    hostname tandem",
    "  ..",
    "..",
  ]);
});
