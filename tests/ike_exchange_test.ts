import { assert, assertEquals } from "./assert.ts";
import { dump, mirrored, pair } from "./ike_fixture.ts";

Deno.test("ike exchange: IKE_SA_INIT + IKE_AUTH establish an IKE SA and a CHILD SA", () => {
  const { clock, a, b } = pair();
  a.ike.initiate("vpn");
  clock.advance(100);
  const sa = a.ike.listIkeSas();
  assertEquals(sa.map((s) => s.state), ["established"], dump(a) + "\n" + dump(b));
  assertEquals(b.ike.listIkeSas().map((s) => s.state), ["established"], dump(b));
  assertEquals(a.ike.listChildSas().length, 1, dump(a));
  assert(mirrored(a, b), "CHILD SA keys and SPIs mirror each other");
  assertEquals(sa[0]!.nextSend, 2);
  assertEquals(b.ike.listIkeSas()[0]!.expectRecv, 2);
});
