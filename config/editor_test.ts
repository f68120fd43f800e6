import { assertEquals, assertThrows } from "../tests/assert.ts";
import { CommandError } from "./command.ts";
import { ConfigEditor, LoadError, loadText, parseConfigText } from "./editor.ts";
import { ROOT } from "./root_schema.ts";

Deno.test("editor: contexts move with names, .. and /", () => {
  const e = new ConfigEditor(ROOT);
  assertEquals(e.contextName(), "config");
  e.run(["vrf", "main"]);
  assertEquals(e.contextName(), "vrf main");
  e.run(["interface", "physical", "eth1"]);
  assertEquals(e.contextName(), "physical eth1");
  e.run([".."]);
  assertEquals(e.contextName(), "interface");
  e.run(["/", "vrf", "main", "ike", "ha"]);
  assertEquals(e.contextName(), "ha");
  e.run(["/"]);
  assertEquals(e.contextName(), "config");
  e.run([".."]);
  assertEquals(e.contextName(), "config");
  assertThrows(() => e.run(["..", "x"]), CommandError, 'nothing may follow ".."');
});

Deno.test("editor: deleting the node holding the context moves the context up", () => {
  const e = new ConfigEditor(ROOT);
  e.run(["vrf", "main", "interface", "physical", "eth1"]);
  e.run(["mtu", "9000"]);
  e.delete(["/", "vrf", "main", "interface", "physical", "eth1"]);
  assertEquals(e.contextName(), "interface");
  assertThrows(
    () => e.delete(["physical", "eth1"]),
    CommandError,
    'Cannot delete "physical eth1": it is not configured',
  );
  assertThrows(() => e.delete([]), CommandError, "a path is missing");
});

Deno.test("editor: a failing command changes nothing, even after valid words", () => {
  const e = new ConfigEditor(ROOT);
  e.run(["vrf", "main", "ike", "ha", "node-id", "2"]);
  const before = JSON.stringify(e.tree);
  assertThrows(
    () => e.run(["/", "vrf", "main", "ike", "ha", "node-id", "3", "interface", "bad name!"]),
    CommandError,
  );
  assertEquals(JSON.stringify(e.tree), before);
});

Deno.test("editor: loadText reports the line of a failure; # lines are comments", () => {
  const e = new ConfigEditor(ROOT);
  const err = assertThrows(
    () => loadText(e, "# header\nsystem\nhostname ha1\n..\nvrf main\nbogus 1\n"),
    LoadError,
  );
  assertEquals((err as LoadError).line, 6);
  const tree = parseConfigText(ROOT, "config\n  system\n    hostname ha1\n  ..\n..\n");
  assertEquals(tree, { system: { hostname: "ha1" } });
});
