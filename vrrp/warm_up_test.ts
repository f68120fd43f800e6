import { assertEquals } from "../tests/assert.ts";
import { warmUpVrrp } from "./warm_up.ts";

Deno.test("vrrp warm-up: a throwaway instance runs every takeover path once", () => {
  const path = [
    "initialize->backup",
    "backup->master",
    "master->backup",
    "backup->master",
    "master->initialize",
  ];
  assertEquals(warmUpVrrp(), path);
  assertEquals(warmUpVrrp(), path, "repeatable: nothing shared is left behind");
});
