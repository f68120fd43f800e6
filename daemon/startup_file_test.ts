import { assert, assertEquals } from "../tests/assert.ts";
import { Datastore } from "../config/datastore.ts";
import { readStartupFile, StartupFileError } from "./startup_file.ts";

function attempt(text: string): string[] | "ok" {
  const dir = Deno.makeTempDirSync({ prefix: "td-startup-" });
  const path = `${dir}/tandem.conf`;
  Deno.writeTextFileSync(path, text);
  try {
    readStartupFile(path, Datastore.open());
    return "ok";
  } catch (e) {
    assert(e instanceof StartupFileError);
    return e.messages.map((m) => m.replace(path, "F"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("startup file: a listing loads; errors name the file, the line and the reason", () => {
  assertEquals(
    attempt(
      "config\n  system\n    hostname gw1\n  ..\n  vrf main\n    interface\n      physical eth1\n        port p1\n..\n",
    ),
    "ok",
  );
  assertEquals(attempt("system hostname gw1\nsystem hostnam gw2\n"), [
    'F:2: Cannot parse "hostnam": not a node of system; did you mean "hostname"?',
  ]);
  assertEquals(attempt("vrf main ike ha node-id 16\n"), [
    'F:1: Cannot set "node-id": 16 is out of range 1..15',
  ]);
  assertEquals(
    attempt("vrf main routing static ipv4-route 10.0.0.0/8 next-hop 192.0.2.1\n"),
    ['F: Cannot commit "vrf main routing static ipv4-route 10.0.0.0/8": next-hop 192.0.2.1 is not in a subnet of vrf main'],
  );
  assertEquals(attempt(""), "ok", "an empty file is an empty configuration");
});

Deno.test("startup file: an unreadable path says so", () => {
  let msg = "";
  try {
    readStartupFile("/nonexistent/tandem.conf", Datastore.open());
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(msg.startsWith('Cannot read "/nonexistent/tandem.conf": '), msg);
});
