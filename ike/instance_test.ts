import { assert, assertEquals } from "../tests/assert.ts";
import { child, dump, establishedPair, mirrored, states, vpn } from "../tests/ike_fixture.ts";

const A = (children: ReturnType<typeof child>[]) => vpn("192.0.2.1", "198.51.100.2", { children });
const B = (children: ReturnType<typeof child>[]) => vpn("198.51.100.2", "192.0.2.1", { children });

Deno.test("ike instance: a security-policy added live comes up beside the existing CHILD SA", () => {
  const p = establishedPair();
  const ikeSpi = p.a.ike.listIkeSas()[0]!.spiI;
  const first = p.a.ike.listChildSas()[0]!;
  const net = child("10.1.0.0/24", "10.2.0.0/24");
  const more = child("10.1.5.0/24", "10.2.5.0/24", { name: "more" });
  // The responder learns the new policy first: its CREATE_CHILD_SA is refused by the initiator,
  // which does not know the policy yet; then the initiator learns it and negotiates it.
  p.b.ike.setVpns([
    B([child("10.2.0.0/24", "10.1.0.0/24"), {
      ...more,
      localTs: more.remoteTs,
      remoteTs: more.localTs,
    }]),
  ]);
  p.clock.advance(100);
  assertEquals(p.b.ike.listChildSas().length, 1);
  assertEquals(p.a.ike.setVpns([A([net, more])]), { added: [], removed: [], changed: ["vpn"] });
  p.clock.advance(100);
  assertEquals(p.a.ike.listIkeSas().map((s) => s.spiI), [ikeSpi], "the IKE SA stays");
  const children = p.a.ike.listChildSas();
  assertEquals(children.map((c) => [c.name, c.state]), [["net", "installed"], [
    "more",
    "installed",
  ]]);
  assertEquals(children[0]!.spiIn, first.spiIn, "the first CHILD SA is untouched");
  assert(mirrored(p.a, p.b), dump(p.a));

  // Removing it deletes that CHILD SA only, at both ends.
  p.a.ike.setVpns([A([net])]);
  p.clock.advance(100);
  assertEquals(p.a.ike.listChildSas().map((c) => c.spiIn), [first.spiIn], dump(p.a));
  assertEquals(p.b.ike.listChildSas().map((c) => c.spiOut), [first.spiIn]);
  assertEquals(states(p.a), ["established"]);
  assertEquals(p.a.ike.listIkeSas().map((s) => s.spiI), [ikeSpi]);
});

Deno.test("ike instance: a changed security-policy is renegotiated on the same IKE SA", () => {
  const p = establishedPair();
  const ikeSpi = p.a.ike.listIkeSas()[0]!.spiI;
  const old = p.a.ike.listChildSas()[0]!.spiIn;
  p.a.ike.setVpns([A([child("10.1.0.0/24", "10.2.0.0/24", { rekeyTime: 1800 })])]);
  p.clock.advance(100);
  assertEquals(p.a.ike.listIkeSas().map((s) => s.spiI), [ikeSpi]);
  const now = p.a.ike.listChildSas();
  assertEquals(now.length, 1, dump(p.a));
  assert(now[0]!.spiIn !== old, "a new CHILD SA replaced the old one");
  assert(mirrored(p.a, p.b));
});

Deno.test("ike instance: an acquire on a living IKE SA brings back a flushed CHILD SA with CREATE_CHILD_SA", () => {
  const p = establishedPair();
  const ikeSpi = p.a.ike.listIkeSas()[0]!.spiI;
  const old = p.a.ike.listChildSas()[0]!;
  assertEquals(p.a.ike.acquire("vpn", "net"), "pending", "the CHILD SA is installed");
  assert(p.a.ike.terminateChild(parseInt(old.spiIn, 16)));
  p.clock.advance(100);
  assertEquals(p.a.ike.listChildSas().length, 0);
  assertEquals(p.b.ike.listChildSas().length, 0, "the peer was told");

  assertEquals(p.a.ike.acquire("vpn", "net"), "child-requested");
  assertEquals(p.a.ike.acquire("vpn", "net"), "pending", "a second packet asks nothing more");
  p.clock.advance(100);
  assertEquals(p.a.ike.listIkeSas().map((s) => s.spiI), [ikeSpi], "on the same IKE SA");
  const now = p.a.ike.listChildSas();
  assertEquals(now.map((c) => [c.name, c.state]), [["net", "installed"]], dump(p.a));
  assert(now[0]!.spiIn !== old.spiIn, "a new CHILD SA");
  assert(mirrored(p.a, p.b), dump(p.b));
  assertEquals(p.a.ike.acquire("vpn", "net"), "pending");
});

Deno.test("ike instance: an acquire starts a VPN without IKE SA, and ignores what it cannot start", () => {
  const p = establishedPair();
  assertEquals(p.a.ike.acquire("vpn", "nope"), "unknown");
  assertEquals(p.a.ike.acquire("other", "net"), "unknown");
  p.a.ike.terminate({ vpn: "vpn" });
  p.clock.advance(100);
  assertEquals(p.a.ike.listIkeSas().length, 0);
  assertEquals(p.a.ike.acquire("vpn", "net"), "initiated");
  assertEquals(p.a.ike.acquire("vpn", "net"), "pending", "the IKE SA is connecting");
  p.clock.advance(100);
  assertEquals(states(p.a), ["established"]);
  assert(mirrored(p.a, p.b), dump(p.a));
  // A responder-only VPN (no remote address) never initiates.
  p.b.ike.setVpns([
    vpn("198.51.100.2", undefined, { children: [child("10.2.0.0/24", "10.1.0.0/24")] }),
  ]);
  p.clock.advance(100);
  assertEquals(p.b.ike.acquire("vpn", "net"), "unknown");
  assertEquals(p.b.ike.listIkeSas().length, 0, "its SAs went with the changed VPN");
});
