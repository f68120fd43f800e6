import { assertEquals, assertThrows } from "../tests/assert.ts";
import { packet } from "../tests/esp_packets.ts";
import { Flow, parseFlow } from "./flow.ts";
import {
  formatSelector,
  makeSelector,
  rangeSpecificity,
  reverseSelector,
  SelectorError,
  selectorMatches,
} from "./selector.ts";
import { type PolicySpec, Spd } from "./spd.ts";

function flow(spec: Parameters<typeof packet>[0]): Flow {
  const f = new Flow();
  const p = packet(spec);
  if (!parseFlow(p, p.length, f)) throw new Error("bad test packet");
  return f;
}

const protect = (reqid: number) => ({ kind: "protect", reqid }) as const;

Deno.test("selector: parsing, matching, formatting", () => {
  const s = makeSelector({
    src: "10.0.0.0/24",
    dst: "10.1.0.5-10.1.0.9",
    protocol: 6,
    dstPorts: [80, 443],
  });
  assertEquals(
    formatSelector(s),
    "10.0.0.0/24 -> 10.1.0.5-10.1.0.9 proto 6 ports 0-65535 -> 80-443",
  );
  const hit = flow({ src: "10.0.0.7", dst: "10.1.0.9", protocol: 6, dstPort: 443 });
  assertEquals(selectorMatches(s, hit), true);
  for (
    const [why, f] of [
      ["dst above range", flow({ src: "10.0.0.7", dst: "10.1.0.10", protocol: 6, dstPort: 443 })],
      ["src outside", flow({ src: "10.0.1.7", dst: "10.1.0.9", protocol: 6, dstPort: 443 })],
      ["port outside", flow({ src: "10.0.0.7", dst: "10.1.0.9", protocol: 6, dstPort: 444 })],
      ["protocol", flow({ src: "10.0.0.7", dst: "10.1.0.9", protocol: 17, dstPort: 443 })],
      ["family", flow({ src: "::1", dst: "::2", protocol: 6, dstPort: 443 })],
    ] as const
  ) assertEquals(selectorMatches(s, f), false, why);
  const any = makeSelector({ src: "0.0.0.0/0", dst: "0.0.0.0/0" });
  assertEquals(formatSelector(any), "0.0.0.0/0 -> 0.0.0.0/0");
  const opaque = flow({ src: "1.1.1.1", dst: "2.2.2.2", protocol: 17, fragOffset: 10 });
  assertEquals(selectorMatches(any, opaque), true, "opaque ports match ANY");
  assertEquals(
    selectorMatches(
      makeSelector({ src: "0.0.0.0/0", dst: "0.0.0.0/0", dstPorts: [0, 1000] }),
      opaque,
    ),
    false,
  );
  const host6 = makeSelector({ src: "2001:db8::/32", dst: "2001:db8:1::1" });
  assertEquals(formatSelector(host6), "2001:db8::/32 -> 2001:db8:1::1");
  assertEquals(formatSelector(reverseSelector(host6)), "2001:db8:1::1 -> 2001:db8::/32");
  assertEquals(rangeSpecificity(4, s.dstLo, s.dstHi) < 30, true);
  assertEquals(rangeSpecificity(6, host6.srcLo, host6.srcHi), 32);
  assertThrows(
    () => makeSelector({ src: "10.0.0.1/24", dst: "0.0.0.0/0" }),
    SelectorError,
    "host bits",
  );
  assertThrows(() => makeSelector({ src: "10.0.0.0/8", dst: "::/0" }), SelectorError, "mixes");
  assertThrows(
    () => makeSelector({ src: "10.0.0.9-10.0.0.1", dst: "0.0.0.0/0" }),
    SelectorError,
    "starts after",
  );
  assertThrows(
    () => makeSelector({ src: "10.0.0.0/8", dst: "0.0.0.0/0", dstPorts: [5, 1] }),
    SelectorError,
    "ports 5-1",
  );
  assertThrows(
    () => makeSelector({ src: "10.0.0.0/8", dst: "0.0.0.0/0", protocol: 256 }),
    SelectorError,
    "protocol 256",
  );
});

Deno.test("spd: most specific policy wins (specificity table)", () => {
  // Each case: policies in insertion order (the expected winner is never simply the first), a packet, the winner's name.
  const cases: {
    name: string;
    policies: [string, PolicySpec["selector"]][];
    pkt: Parameters<typeof packet>[0];
    want: string;
  }[] = [
    {
      name: "longer destination prefix",
      policies: [["wide", { src: "0.0.0.0/0", dst: "10.1.0.0/16" }], ["narrow", {
        src: "0.0.0.0/0",
        dst: "10.1.2.0/24",
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 6 },
      want: "narrow",
    },
    {
      name: "destination before source",
      policies: [["src32", { src: "10.0.0.1/32", dst: "10.1.0.0/16" }], ["dst24", {
        src: "0.0.0.0/0",
        dst: "10.1.2.0/24",
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 6 },
      want: "dst24",
    },
    {
      name: "then longer source prefix",
      policies: [["any", { src: "0.0.0.0/0", dst: "10.1.2.0/24" }], ["src", {
        src: "10.0.0.0/8",
        dst: "10.1.2.0/24",
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 6 },
      want: "src",
    },
    {
      name: "then a specific protocol",
      policies: [["anyproto", { src: "10.0.0.0/8", dst: "10.1.2.0/24" }], ["tcp", {
        src: "10.0.0.0/8",
        dst: "10.1.2.0/24",
        protocol: 6,
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 6 },
      want: "tcp",
    },
    {
      name: "then a narrower destination port range",
      policies: [["web", {
        src: "10.0.0.0/8",
        dst: "10.1.2.0/24",
        protocol: 6,
        dstPorts: [1, 1024],
      }], ["https", {
        src: "10.0.0.0/8",
        dst: "10.1.2.0/24",
        protocol: 6,
        dstPorts: 443,
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 6, dstPort: 443 },
      want: "https",
    },
    {
      name: "then a narrower source port range",
      policies: [["any", { src: "10.0.0.0/8", dst: "10.1.2.0/24", protocol: 17 }], ["sp", {
        src: "10.0.0.0/8",
        dst: "10.1.2.0/24",
        protocol: 17,
        srcPorts: 500,
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 17, srcPort: 500 },
      want: "sp",
    },
    {
      name: "identical selectors: the older one",
      policies: [["first", { src: "10.0.0.0/8", dst: "10.1.2.0/24" }], ["second", {
        src: "10.0.0.0/8",
        dst: "10.1.2.0/24",
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 6 },
      want: "first",
    },
    {
      name: "a 4-address range (30 bits) beats a /29",
      policies: [["p29", { src: "0.0.0.0/0", dst: "10.1.2.0/29" }], ["range", {
        src: "0.0.0.0/0",
        dst: "10.1.2.1-10.1.2.4",
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 6 },
      want: "range",
    },
    {
      name: "a non-matching more specific policy is skipped",
      policies: [["udp", { src: "0.0.0.0/0", dst: "10.1.2.3/32", protocol: 17 }], ["net", {
        src: "0.0.0.0/0",
        dst: "10.1.2.0/24",
      }]],
      pkt: { src: "10.0.0.1", dst: "10.1.2.3", protocol: 6 },
      want: "net",
    },
    {
      name: "IPv6 longer prefix",
      policies: [["p48", { src: "::/0", dst: "2001:db8:1::/48" }], ["p64", {
        src: "::/0",
        dst: "2001:db8:1:2::/64",
      }]],
      pkt: { src: "2001:db8::1", dst: "2001:db8:1:2::9", protocol: 6 },
      want: "p64",
    },
  ];
  for (const c of cases) {
    for (const order of [c.policies, [...c.policies].reverse()]) {
      const spd = new Spd();
      for (const [name, selector] of order) spd.add({ name, selector, action: protect(1) });
      const f = flow(c.pkt);
      if (c.name.startsWith("identical") && order !== c.policies) continue;
      assertEquals(spd.lookup(f)?.name, c.want, c.name);
      assertEquals(spd.lookupLinear(f)?.name, c.want, `${c.name} (linear)`);
    }
  }
});

Deno.test("spd: actions, no match, removal invalidates the cache", () => {
  const spd = new Spd({ cacheSize: 16 });
  const net = spd.add({
    name: "net",
    selector: { src: "10.0.0.0/24", dst: "10.1.0.0/24" },
    action: protect(7),
  });
  const drop = spd.add({
    name: "drop",
    selector: { src: "10.0.0.0/24", dst: "10.1.0.66/32" },
    action: { kind: "discard" },
  });
  const f = flow({ src: "10.0.0.1", dst: "10.1.0.66", protocol: 17 });
  assertEquals(spd.lookup(f)?.action, { kind: "discard" });
  assertEquals(spd.lookup(f)?.name, "drop");
  assertEquals(spd.cacheHits, 1);
  spd.remove(drop);
  assertEquals(spd.lookup(f)?.action, { kind: "protect", reqid: 7 });
  assertEquals(spd.lookup(flow({ src: "10.9.0.1", dst: "10.1.0.66", protocol: 17 })), undefined);
  assertEquals(spd.remove(drop), false);
  spd.remove(net.id);
  assertEquals(spd.lookup(f), undefined);
  assertEquals(spd.size, 0);
  assertThrows(
    () => spd.add({ selector: { src: "0.0.0.0/0", dst: "0.0.0.0/0" }, action: protect(0) }),
    RangeError,
    "reqid 0",
  );
  assertThrows(() => new Spd({ cacheSize: 1000 }), RangeError, "power of two");
});

Deno.test("spd: describe lists policies in match order with hits", () => {
  const spd = new Spd();
  spd.add({
    name: "b",
    selector: { src: "0.0.0.0/0", dst: "10.0.0.0/8" },
    action: { kind: "bypass" },
  });
  spd.add({ name: "a", selector: { src: "0.0.0.0/0", dst: "10.1.0.0/16" }, action: protect(3) });
  spd.lookup(flow({ src: "1.1.1.1", dst: "10.1.1.1", protocol: 6 }));
  assertEquals(spd.describe(), [
    "0 a: 0.0.0.0/0 -> 10.1.0.0/16 protect reqid 3 (1 hits)",
    "1 b: 0.0.0.0/0 -> 10.0.0.0/8 bypass (0 hits)",
  ]);
});

Deno.test("spd: indexed lookup equals the linear scan on random policy sets", () => {
  let x = 99;
  const rnd = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n);
  const v4 = () => `10.${rnd(4)}.${rnd(8)}.${rnd(256)}`;
  const v6 = () => `2001:db8:${rnd(4).toString(16)}::${rnd(512).toString(16)}`;
  for (const family of [4, 6] as const) {
    const spd = new Spd({ cacheSize: 64 });
    const max = family === 4 ? 32 : 128;
    const addr = family === 4 ? v4 : v6;
    const sel = () => {
      const mk = () => {
        const r = rnd(10);
        if (r === 0) return family === 4 ? "0.0.0.0/0" : "::/0";
        if (r === 1) {
          // A range that is not a prefix.
          const lo = rnd(200);
          const hi = lo + 3 + rnd(50);
          const net = `10.${rnd(4)}.${rnd(8)}`;
          return family === 4
            ? `${net}.${lo}-${net}.${hi}`
            : `2001:db8:1::${lo.toString(16)}-2001:db8:1::${hi.toString(16)}`;
        }
        const len = family === 4 ? [8, 16, 24, 28, 32][rnd(5)]! : [16, 32, 48, 120, 128][rnd(5)]!;
        return maskText(addr(), len, max);
      };
      return {
        src: mk(),
        dst: mk(),
        protocol: [0, 0, 6, 17][rnd(4)]!,
        ...(rnd(3) === 0 ? { dstPorts: [rnd(1000), 1000 + rnd(1000)] as const } : {}),
      };
    };
    for (let i = 0; i < 600; i++) {
      spd.add({ selector: sel(), action: protect(i + 1) });
    }
    // A big bucket (same destination, many sources) exercises the source sub-index.
    const bigDst = family === 4 ? "10.3.3.0/24" : "2001:db8:3:1::/64";
    for (let i = 0; i < 100; i++) {
      spd.add({
        selector: { src: maskText(addr(), family === 4 ? 24 : 112, max), dst: bigDst },
        action: protect(1000 + i),
      });
    }
    const winners = new Set<number>();
    let big = 0;
    for (let i = 0; i < 3000; i++) {
      const f = flow({
        src: addr(),
        dst: rnd(5) === 0
          ? (family === 4 ? `10.3.3.${rnd(256)}` : `2001:db8:3:1::${rnd(99)}`)
          : addr(),
        protocol: [6, 17, 1][rnd(3)]!,
        srcPort: rnd(2000),
        dstPort: rnd(2000),
      });
      assertEquals(spd.lookup(f)?.id, spd.lookupLinear(f)?.id, `family ${family} packet ${i}`);
      if (spd.lookupLinear(f) !== undefined) winners.add(spd.lookupLinear(f)!.id);
      if ((spd.lookupLinear(f)?.action as { reqid: number } | undefined)?.reqid! >= 1000) big++;
      assertEquals(
        spd.lookup(f)?.id,
        spd.lookupLinear(f)?.id,
        `family ${family} packet ${i} (cached)`,
      );
    }
    assertEquals(spd.cacheHits > 0, true);
    // The packets pick many different winners, some in the big (sub-indexed) bucket.
    assertEquals(winners.size > 50, true, `${winners.size} winners`);
    assertEquals(big > 20, true, `${big} in the big bucket`);
  }
});

/** `addr/len` with the host bits cleared. */
function maskText(addr: string, len: number, max: number): string {
  const f = new Flow();
  const p = packet({ src: addr, dst: addr, protocol: 6 });
  parseFlow(p, p.length, f);
  const words = [...f.src].slice(0, max / 32);
  const masked = words.map((w, i) => {
    const bits = Math.max(0, Math.min(32, len - 32 * i));
    return bits === 0 ? 0 : bits === 32 ? w : (w & (0xffffffff << (32 - bits))) >>> 0;
  });
  if (max === 32) {
    const w = masked[0]!;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}/${len}`;
  }
  const groups: string[] = [];
  for (const w of masked) groups.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
  return `${groups.join(":")}/${len}`;
}
