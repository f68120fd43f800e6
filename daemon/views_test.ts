import { assertEquals } from "../tests/assert.ts";
import { OperationalRegistry } from "../cli/operational.ts";
import { registerView, table } from "./views.ts";

Deno.test("views: the same data as text or, with --json anywhere, as JSON", async () => {
  const registry = new OperationalRegistry();
  let actions = 0;
  registerView(registry, {
    words: ["show", "thing"],
    help: "things",
    args: [{ name: "vrf", keyword: "vrf", syntax: "<vrf>", help: "", optional: true }],
    data: (a) => {
      actions++;
      return { things: [{ name: "a", vrf: a["vrf"] ?? "main" }] };
    },
    text: (d) => d.things.map((t) => `${t.name} in ${t.vrf}\n`).join(""),
  });
  assertEquals(await registry.run(["show", "thing"]), { ok: true, output: "a in main\n" });
  const json = await registry.run(["show", "thing", "--json", "vrf", "blue"]);
  assertEquals(json.ok && JSON.parse(json.output), { things: [{ name: "a", vrf: "blue" }] });
  assertEquals(actions, 2);
  assertEquals(registry.info()[0]!.args.map((a) => a.keyword), ["vrf", "--json"]);
});

Deno.test("views: tables align columns and trim trailing blanks", () => {
  assertEquals(
    table(["VRF", "Name", "Addresses"], [["main", "eth1", "10.0.0.1/24"], ["blue", "lo0", ""]]),
    "VRF   Name  Addresses\nmain  eth1  10.0.0.1/24\nblue  lo0\n",
  );
});
