/**
 * Configuration costs at appliance scale: a gateway with 1000 VPNs (each
 * with its own pre-shared key and security policy) loaded from its text,
 * printed, validated, committed to a state directory, and one change on top
 * of it committed. Run: `deno bench -A bench/config_bench.ts`.
 */
import { Datastore } from "../config/datastore.ts";
import { ConfigEditor, loadText, parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { FileStore } from "../config/store.ts";
import { renderConfig } from "../config/text_format.ts";
import { ALL_CHECKS } from "../config/checks.ts";
import { validateTree } from "../config/validate.ts";

const base = Deno.readTextFileSync(new URL("../tests/vectors/config/ha1.conf", import.meta.url));
const lines: string[] = [];
for (let i = 0; i < 1000; i++) {
  const peer = `10.226.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  lines.push(
    `/ vrf main ike pre-shared-key k${i} id ${peer} secret 0x${i.toString(16).padStart(32, "0")}`,
    `/ vrf main ike vpn v${i} ike-policy template ike1`,
    `/ vrf main ike vpn v${i} ipsec-policy template ipsec1`,
    `/ vrf main ike vpn v${i} local-address 10.175.0.1 remote-address ${peer}`,
    `/ vrf main ike vpn v${i} security-policy sp local-ts subnet 10.100.0.0/24 remote-ts subnet 172.${
      16 + (i >> 8)
    }.${i & 255}.0/24`,
  );
}
const editor = new ConfigEditor(ROOT);
loadText(editor, base + lines.join("\n"));
const tree = editor.tree;
const text = renderConfig(ROOT, tree, [], { defaults: false, secrets: true }).join("\n");
const changed = parseConfigText(
  ROOT,
  text + "\n/ vrf main ike vpn v7 remote-id peer7\n/ vrf main ike pre-shared-key k7 id peer7\n",
);

Deno.bench("config: load the text of 1000 VPNs (18 114 lines)", { group: "config" }, () => {
  parseConfigText(ROOT, text);
});
Deno.bench("config: show config of 1000 VPNs", { group: "config" }, () => {
  renderConfig(ROOT, tree, [], { defaults: true, secrets: false });
});
Deno.bench("config: validate 1000 VPNs", { group: "config" }, () => {
  validateTree(ROOT, tree, ALL_CHECKS);
});

const dir = Deno.makeTempDirSync({ prefix: "tc-bench-" });
Deno.bench(
  "config: commit 1000 VPNs then one change, to a state directory",
  { group: "config" },
  async () => {
    Deno.removeSync(dir, { recursive: true });
    const ds = Datastore.open({ store: new FileStore(dir) });
    const a = await ds.commit(tree);
    const b = await ds.commit(changed);
    if (!a.ok || !b.ok) throw new Error("commit failed");
  },
);
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
