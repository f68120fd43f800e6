/**
 * SPD lookups per CPU-second with 10 000 policies: flow-cache hits, index lookups
 * (cache misses) and the linear scan they replace, for three policy shapes.
 *
 *   deno run -A bench/esp_spd.ts [policies=10000]
 *
 * @module
 */
import process from "node:process";
import { Flow } from "../esp/flow.ts";
import { Spd } from "../esp/spd.ts";

const N = Number(Deno.args[0] ?? 10000);

function v4(a: number): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Flow fields as plain numbers; the lookup loop copies them into one reused Flow, as the dataplane does. */
interface Tuple {
  src: number;
  dst: number;
  proto: number;
  sp: number;
  dp: number;
}

function flow4(src: number, dst: number, proto: number, sp: number, dp: number): Tuple {
  return { src, dst, proto, sp, dp };
}

const scratch = new Flow();

function load(t: Tuple): Flow {
  const f = scratch;
  f.family = 4;
  f.src[0] = t.src >>> 0;
  f.dst[0] = t.dst >>> 0;
  f.protocol = t.proto;
  f.srcPort = t.sp;
  f.dstPort = t.dp;
  return f;
}

interface Shape {
  name: string;
  build(spd: Spd): void;
  /** A flow that (mostly) hits a policy, from a random number. */
  flow(r: number): Tuple;
}

const shapes: Shape[] = [
  {
    name: "site-to-site: one /24 per remote site, local 10.0.0.0/16",
    build(spd) {
      for (let i = 0; i < N; i++) {
        spd.add({
          selector: { src: "10.0.0.0/16", dst: `${v4(0x0b000000 + i * 256)}/24` },
          action: { kind: "protect", reqid: i + 1 },
        });
      }
    },
    flow: (r) =>
      flow4(
        0x0a000000 + (r & 0xffff),
        0x0b000000 + ((r >>> 4) % N) * 256 + (r & 255),
        6,
        40000,
        443,
      ),
  },
  {
    name: "road warriors: dst 0.0.0.0/0, one /32 source each (source sub-index)",
    build(spd) {
      for (let i = 0; i < N; i++) {
        spd.add({
          selector: { src: v4(0xac100000 + i), dst: "0.0.0.0/0" },
          action: { kind: "protect", reqid: i + 1 },
        });
      }
    },
    flow: (r) => flow4(0xac100000 + ((r >>> 3) % N), 0x08080808 + (r & 7), 17, 5000, 53),
  },
  {
    name: "mixed: /16, /24, /32 destinations, protocol and port policies",
    build(spd) {
      for (let i = 0; i < N; i++) {
        const k = i % 4;
        const dst = k === 0
          ? `${v4(0x0c000000 + i * 65536)}/16`
          : k === 1
          ? `${v4(0x0c000000 + (i - 1) * 65536 + 256 * (i % 200))}/24`
          : `${v4(0x0c000000 + (i - 2) * 65536 + i % 250)}`;
        spd.add({
          selector: k === 3
            ? { src: "10.0.0.0/8", dst, protocol: 6, dstPorts: [1, 1024] }
            : { src: "10.0.0.0/8", dst },
          action: { kind: "protect", reqid: i + 1 },
        });
      }
    },
    flow: (r) =>
      flow4(
        0x0a000000 + (r & 0xffffff),
        0x0c000000 + ((r >>> 2) % N) * 65536 + (r & 0x3ff),
        6,
        40000,
        80 + (r & 1),
      ),
  },
];

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Milliseconds of CPU this process used (user + system): steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Calls per CPU-second. */
function rate(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(n, 2000); i++) fn(i); // warm-up
  const t0 = cpuMs();
  for (let i = 0; i < n; i++) fn(i);
  return n / ((cpuMs() - t0) / 1000);
}

const fmt = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M per CPU-s` : `${(x / 1e3).toFixed(1)} k per CPU-s`;

console.log(`SPD lookups with ${N} policies (one thread; Deno ${Deno.version.deno})`);
for (const shape of shapes) {
  const spd = new Spd();
  const t0 = performance.now();
  shape.build(spd);
  spd.list(); // sort + index build
  const buildMs = performance.now() - t0;
  const r = rng(7);
  // 1000 recurring flows: steady-state traffic, answered by the cache.
  const hot = Array.from({ length: 1000 }, () => shape.flow(r()));
  // 200 000 distinct flows: every lookup misses the 4096-slot cache.
  const cold = Array.from({ length: 200_000 }, () => shape.flow(r()));
  let matched = 0;
  for (const t of hot) if (spd.lookup(load(t))) matched++;
  const h0 = spd.cacheHits;
  const m0 = spd.cacheMisses;
  const hit = rate(2_000_000, (i) => spd.lookup(load(hot[i % hot.length]!)));
  const hotHits = (spd.cacheHits - h0) / (spd.cacheHits - h0 + spd.cacheMisses - m0);
  const miss = rate(cold.length, (i) => spd.lookup(load(cold[i]!)));
  const linear = rate(2000, (i) => spd.lookupLinear(load(cold[i]!)));
  console.log(`\n${shape.name}`);
  console.log(
    `  build (sort + index): ${buildMs.toFixed(0)} ms; ${matched}/1000 sample flows match a policy`,
  );
  console.log(
    `  cache hit:  ${fmt(hit)} (${(hotHits * 100).toFixed(1)} % of the 1000 recurring flows hit)`,
  );
  console.log(`  cache miss: ${fmt(miss)} (index)`);
  console.log(`  linear:     ${fmt(linear)}`);
}
