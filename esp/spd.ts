/**
 * The Security Policy Database of one VRF (RFC 4301 §4.4.1): an ordered set
 * of policies, each a traffic selector and an action: protect (with the
 * SAs of a `reqid`, the handle IKE installs its CHILD SAs under), bypass or
 * discard. Outbound packets take the first policy in the order that matches.
 *
 * The order is by specificity, so configuration order never matters:
 * 1. the narrower destination range first (prefix length; a range counts
 *    as `bits - log2(size)`, see {@linkcode rangeSpecificity});
 * 2. then the narrower source range;
 * 3. then a specific IP protocol before "any";
 * 4. then the narrower destination port range, then the narrower source
 *    port range;
 * 5. then the older policy (insertion order).
 * This is the decorrelation RFC 4301 §4.4.1.2 asks for in the common case:
 * of two overlapping policies the more specific one wins.
 *
 * Lookup (no allocation): a two-way set-associative flow cache keyed by family,
 * addresses, protocol and ports in front of an index of destination
 * prefixes (one hash table per prefix length present; ranges are split into
 * prefixes), whose big buckets are indexed again by source prefix. Any
 * change bumps a generation that invalidates the cache and marks the index
 * for a rebuild on the next lookup, so bulk loads cost one sort.
 *
 * @module
 */
import { DEFAULT_SPD_CACHE_SIZE } from "./constants.ts";
import { type Flow, OPAQUE_PORT } from "./flow.ts";
import {
  formatSelector,
  makeSelector,
  rangeSpecificity,
  type Selector,
  selectorMatches,
  type SelectorSpec,
} from "./selector.ts";

export type PolicyAction =
  | { readonly kind: "protect"; readonly reqid: number }
  | { readonly kind: "bypass" }
  | { readonly kind: "discard" };

export interface PolicySpec {
  readonly selector: Selector | SelectorSpec;
  readonly action: PolicyAction;
  /** For `show` and logs. */
  readonly name?: string;
}

export interface Policy {
  readonly id: number;
  readonly name: string;
  readonly selector: Selector;
  readonly action: PolicyAction;
  /** Position in the match order (0 = first); valid after the next lookup or `list()`. */
  rank: number;
  /** Packets that matched this policy. */
  hits: number;
}

/** Buckets larger than this are indexed again by source prefix. */
const SUB_INDEX_THRESHOLD = 32;
/** Cache key words: family|opaque, src×4, dst×4, protocol, ports. */
const KEY_WORDS = 11;

/** The specificity order (module doc): negative when `a` goes first. */
export function comparePolicies(a: Policy, b: Policy): number {
  const sa = a.selector;
  const sb = b.selector;
  const d = rangeSpecificity(sb.family, sb.dstLo, sb.dstHi) -
    rangeSpecificity(sa.family, sa.dstLo, sa.dstHi);
  if (d !== 0) return d;
  const s = rangeSpecificity(sb.family, sb.srcLo, sb.srcHi) -
    rangeSpecificity(sa.family, sa.srcLo, sa.srcHi);
  if (s !== 0) return s;
  if ((sa.protocol === 0) !== (sb.protocol === 0)) return sa.protocol === 0 ? 1 : -1;
  const dp = (sa.dstPortHi - sa.dstPortLo) - (sb.dstPortHi - sb.dstPortLo);
  if (dp !== 0) return dp;
  const sp = (sa.srcPortHi - sa.srcPortLo) - (sb.srcPortHi - sb.srcPortLo);
  if (sp !== 0) return sp;
  return a.id - b.id;
}

/** Splits [lo, hi] (as words) into the prefixes covering it: [network words, length][]. */
function splitRange(family: 4 | 6, lo: Uint32Array, hi: Uint32Array): [Uint32Array, number][] {
  const bits = family === 4 ? 32 : 128;
  const n = bits / 32;
  const big = (w: Uint32Array) => {
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 32n) | BigInt(w[i]!);
    return v;
  };
  const words = (v: bigint) => {
    const w = new Uint32Array(4);
    for (let i = n - 1; i >= 0; i--, v >>= 32n) w[i] = Number(v & 0xffffffffn);
    return w;
  };
  let a = big(lo);
  const b = big(hi);
  const out: [Uint32Array, number][] = [];
  while (a <= b) {
    let k = 0;
    while (k < bits && ((a >> BigInt(k)) & 1n) === 0n && a + (1n << BigInt(k + 1)) - 1n <= b) k++;
    out.push([words(a), bits - k]);
    a += 1n << BigInt(k);
  }
  return out;
}

function maskedWord(w: number, bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return w;
  return (w & (0xffffffff << (32 - bits))) >>> 0;
}

/** Hash of the first `len` bits of an address (exact key for IPv4). */
function prefixKey(a: Uint32Array, family: 4 | 6, len: number): number {
  if (family === 4) return maskedWord(a[0]!, len);
  let h = len;
  for (let i = 0; i < 4; i++) h = Math.imul(h ^ maskedWord(a[i]!, len - 32 * i), 0x9e3779b1) >>> 0;
  return h ^ (h >>> 15);
}

interface Bucket {
  /** By rank. */
  policies: Policy[];
  sub: PrefixIndex | undefined;
}

/** Hash tables of policies by the prefixes of one address field (dst or src). */
class PrefixIndex {
  /** Prefix lengths present, ordered by the best rank they hold. */
  #lengths: number[] = [];
  #minRank: number[] = [];
  #tables = new Map<number, Map<number, Bucket>>();

  constructor(readonly family: 4 | 6, readonly field: "dst" | "src") {}

  /** Adds policies (given in rank order). */
  build(policies: Policy[]): void {
    const minRank = new Map<number, number>();
    for (const p of policies) {
      const s = p.selector;
      const lo = this.field === "dst" ? s.dstLo : s.srcLo;
      const hi = this.field === "dst" ? s.dstHi : s.srcHi;
      for (const [net, len] of splitRange(this.family, lo, hi)) {
        let table = this.#tables.get(len);
        if (!table) this.#tables.set(len, table = new Map());
        const key = prefixKey(net, this.family, len);
        let bucket = table.get(key);
        if (!bucket) table.set(key, bucket = { policies: [], sub: undefined });
        if (bucket.policies.at(-1) !== p) bucket.policies.push(p);
        if (!minRank.has(len)) minRank.set(len, p.rank);
      }
    }
    this.#lengths = [...minRank.keys()].sort((a, b) => minRank.get(a)! - minRank.get(b)!);
    this.#minRank = this.#lengths.map((l) => minRank.get(l)!);
    if (this.field === "dst") {
      for (const table of this.#tables.values()) {
        for (const bucket of table.values()) {
          if (bucket.policies.length > SUB_INDEX_THRESHOLD) {
            bucket.sub = new PrefixIndex(this.family, "src");
            bucket.sub.build(bucket.policies);
          }
        }
      }
    }
  }

  /** The best-ranked policy matching `f` with a rank below `bound`, if any. */
  lookup(f: Flow, bound: Policy | undefined): Policy | undefined {
    let best = bound;
    const addr = this.field === "dst" ? f.dst : f.src;
    for (let i = 0; i < this.#lengths.length; i++) {
      if (best !== undefined && this.#minRank[i]! >= best.rank) break;
      const len = this.#lengths[i]!;
      const bucket = this.#tables.get(len)!.get(prefixKey(addr, this.family, len));
      if (bucket === undefined) continue;
      if (bucket.sub !== undefined) {
        best = bucket.sub.lookup(f, best);
        continue;
      }
      const list = bucket.policies;
      for (let j = 0; j < list.length; j++) {
        const p = list[j]!;
        if (best !== undefined && p.rank >= best.rank) break;
        if (selectorMatches(p.selector, f)) {
          best = p;
          break;
        }
      }
    }
    return best;
  }
}

export class Spd {
  #policies = new Map<number, Policy>();
  #nextId = 1;
  #ordered: Policy[] = [];
  #dirty = false;
  #index4 = new PrefixIndex(4, "dst");
  #index6 = new PrefixIndex(6, "dst");
  /** Bumped on every change; cache entries of older generations are misses. */
  #generation = 1;
  #setMask: number;
  /** Per set: the way (0/1) that was used last. */
  #recent: Uint8Array;
  #cacheKeys: Uint32Array;
  #cacheGen: Uint32Array;
  #cacheVal: (Policy | undefined)[];
  /** Lookups answered by the cache / by the index. */
  cacheHits = 0;
  cacheMisses = 0;

  constructor(opts: { cacheSize?: number } = {}) {
    const size = opts.cacheSize ?? DEFAULT_SPD_CACHE_SIZE;
    if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
      throw new RangeError(`Cannot size the SPD cache to ${size}: need a power of two, at least 2`);
    }
    this.#setMask = size / 2 - 1;
    this.#recent = new Uint8Array(size / 2);
    this.#cacheKeys = new Uint32Array(size * KEY_WORDS);
    this.#cacheGen = new Uint32Array(size);
    this.#cacheVal = new Array<Policy | undefined>(size).fill(undefined);
  }

  get size(): number {
    return this.#policies.size;
  }

  /** Adds a policy; throws `SelectorError` for an invalid selector. */
  add(spec: PolicySpec): Policy {
    const selector = "srcLo" in spec.selector ? spec.selector : makeSelector(spec.selector);
    if (spec.action.kind === "protect") {
      const r = spec.action.reqid;
      if (!Number.isInteger(r) || r < 1 || r > 0xffffffff) {
        throw new RangeError(`Cannot add a policy with reqid ${r}: need 1..4294967295`);
      }
    }
    const id = this.#nextId++;
    const policy: Policy = {
      id,
      name: spec.name ?? `policy-${id}`,
      selector,
      action: spec.action,
      rank: -1,
      hits: 0,
    };
    this.#policies.set(id, policy);
    this.#changed();
    return policy;
  }

  /** Removes a policy; false when it was not there. */
  remove(policy: Policy | number): boolean {
    const id = typeof policy === "number" ? policy : policy.id;
    if (!this.#policies.delete(id)) return false;
    this.#changed();
    return true;
  }

  /** Every policy in match order. */
  list(): readonly Policy[] {
    this.#rebuildIfDirty();
    return this.#ordered;
  }

  /** The policy for an outbound packet (first in match order), or undefined. */
  lookup(f: Flow): Policy | undefined {
    if (this.#dirty) this.#rebuild();
    // Two-way set-associative: the set is slots 2s and 2s+1; a miss evicts
    // the way that did not hit last.
    const set = this.#set(f);
    let slot = -1;
    if (this.#matches(2 * set, f)) slot = 2 * set;
    else if (this.#matches(2 * set + 1, f)) slot = 2 * set + 1;
    let p: Policy | undefined;
    if (slot >= 0) {
      this.cacheHits++;
      this.#recent[set] = slot & 1;
      p = this.#cacheVal[slot];
    } else {
      this.cacheMisses++;
      p = (f.family === 4 ? this.#index4 : this.#index6).lookup(f, undefined);
      slot = 2 * set + (this.#recent[set]! ^ 1);
      this.#recent[set] = slot & 1;
      const keys = this.#cacheKeys;
      const k = slot * KEY_WORDS;
      keys[k] = this.#head(f);
      for (let i = 0; i < 4; i++) {
        keys[k + 1 + i] = f.src[i]!;
        keys[k + 5 + i] = f.dst[i]!;
      }
      keys[k + 9] = f.protocol;
      keys[k + 10] = portsWord(f);
      this.#cacheGen[slot] = this.#generation;
      this.#cacheVal[slot] = p;
    }
    if (p !== undefined) p.hits++;
    return p;
  }

  /** Whether cache slot `slot` holds the flow `f` (current generation). */
  #matches(slot: number, f: Flow): boolean {
    const keys = this.#cacheKeys;
    const k = slot * KEY_WORDS;
    if (
      this.#cacheGen[slot] !== this.#generation || keys[k] !== this.#head(f) ||
      keys[k + 9] !== f.protocol || keys[k + 10] !== portsWord(f)
    ) {
      return false;
    }
    const n = f.family === 4 ? 1 : 4;
    for (let i = 0; i < n; i++) {
      if (keys[k + 1 + i] !== f.src[i] || keys[k + 5 + i] !== f.dst[i]) return false;
    }
    return true;
  }

  /** Reference lookup: a scan in match order (tests and benchmarks compare against it). */
  lookupLinear(f: Flow): Policy | undefined {
    this.#rebuildIfDirty();
    for (const p of this.#ordered) if (selectorMatches(p.selector, f)) return p;
    return undefined;
  }

  /** One line per policy, in match order. */
  describe(): string[] {
    return this.list().map((p) => {
      const a = p.action.kind === "protect" ? `protect reqid ${p.action.reqid}` : p.action.kind;
      return `${p.rank} ${p.name}: ${formatSelector(p.selector)} ${a} (${p.hits} hits)`;
    });
  }

  #head(f: Flow): number {
    return f.family | (f.srcPort === OPAQUE_PORT ? 0x100 : 0);
  }

  #set(f: Flow): number {
    let h = Math.imul(f.family ^ f.protocol, 0x01000193) ^ portsWord(f);
    const n = f.family === 4 ? 1 : 4;
    for (let i = 0; i < n; i++) {
      h = Math.imul(h ^ f.src[i]!, 0x9e3779b1);
      h = Math.imul(h ^ f.dst[i]!, 0x85ebca6b);
    }
    h ^= h >>> 16;
    return h & this.#setMask;
  }

  #changed(): void {
    this.#dirty = true;
    this.#generation = (this.#generation + 1) >>> 0 || 1;
  }

  #rebuildIfDirty(): void {
    if (this.#dirty) this.#rebuild();
  }

  #rebuild(): void {
    const ordered = [...this.#policies.values()].sort(comparePolicies);
    ordered.forEach((p, i) => p.rank = i);
    this.#ordered = ordered;
    this.#index4 = new PrefixIndex(4, "dst");
    this.#index6 = new PrefixIndex(6, "dst");
    this.#index4.build(ordered.filter((p) => p.selector.family === 4));
    this.#index6.build(ordered.filter((p) => p.selector.family === 6));
    this.#dirty = false;
  }
}

function portsWord(f: Flow): number {
  return (((f.srcPort & 0xffff) << 16) | (f.dstPort & 0xffff)) >>> 0;
}
