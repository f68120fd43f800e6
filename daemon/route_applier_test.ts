import { assertEquals } from "../tests/assert.ts";
import { Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { checkSingleNextHop } from "./route_applier.ts";

Deno.test("routes: more than one next hop is refused at validation (no multipath in this build)", () => {
  const ds = Datastore.open();
  ds.addCheck(checkSingleNextHop);
  const tree = parseConfigText(
    ROOT,
    `vrf main interface physical eth1 ipv4 address 10.0.0.1/24
vrf main routing static ipv4-route 10.9.0.0/16 next-hop 10.0.0.2
vrf main routing static ipv4-route 10.9.0.0/16 next-hop 10.0.0.3
vrf main routing static ipv4-route 10.8.0.0/16 next-hop 10.0.0.3
`,
  );
  assertEquals(ds.validate(tree), [
    'Cannot commit "vrf main routing static ipv4-route 10.9.0.0/16": 2 next-hops: multipath routes are not available in this build',
  ]);
});
