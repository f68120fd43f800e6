/**
 * Appliers: what turns a committed configuration into system state. Each
 * subsystem registers one per subtree it owns, with a path pattern
 * (`vrf * interface physical *`, `vrf * ike`, `system hostname`; `*` stands
 * for any list key). A commit hands every applier the changed instances of
 * its pattern, each with the old and new typed subtree.
 *
 * Order: removals first, appliers in reverse order (a VPN goes before the
 * interface it uses), then creations and modifications in order (the
 * interface before the VPN). If an applier fails, the changes already
 * applied are reverted in reverse order (`revert`, or `apply` with old and
 * new swapped) and the commit fails with the path and the reason; running
 * state is then as it was.
 *
 * @module
 */
import type { Logger } from "../core/log.ts";
import type { InnerNode, Scalar, SchemaNode } from "./schema.ts";
import {
  formatPath,
  type InstancePath,
  type PathStep,
  treeEqual,
  type TreeObject,
  type TreeValue,
} from "./tree.ts";

/** One changed instance of an applier's pattern. */
export interface Change<T = TreeValue> {
  /** The instance path, e.g. `vrf main interface physical eth1`. */
  readonly path: InstancePath;
  readonly pathText: string;
  /** The keys the pattern's `*` matched, in order. */
  readonly keys: readonly Scalar[];
  /** The typed subtree before the commit (undefined: created). */
  readonly old: T | undefined;
  /** The typed subtree after the commit (undefined: removed). */
  readonly new: T | undefined;
}

/** What an applier sees besides its change: the whole typed trees. */
export interface ApplyContext<C = TreeObject> {
  readonly oldConfig: C;
  readonly newConfig: C;
  readonly log: Logger;
}

export interface Applier<T = TreeValue, C = TreeObject> {
  apply(change: Change<T>, ctx: ApplyContext<C>): void | Promise<void>;
  /** Undoes an applied change; without it, `apply` runs with old and new swapped. */
  revert?(change: Change<T>, ctx: ApplyContext<C>): void | Promise<void>;
}

/** An applier failed; what was applied before it has been reverted. */
export class ApplyError extends Error {
  override name = "ApplyError";
}

interface Registered {
  readonly name: string;
  readonly order: number;
  readonly seq: number;
  readonly pattern: readonly string[];
  readonly applier: Applier<never, never>;
}

interface Planned {
  readonly reg: Registered;
  readonly change: Change;
}

/** Checks a pattern against the schema; returns its words. */
function compilePattern(root: InnerNode, pattern: string): string[] {
  const words = pattern.trim().split(/\s+/).filter((w) => w !== "");
  let node: SchemaNode = root;
  let wantKey = false;
  for (const w of words) {
    if (wantKey) {
      wantKey = false;
      if (w !== "*" && node.kind === "list" && !node.keyType.parse(w).ok) {
        throw new Error(
          `Cannot register applier "${pattern}": "${w}" is not a key of ${node.keyName}`,
        );
      }
      continue;
    }
    if (node.kind !== "container" && node.kind !== "list") {
      throw new Error(`Cannot register applier "${pattern}": nothing below a leaf`);
    }
    const child: SchemaNode | undefined = node.children[w];
    if (!child) throw new Error(`Cannot register applier "${pattern}": no node "${w}"`);
    node = child;
    wantKey = child.kind === "list";
  }
  if (words.length === 0) throw new Error(`Cannot register applier: empty pattern`);
  return words;
}

function isObj(v: TreeValue | undefined): v is TreeObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Every instance of `pattern` in a typed tree: path, keys and value. */
function instances(
  root: InnerNode,
  tree: TreeObject,
  pattern: readonly string[],
): Map<string, { path: PathStep[]; keys: Scalar[]; value: TreeValue }> {
  const out = new Map<string, { path: PathStep[]; keys: Scalar[]; value: TreeValue }>();
  const go = (
    node: SchemaNode,
    v: TreeValue | undefined,
    i: number,
    path: PathStep[],
    keys: Scalar[],
  ) => {
    if (v === undefined) return;
    if (i === pattern.length) {
      out.set(JSON.stringify(path), { path, keys, value: v });
      return;
    }
    const w = pattern[i]!;
    if (node.kind !== "container" && node.kind !== "list") return;
    if (!isObj(v)) return;
    const child = node.children[w]!;
    const cv = v[w];
    if (child.kind !== "list" || i + 1 === pattern.length) {
      return go(child, cv, i + 1, [...path, { name: w }], keys);
    }
    const keyWord = pattern[i + 1]!;
    if (!Array.isArray(cv)) return;
    for (const e of cv) {
      if (!isObj(e)) continue;
      const key = e[child.keyName] as Scalar;
      if (keyWord !== "*" && child.keyType.format(key as never) !== keyWord) continue;
      go(child, e, i + 2, [...path, { name: w, key }], keyWord === "*" ? [...keys, key] : keys);
    }
  };
  go(root, tree, 0, [], []);
  return out;
}

/** The appliers of one datastore, and the ordered apply of a commit. */
export class ApplierRegistry {
  #regs: Registered[] = [];
  #seq = 0;

  constructor(readonly root: InnerNode) {}

  /**
   * Registers an applier for a pattern; `order` sorts appliers (lower
   * first for creations, last for removals; ties keep registration order).
   * Returns the function that unregisters it.
   */
  register<T = TreeValue, C = TreeObject>(
    pattern: string,
    applier: Applier<T, C>,
    opts: { name?: string; order?: number } = {},
  ): () => void {
    const reg: Registered = {
      name: opts.name ?? pattern,
      order: opts.order ?? 0,
      seq: this.#seq++,
      pattern: compilePattern(this.root, pattern),
      applier: applier as unknown as Applier<never, never>,
    };
    this.#regs.push(reg);
    this.#regs.sort((a, b) => a.order - b.order || a.seq - b.seq);
    return () => {
      this.#regs = this.#regs.filter((r) => r !== reg);
    };
  }

  /** The changes a commit from `oldTyped` to `newTyped` hands out, in execution order. */
  plan(oldTyped: TreeObject, newTyped: TreeObject): Planned[] {
    const removals: Planned[] = [];
    const updates: Planned[] = [];
    for (const reg of this.#regs) {
      const before = instances(this.root, oldTyped, reg.pattern);
      const after = instances(this.root, newTyped, reg.pattern);
      const keys = new Set([...before.keys(), ...after.keys()]);
      const mine: Planned[] = [];
      for (const k of keys) {
        const b = before.get(k);
        const a = after.get(k);
        if (treeEqual(b?.value, a?.value)) continue;
        const at = (a ?? b)!;
        mine.push({
          reg,
          change: {
            path: at.path,
            pathText: formatPath(this.root, at.path),
            keys: at.keys,
            old: b?.value,
            new: a?.value,
          },
        });
      }
      removals.push(...mine.filter((p) => p.change.new === undefined));
      updates.push(...mine.filter((p) => p.change.new !== undefined));
    }
    return [...removals.reverse(), ...updates];
  }

  /** Applies a commit; on failure reverts and throws {@linkcode ApplyError}. */
  async apply(oldTyped: TreeObject, newTyped: TreeObject, log: Logger): Promise<number> {
    const plan = this.plan(oldTyped, newTyped);
    const ctx: ApplyContext = { oldConfig: oldTyped, newConfig: newTyped, log };
    const done: Planned[] = [];
    for (const p of plan) {
      try {
        log.detail(`apply ${p.reg.name}: ${p.change.pathText}`);
        await p.reg.applier.apply(p.change as never, ctx as never);
        done.push(p);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        log.error(`applier ${p.reg.name} failed on ${p.change.pathText}: ${reason}`);
        const undoFailures = await this.#revert(done, ctx, log);
        const extra = undoFailures.length
          ? ` (and reverting failed on ${undoFailures.join(", ")})`
          : "";
        throw new ApplyError(`Cannot commit "${p.change.pathText}": ${reason}${extra}`);
      }
    }
    return plan.length;
  }

  async #revert(done: Planned[], ctx: ApplyContext, log: Logger): Promise<string[]> {
    const failures: string[] = [];
    const back: ApplyContext = { oldConfig: ctx.newConfig, newConfig: ctx.oldConfig, log };
    for (const p of [...done].reverse()) {
      const a = p.reg.applier as unknown as Applier;
      try {
        if (a.revert) await a.revert(p.change, ctx);
        else await a.apply({ ...p.change, old: p.change.new, new: p.change.old }, back);
      } catch (e) {
        log.error(`reverting ${p.reg.name} on ${p.change.pathText} failed: ${String(e)}`);
        failures.push(p.change.pathText);
      }
    }
    return failures;
  }
}
