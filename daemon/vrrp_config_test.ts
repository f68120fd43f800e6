import { assertEquals } from "../tests/assert.ts";
import { Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { validateRuntimeConfig } from "../vrrp/runtime_config.ts";
import { vrrpRuntimeConfig } from "./vrrp_config.ts";

const HA1 = Deno.readTextFileSync(new URL("../tests/vectors/config/ha1.conf", import.meta.url));

async function typed(text: string) {
  const ds = Datastore.open();
  const r = await ds.commit(parseConfigText(ROOT, text));
  assertEquals(r.ok, true, JSON.stringify(r));
  return ds.typed();
}

Deno.test("vrrp config: the reference's ha1 maps leaf by leaf, defaults filled in", async () => {
  const cfg = await typed(HA1);
  const main = cfg.vrf.find((v) => v.name === "main")!;
  const rt = vrrpRuntimeConfig(main);
  assertEquals(rt, {
    instances: [
      {
        name: "vrrp51",
        linkInterface: "eth1",
        vrid: 1,
        priority: 100,
        advertisementInterval: 1000,
        virtualAddresses: ["10.100.0.2/24"],
        version: 3,
        preempt: true,
      },
      {
        name: "vrrp52",
        linkInterface: "eth2",
        vrid: 1,
        priority: 100,
        advertisementInterval: 1000,
        virtualAddresses: ["10.200.0.2/24"],
        version: 3,
        preempt: true,
      },
    ],
    groups: [{ name: "group1", instances: ["vrrp51", "vrrp52"], notifyHaGroup: "ha-group1" }],
  });
  assertEquals(validateRuntimeConfig(rt), rt);
});

Deno.test("vrrp config: every optional leaf set, IPv6, no group", async () => {
  const cfg = await typed(
    "vrf blue interface physical eth1 ipv6 address fd00::1/64\n" +
      "vrf blue interface vrrp v6 link-interface eth1 vrid 7 priority 254 " +
      "advertisement-interval 100 virtual-address fd00::7/64 virtual-address fd00::8/64 " +
      "version 3 preempt false preempt-delay 1500ms\n",
  );
  const blue = cfg.vrf.find((v) => v.name === "blue")!;
  const rt = vrrpRuntimeConfig(blue);
  assertEquals(rt, {
    instances: [{
      name: "v6",
      linkInterface: "eth1",
      vrid: 7,
      priority: 254,
      advertisementInterval: 100,
      virtualAddresses: ["fd00::7/64", "fd00::8/64"],
      version: 3,
      preempt: false,
      preemptDelay: 1500,
    }],
    groups: [],
  });
  assertEquals(validateRuntimeConfig(rt), rt);
  const main = cfg.vrf.find((v) => v.name === "main");
  assertEquals(main === undefined || vrrpRuntimeConfig(main).instances.length === 0, true);
});
