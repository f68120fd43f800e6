import { assertEquals } from "../tests/assert.ts";
import { Datastore } from "../config/datastore.ts";
import { argState, OperationalRegistry, parseArgs } from "./operational.ts";
import { LocalSession } from "./session.ts";
import { Shell } from "./shell.ts";

const ARGS = [
  { name: "vrf", syntax: "<vrf>", help: "one VRF", optional: true, keyword: "vrf" },
  { name: "name", syntax: "<name>", help: "one interface", optional: true },
  {
    name: "json",
    syntax: "--json",
    help: "as JSON",
    optional: true,
    keyword: "--json",
    flag: true,
  },
];

Deno.test("operational: keyword and flag arguments in any order, positional ones in order", () => {
  assertEquals(parseArgs(ARGS, []), { positional: [], named: {} });
  assertEquals(parseArgs(ARGS, ["eth1", "--json", "vrf", "blue"]), {
    positional: ["eth1"],
    named: { name: "eth1", json: "--json", vrf: "blue" },
  });
  assertEquals(parseArgs(ARGS, ["vrf"]), undefined, "a keyword needs its value");
  assertEquals(parseArgs(ARGS, ["a", "b"]), undefined, "one positional only");
  assertEquals(
    parseArgs([{ name: "level", syntax: "<level>", help: "", optional: false }], []),
    undefined,
  );
});

Deno.test("operational: argument state for completion and help", () => {
  const st = argState(ARGS, []);
  assertEquals([st.keywords.map((a) => a.keyword), st.positional?.name, st.complete], [
    ["vrf", "--json"],
    "name",
    true,
  ]);
  assertEquals(argState(ARGS, ["vrf"]).value?.name, "vrf");
  const after = argState(ARGS, ["vrf", "blue", "--json"]);
  assertEquals([after.keywords.length, after.positional?.name], [0, "name"]);
  assertEquals(argState(ARGS, ["x", "y"]).complete, false);
});

Deno.test("operational: the shell completes keywords and keyword values, and prints the usage", async () => {
  const registry = new OperationalRegistry();
  registry.register({
    words: ["show", "interface"],
    help: "interfaces",
    args: [
      { ...ARGS[0]!, complete: () => ["blue", "main"] },
      { ...ARGS[1]!, complete: () => ["eth1"] },
      ARGS[2]!,
    ],
    run: (args, named) => `${args.join(",")} ${JSON.stringify(named)}\n`,
  });
  const sh = await Shell.create(new LocalSession(Datastore.open(), { registry }));
  const words = async (line: string) =>
    (await sh.complete(line)).candidates.map((c) => c.word).sort();
  assertEquals(await words("show interface "), ["--json", "<name>", "eth1", "vrf"]);
  assertEquals(await words("show interface vrf "), ["<vrf>", "blue", "main"]);
  assertEquals(await words("show interface vrf blue "), ["--json", "<name>", "eth1"]);
  assertEquals((await sh.execute("show interface --json eth1 vrf blue")).output, [
    'eth1 {"json":"--json","name":"eth1","vrf":"blue"}',
  ]);
  assertEquals((await sh.execute("show interface vrf")).errors, [
    'Cannot run "show interface vrf": usage: show interface [vrf <vrf>] [<name>] [--json]',
  ]);
});
