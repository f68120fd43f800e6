import { assertEquals, assertThrows } from "../tests/assert.ts";
import { Owned } from "./owned.ts";

Deno.test("owned: persisted on every change, reloaded as it was", () => {
  const dir = Deno.makeTempDirSync({ prefix: "td-owned-" });
  const path = `${dir}/owned.json`;
  try {
    const o = Owned.load(path);
    assertEquals(o.vrfs(), []);
    o.addVrf("blue");
    o.putLink({
      kind: "physical",
      vrf: "blue",
      name: "eth2",
      port: "p2",
      origName: "p2",
      origMtu: 1500,
      origUp: true,
      mac: "02:00:00:00:00:02",
      linkKind: "veth",
    });
    o.putLink({ kind: "loopback", vrf: "main", name: "lo0" });
    o.setAddresses("blue", "eth2", ["10.2.0.1/24"]);
    o.setRoutes("blue", [{ dst: "10.20.0.0/16", gateway: "10.2.0.254" }]);
    o.noteSysctl("main", "net.ipv4.ip_forward", "0");
    o.noteSysctl("main", "net.ipv4.ip_forward", "1");
    const again = Owned.load(path);
    assertEquals(again.snapshot(), o.snapshot());
    assertEquals(again.sysctls("main"), [{ key: "net.ipv4.ip_forward", original: "0" }]);
    assertEquals(again.addressLinks(), [["blue", "eth2"]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("owned: dropping a VRF forgets what was in it; dropping a link its addresses", () => {
  const o = Owned.load();
  o.addVrf("blue");
  o.putLink({ kind: "loopback", vrf: "blue", name: "lb" });
  o.putLink({ kind: "loopback", vrf: "main", name: "lm" });
  o.setAddresses("blue", "lb", ["10.9.0.1/32"]);
  o.setAddresses("main", "lm", ["10.8.0.1/32"]);
  o.setRoutes("blue", [{ dst: "0.0.0.0/0", gateway: "10.9.0.2" }]);
  o.dropVrf("blue");
  assertEquals(o.links().map((l) => l.name), ["lm"]);
  assertEquals([o.addresses("blue", "lb"), o.routes("blue"), o.vrfs()], [[], [], []]);
  o.dropLink("main", "lm");
  assertEquals(o.addresses("main", "lm"), []);
});

Deno.test("owned: a damaged file is an error, not an empty record", () => {
  const dir = Deno.makeTempDirSync({ prefix: "td-owned-" });
  try {
    Deno.writeTextFileSync(`${dir}/owned.json`, "{not json");
    assertThrows(() => Owned.load(`${dir}/owned.json`), Error, `Cannot read "${dir}/owned.json"`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
