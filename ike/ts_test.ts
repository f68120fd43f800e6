import { assert, assertEquals } from "../tests/assert.ts";
import { parseIp, parsePrefix } from "../core/ip.ts";
import {
  formatTs,
  intersectTs,
  narrowAsResponder,
  narrowTs,
  pickChildByTs,
  type TrafficSelector,
  transportTsOk,
  tsAny,
  tsFromConfig,
  tsHost,
  tsSubset,
} from "./ts.ts";

/** `10.0.0.0/24`, `10.0.0.1-10.0.0.9`, optionally `…[proto/lo-hi]`. */
function ts(text: string): TrafficSelector {
  const m = /^([^\[]+)(?:\[(\d+)(?:\/(\d+)(?:-(\d+))?)?\])?$/.exec(text)!;
  const addr = m[1]!;
  const protocol = Number(m[2] ?? 0);
  const startPort = m[3] !== undefined ? Number(m[3]) : 0;
  const endPort = m[4] !== undefined ? Number(m[4]) : m[3] !== undefined ? Number(m[3]) : 65535;
  if (addr.includes("/")) {
    const t = tsFromConfig({ prefix: parsePrefix(addr), protocol }, parseIp("0.0.0.0"));
    return { ...t, startPort, endPort };
  }
  const [a, b] = addr.split("-");
  return { protocol, startPort, endPort, start: parseIp(a!), end: parseIp(b ?? a!) };
}
const fmt = (l: TrafficSelector[] | undefined) => l?.map(formatTs);

Deno.test("ts: intersection table", () => {
  const cases: [string, string, string | undefined][] = [
    ["10.0.0.0/16", "10.0.1.0/24", "10.0.1.0/24"],
    ["10.0.0.0/24", "10.0.1.0/24", undefined],
    ["10.0.0.0/24", "10.0.0.128-10.0.1.5", "10.0.0.128/25"],
    ["10.0.0.0/24", "10.0.0.5-10.0.0.9", "10.0.0.5-10.0.0.9"],
    ["10.0.0.0/24[6]", "10.0.0.0/24[17]", undefined],
    ["10.0.0.0/24[6]", "10.0.0.0/16", "10.0.0.0/24[6]"],
    ["10.0.0.0/24[6/80-90]", "10.0.0.0/24[0/85-100]", "10.0.0.0/24[6/85-90]"],
    ["10.0.0.0/24[6/80]", "10.0.0.0/24[6/81]", undefined],
    ["0.0.0.0/0", "::/0", undefined],
    ["2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::/48"],
  ];
  for (const [a, b, want] of cases) {
    const i = intersectTs(ts(a), ts(b));
    assertEquals(i ? formatTs(i) : undefined, want, `${a} ∩ ${b}`);
    const j = intersectTs(ts(b), ts(a));
    assertEquals(j ? formatTs(j) : undefined, want, `${b} ∩ ${a}`);
  }
});

Deno.test("ts: narrowing keeps the proposer's order and drops contained selectors", () => {
  const cases: [string[], string[], string[]][] = [
    [["0.0.0.0/0"], ["10.1.0.0/24", "10.2.0.0/24"], ["10.1.0.0/24", "10.2.0.0/24"]],
    [["10.1.0.5-10.1.0.5", "10.1.0.0/16"], ["10.1.0.0/24"], ["10.1.0.0/24"]],
    [["10.9.0.0/16"], ["10.1.0.0/24"], []],
    [["10.1.0.0/24", "10.1.0.0/24"], ["0.0.0.0/0"], ["10.1.0.0/24"]],
    [["10.1.0.0/24[47]"], ["10.1.0.0/16"], ["10.1.0.0/24[47]"]],
  ];
  for (const [p, c, want] of cases) {
    assertEquals(fmt(narrowTs(p.map(ts), c.map(ts))), want, `${p} vs ${c}`);
  }
});

Deno.test("ts: responder narrowing, TS_UNACCEPTABLE and the packet selector", () => {
  const tsi = ["10.1.0.7", "10.1.0.0/16"].map(ts);
  const tsr = ["10.2.0.9", "10.2.0.0/16"].map(ts);
  const r = narrowAsResponder(tsi, tsr, [ts("10.1.0.0/24")], [ts("10.2.0.0/24")])!;
  assertEquals(fmt(r.tsi), ["10.1.0.0/24"]);
  assertEquals(fmt(r.tsr), ["10.2.0.0/24"]);
  assertEquals(r.coversPacket, true);
  assertEquals(narrowAsResponder(tsi, tsr, [ts("10.1.0.0/24")], [ts("10.3.0.0/24")]), undefined);
  // Two CHILD configs: the one covering the packet wins even when listed second.
  const pick = pickChildByTs(
    [
      { config: "a", remote: [ts("10.1.1.0/24")], local: [ts("10.2.0.0/24")] },
      { config: "b", remote: [ts("10.1.0.0/24")], local: [ts("10.2.0.0/24")] },
    ],
    tsi,
    tsr,
  )!;
  assertEquals(pick.config, "b");
  const none = pickChildByTs([{ config: "a", remote: [ts("10.7.0.0/24")], local: [] }], tsi, tsr);
  assertEquals(none, undefined);
});

Deno.test("ts: the initiator accepts only subsets of what it proposed", () => {
  const proposed = ["10.1.0.0/16", "10.3.0.0/24"].map(ts);
  assert(tsSubset(["10.1.2.0/24", "10.3.0.0/24"].map(ts), proposed));
  assert(!tsSubset(["10.1.0.0/15"].map(ts), proposed));
  assert(!tsSubset([], proposed));
  assert(tsSubset([ts("10.1.0.0/24[6/80]")], proposed));
});

Deno.test("ts: dynamic selectors, any, and transport mode host checks", () => {
  const me = parseIp("192.0.2.1");
  const peer = parseIp("198.51.100.2");
  assertEquals(formatTs(tsFromConfig({ protocol: 47 }, me)), "192.0.2.1/32[47]");
  assertEquals(formatTs(tsAny(4)), "0.0.0.0/0");
  assertEquals(formatTs(tsAny(6)), "::/0");
  assert(transportTsOk([tsHost(me)], [tsHost(peer)], me, peer, false));
  assert(!transportTsOk([tsHost(me)], [tsHost(parseIp("10.0.0.2"))], me, peer, false));
  assert(transportTsOk([tsHost(me)], [tsHost(parseIp("10.0.0.2"))], me, peer, true));
  assert(!transportTsOk([ts("192.0.2.0/24")], [tsHost(peer)], me, peer, false));
});
