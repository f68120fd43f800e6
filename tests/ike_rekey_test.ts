import { assert, assertEquals, assertNotEquals } from "./assert.ts";
import {
  child,
  dump,
  ESP_DEFAULT,
  establishedPair,
  ikePolicy,
  mirrored,
  type Node,
  states,
} from "./ike_fixture.ts";

const childSpis = (n: Node) => n.ike.listChildSas().map((c) => c.spiIn).sort();

const pfs = { ...ESP_DEFAULT, dh: ["ecp256" as const] };

Deno.test("ike rekey: CHILD SA rekey without and with PFS, from either side", () => {
  for (const [who, withPfs] of [["a", false], ["b", false], ["a", true], ["b", true]] as const) {
    const props = withPfs ? [pfs] : [ESP_DEFAULT];
    const p = establishedPair({
      a: { children: [child("10.1.0.0/24", "10.2.0.0/24", { proposals: props })] },
      b: { children: [child("10.2.0.0/24", "10.1.0.0/24", { proposals: props })] },
    });
    const n = p[who];
    const before = childSpis(n);
    const ups: (number | undefined)[] = [];
    n.ike.events.on("child-sa-up", (e) => ups.push(e.rekeyOf));
    assert(n.ike.rekey({ childSpi: parseInt(before[0]!, 16) }));
    p.clock.advance(100);
    const label = `${who} pfs=${withPfs}`;
    assertEquals(p.a.ike.listChildSas().map((c) => c.state), ["installed"], label + dump(p.a));
    assertEquals(p.b.ike.listChildSas().length, 1, label);
    assertNotEquals(childSpis(n), before, label);
    assert(mirrored(p.a, p.b), label);
    assertEquals(ups, [parseInt(before[0]!, 16)], label);
    // The responder installed the new SA without its outbound half and switched once the old one was deleted.
    const other = who === "a" ? p.b : p.a;
    const fresh = [...other.dataplane.sas.values()][0]!;
    assertEquals([fresh.outboundNow, other.dataplane.outbound.at(-1)], [false, fresh.id], label);
    assertEquals(n.dataplane.sas.get([...n.dataplane.sas.keys()][0]!)!.outboundNow, true, label);
    // CREATE_CHILD_SA then INFORMATIONAL delete: message IDs 2 and 3 used.
    const initiator = n.ike.listIkeSas()[0]!;
    assertEquals(who === "a" ? initiator.nextSend : initiator.nextSend, who === "a" ? 4 : 2, label);
  }
});

Deno.test("ike rekey: the CHILD SA rekeys itself before rekey-time and stays up", () => {
  const p = establishedPair();
  const first = childSpis(p.a);
  p.clock.advance(3600_000);
  assertNotEquals(childSpis(p.a), first);
  assertEquals(p.a.ike.counts().childSas, 1);
  assert(mirrored(p.a, p.b));
});

Deno.test("ike rekey: IKE SA rekey from either side moves the CHILD SAs and resets message IDs", () => {
  for (const who of ["a", "b"] as const) {
    const p = establishedPair();
    const old = p.a.ike.listIkeSas()[0]!;
    const children = childSpis(p.a);
    const n = p[who];
    assert(n.ike.rekey({ uid: n.ike.listIkeSas()[0]!.uid }));
    p.clock.advance(100);
    const now = p.a.ike.listIkeSas();
    assertEquals(now.map((s) => s.state), ["established"], who + dump(p.a) + dump(p.b));
    assertEquals(states(p.b), ["established"]);
    assertNotEquals(now[0]!.spiI, old.spiI);
    assertEquals(now[0]!.childSas, 1);
    assertEquals(childSpis(p.a), children, "the CHILD SAs moved, not rekeyed");
    assertEquals([now[0]!.nextSend, now[0]!.expectRecv], [0, 0]);
    assertEquals(now[0]!.initiator, who === "a");
    // The new IKE SA works: rekey the CHILD SA over it.
    assert(p.a.ike.rekey({ childSpi: parseInt(children[0]!, 16) }));
    p.clock.advance(100);
    assert(mirrored(p.a, p.b), who);
    assertEquals(p.a.ike.listIkeSas()[0]!.nextSend, who === "a" ? 2 : 2);
  }
});

Deno.test("ike rekey: the IKE SA rekeys itself before rekey-time", () => {
  const p = establishedPair({
    a: { ike: ikePolicy({ rekeyTime: 600 }) },
    b: { ike: ikePolicy({ rekeyTime: 3600 }) },
  });
  const spi = p.a.ike.listIkeSas()[0]!.spiI;
  p.clock.advance(600_000);
  assertNotEquals(p.a.ike.listIkeSas()[0]!.spiI, spi);
  assertEquals(states(p.a), ["established"]);
  assertEquals(states(p.b), ["established"]);
  assert(mirrored(p.a, p.b));
});

/** Runs a simultaneous rekey for several seeds; returns who lost per seed, from a's logs. */
function collide(kind: "child" | "ike", seeds: number[]): string[] {
  const outcomes: string[] = [];
  for (const seed of seeds) {
    const p = establishedPair({}, seed);
    const c = parseInt(childSpis(p.a)[0]!, 16);
    const cb = parseInt(childSpis(p.b)[0]!, 16);
    if (kind === "child") {
      p.a.ike.rekey({ childSpi: c });
      p.b.ike.rekey({ childSpi: cb });
    } else {
      p.a.ike.rekey({ uid: p.a.ike.listIkeSas()[0]!.uid });
      p.b.ike.rekey({ uid: p.b.ike.listIkeSas()[0]!.uid });
    }
    p.clock.advance(200);
    const label = `${kind} seed ${seed}\n${dump(p.a)}\n${dump(p.b)}`;
    assertEquals(states(p.a), ["established"], label);
    assertEquals(states(p.b), ["established"], label);
    assertEquals(p.a.ike.counts().childSas, 1, label);
    assertEquals(p.b.ike.counts().childSas, 1, label);
    assert(mirrored(p.a, p.b), label);
    if (kind === "ike") {
      assertEquals(p.a.ike.listIkeSas()[0]!.spiI, p.b.ike.listIkeSas()[0]!.spiI, label);
      assertEquals(p.a.ike.listIkeSas()[0]!.childSas, 1, label);
    }
    const lost = p.a.logs.recent().find((r) => r.message.includes("collision"))?.message;
    outcomes.push(lost?.includes("we lost") ? "a" : lost?.includes("peer lost") ? "b" : "none");
  }
  return outcomes;
}

Deno.test("ike rekey: simultaneous CHILD SA rekeys end with one SA, for both nonce orders", () => {
  const o = collide("child", [1, 2, 3, 4, 5, 6]);
  assert(o.includes("a") && o.includes("b"), `both nonce orders seen: ${o}`);
});

Deno.test("ike rekey: simultaneous IKE SA rekeys end with one IKE SA, for both nonce orders", () => {
  const o = collide("ike", [1, 2, 3, 4, 5, 6]);
  assert(o.includes("a") && o.includes("b"), `both nonce orders seen: ${o}`);
});

Deno.test("ike rekey: a CHILD rekey during an IKE rekey gets TEMPORARY_FAILURE and succeeds later", () => {
  const p = establishedPair();
  const c = parseInt(childSpis(p.b)[0]!, 16);
  p.a.ike.rekey({ uid: p.a.ike.listIkeSas()[0]!.uid });
  p.b.ike.rekey({ childSpi: c });
  p.clock.advance(20_000);
  assertEquals(states(p.a), ["established"]);
  assertEquals(p.a.ike.counts().childSas, 1);
  assert(mirrored(p.a, p.b), dump(p.a) + dump(p.b));
  assertNotEquals(childSpis(p.b), [c.toString(16).padStart(8, "0")]);
});

Deno.test("ike rekey: rekey and delete of the same CHILD SA at once end consistent", () => {
  const p = establishedPair();
  const ca = parseInt(childSpis(p.a)[0]!, 16);
  const cb = parseInt(childSpis(p.b)[0]!, 16);
  p.a.ike.rekey({ childSpi: ca });
  p.b.ike.terminateChild(cb);
  p.clock.advance(20_000);
  assertEquals(states(p.a), ["established"]);
  assertEquals(p.a.ike.counts().childSas, p.b.ike.counts().childSas, dump(p.a) + dump(p.b));
  assertEquals(p.a.dataplane.sas.size, p.b.dataplane.sas.size);
  if (p.a.dataplane.sas.size > 0) assert(mirrored(p.a, p.b));
  assert(!p.a.dataplane.sas.has(`esp-${ca.toString(16).padStart(8, "0")}`), "the old SA is gone");
});

Deno.test("ike rekey: rekey-time 0 never rekeys nor expires", () => {
  const never = ikePolicy({ rekeyTime: 0 });
  const p = establishedPair({
    a: { ike: never, children: [child("10.1.0.0/24", "10.2.0.0/24", { rekeyTime: 0 })] },
    b: { ike: never, children: [child("10.2.0.0/24", "10.1.0.0/24", { rekeyTime: 0 })] },
  });
  const before = [p.a.ike.listIkeSas()[0]!.spiI, childSpis(p.a)];
  p.clock.advance(48 * 3600_000);
  assertEquals([p.a.ike.listIkeSas()[0]!.spiI, childSpis(p.a)], before);
  assertEquals(p.a.ike.listIkeSas()[0]!.rekeyAt, undefined);
});
