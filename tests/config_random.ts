/**
 * Random configuration trees and edits for property tests, driven by the
 * schema: every value is produced as text and accepted only if its leaf
 * type parses it, so the trees are valid for the types (not necessarily for
 * the commit-time cross-checks). Seeded (`core/rng.ts`).
 *
 * @module
 */
import { randomBelow, type Rng } from "../core/rng.ts";
import type { Children, InnerNode, Scalar, SchemaNode, ValueType } from "../config/schema.ts";
import {
  normalize,
  type PathStep,
  schemaAt,
  type TreeObject,
  type TreeValue,
} from "../config/tree.ts";
import { ROOT as ROOT_OF_WORDS } from "../config/root_schema.ts";

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[randomBelow(rng, xs.length)]!;
const chance = (rng: Rng, p: number) => randomBelow(rng, 1000) < p * 1000;
const int = (rng: Rng, lo: number, hi: number) =>
  lo + randomBelow(rng, Math.min(2 ** 32, hi - lo + 1));

function v4(rng: Rng): string {
  return [int(rng, 1, 223), int(rng, 0, 255), int(rng, 0, 255), int(rng, 0, 255)].join(".");
}
function v6(rng: Rng): string {
  return `2001:db8:${int(rng, 0, 0xffff).toString(16)}::${int(rng, 1, 0xffff).toString(16)}`;
}
function maskV4(ip: string, len: number): string {
  const n = ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);
  const masked = len === 0 ? 0 : Math.floor(n / 2 ** (32 - len)) * 2 ** (32 - len);
  return [24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join(".");
}
function label(rng: Rng, n = 8): string {
  const a = "abcdefghijklmnopqrstuvwxyz";
  const b = a + "0123456789-";
  let s = pick(rng, [...a]);
  for (let i = int(rng, 0, n); i > 0; i--) s += pick(rng, [...b]);
  return s.replace(/-+$/, "") || "x";
}

/** Candidate texts for a type, by its syntax; the type's parser decides. */
function candidateText(type: ValueType<Scalar>, rng: Rng): string {
  if (type.values && (chance(rng, 0.8) || type.syntax.startsWith("<true"))) {
    return pick(rng, type.values);
  }
  const range = /^<(\d+)-(\d+)>$/.exec(type.syntax);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    return String(
      chance(rng, 0.5) ? lo + 10 * int(rng, 0, Math.floor((hi - lo) / 10)) : int(rng, lo, hi),
    );
  }
  const s = type.syntax;
  if (s.startsWith("<duration")) return `${int(rng, 0, 600)}${pick(rng, ["s", "m", "h", "ms"])}`;
  if (s.startsWith("<0sBASE64")) {
    const bytes = Array.from({ length: int(rng, 1, 24) }, () => int(rng, 0, 255));
    if (chance(rng, 0.3)) return "0x" + bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
    if (chance(rng, 0.5)) return "0s" + btoa(String.fromCharCode(...bytes));
    return `${label(rng)} ${label(rng)}`;
  }
  if (s === "<A.B.C.D>") {
    return chance(rng, 0.2) ? maskV4("255.255.255.255", int(rng, 0, 32)) : v4(rng);
  }
  if (s === "<X:X::X:X>") return v6(rng);
  if (s.startsWith("<A.B.C.D|")) return chance(rng, 0.7) ? v4(rng) : v6(rng);
  if (s.endsWith("/M>")) {
    const six = s.startsWith("<X") || (!s.startsWith("<A") && chance(rng, 0.3));
    if (six) {
      return `2001:db8:${int(rng, 0, 0xffff).toString(16)}::${chance(rng, 0.5) ? "" : "1"}/${
        int(rng, 48, 128)
      }`;
    }
    const len = int(rng, 8, 32);
    return `${chance(rng, 0.5) ? maskV4(v4(rng), len) : v4(rng)}/${len}`;
  }
  if (s === "<id>") return chance(rng, 0.5) ? `${label(rng)}@${label(rng)}` : v4(rng);
  if (s.startsWith("<0-255")) return String(int(rng, 0, 255));
  if (s === "<ifname>") return `if${int(rng, 0, 99)}`;
  return label(rng);
}

/** A value its type accepts (tries candidates until one parses). */
export function randomValue(type: ValueType<Scalar>, rng: Rng): Scalar {
  for (let i = 0; i < 50; i++) {
    const p = type.parse(candidateText(type, rng));
    if (p.ok) return p.value;
  }
  throw new Error(`Cannot generate a value for ${type.syntax}`);
}

function randomChildren(children: Children, rng: Rng, depth: number): TreeObject {
  const out: TreeObject = {};
  for (const [name, child] of Object.entries(children)) {
    const v = randomNode(child, rng, depth);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function randomNode(node: SchemaNode, rng: Rng, depth: number): TreeValue | undefined {
  switch (node.kind) {
    case "leaf":
      return chance(rng, 0.5) ? randomValue(node.type, rng) : undefined;
    case "leaf-list": {
      const n = chance(rng, 0.5) ? int(rng, 1, 3) : 0;
      return n ? Array.from({ length: n }, () => randomValue(node.type, rng)) : undefined;
    }
    case "container":
      if (node.presence && !chance(rng, 0.5)) return undefined;
      return randomChildren(node.children, rng, depth + 1);
    case "list": {
      const n = depth > 6 ? 0 : int(rng, 0, depth < 2 ? 2 : 1);
      const keys = new Set<string>();
      const entries: TreeObject[] = [];
      for (let i = 0; i < n; i++) {
        const key = randomValue(node.keyType, rng);
        if (keys.has(String(key))) continue;
        keys.add(String(key));
        entries.push({ [node.keyName]: key, ...randomChildren(node.children, rng, depth + 1) });
      }
      return entries.length ? entries : undefined;
    }
  }
}

/** A random normalized tree, valid for the leaf types. */
export function randomTree(root: InnerNode, rng: Rng): TreeObject {
  return normalize(root, randomChildren(root.children, rng, 0));
}

/** Every leaf path of a tree, as CLI words from the top (for random edits). */
export function leafLines(root: InnerNode, tree: TreeObject): string[][] {
  const out: string[][] = [];
  const go = (node: InnerNode, obj: TreeObject, words: string[]) => {
    for (const [name, child] of Object.entries(node.children)) {
      const v = obj[name];
      if (v === undefined) continue;
      if (child.kind === "leaf") out.push([...words, name]);
      else if (child.kind === "leaf-list") out.push([...words, name]);
      else if (child.kind === "container") go(child, v as TreeObject, [...words, name]);
      else {
        for (const e of v as TreeObject[]) {
          go(child, e, [...words, name, child.keyType.format(e[child.keyName] as never)]);
        }
      }
    }
  };
  go(root, tree, []);
  return out;
}

/** The instance path of a leaf's words (list keys parsed by their types). */
export function resolveSteps(words: readonly string[]): PathStep[] {
  const out: PathStep[] = [];
  for (let i = 0; i < words.length; i++) {
    const node = schemaAt(ROOT_OF_WORDS, [...out, { name: words[i]! }]);
    if (node?.kind === "list" && i + 1 < words.length) {
      const p = node.keyType.parse(words[i + 1]!);
      out.push({ name: words[i]!, ...(p.ok ? { key: p.value } : {}) });
      i++;
    } else {
      out.push({ name: words[i]! });
    }
  }
  return out;
}

/** Every leaf and leaf-list node of a schema (shared nodes once). */
export function allLeaves(root: InnerNode): SchemaNode[] {
  const out = new Set<SchemaNode>();
  const go = (n: SchemaNode) => {
    if (n.kind === "leaf" || n.kind === "leaf-list") out.add(n);
    else for (const c of Object.values(n.children)) go(c);
  };
  go(root);
  return [...out];
}

export { chance, pick };
