/**
 * Commit-time validation. The schema gives two checks for free: mandatory
 * leaves of every existing container or entry, and references (a leaf
 * naming an interface, VRF, template, group or pool must name one that
 * exists, in the scope its {@linkcode RefSpec} says). The subtree files add
 * typed cross-checks ({@linkcode Check}) over the typed configuration.
 *
 * Every problem is reported as `Cannot commit "<path>": <reason>`.
 *
 * @module
 */
import type { InnerNode, RefSpec, Scalar, SchemaNode } from "./schema.ts";
import {
  formatPath,
  type InstancePath,
  type TreeObject,
  type TreeValue,
  withDefaults,
} from "./tree.ts";

/** One validation problem. */
export interface Issue {
  /** The CLI path of the node at fault, e.g. `vrf main ike ha`. */
  readonly path: string;
  readonly reason: string;
}

/** The message of an issue in the project's voice. */
export function issueMessage(i: Issue): string {
  return `Cannot commit "${i.path}": ${i.reason}`;
}

/** Collects issues. */
export class Report {
  readonly issues: Issue[] = [];
  error(path: string, reason: string): void {
    this.issues.push({ path, reason });
  }
}

/** A typed cross-check over the whole configuration (typed with defaults). */
export type Check<C> = (config: C, report: Report) => void;

function isObj(v: TreeValue | undefined): v is TreeObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

interface Scope {
  readonly path: InstancePath;
  readonly value: TreeObject;
}

/**
 * The keys of the entries a reference may name, seen from `scopes`. Entry
 * objects always hold their key as their first field (see `tree.ts`).
 */
function refTargets(
  root: TreeObject,
  spec: RefSpec,
  scopes: ReadonlyMap<string, Scope>,
): Set<Scalar> {
  const anchor = spec.scope === "root" ? root : scopes.get(spec.scope)?.value;
  const out = new Set<Scalar>();
  if (!anchor) return out;
  for (const names of spec.lists) {
    let cur: TreeValue | undefined = anchor;
    for (const n of names.slice(0, -1)) cur = isObj(cur) ? cur[n] : undefined;
    const arr = isObj(cur) ? cur[names[names.length - 1]!] : undefined;
    if (!Array.isArray(arr)) continue;
    for (const e of arr) {
      if (isObj(e)) { for (const v of Object.values(e).slice(0, 1)) out.add(v as Scalar); }
    }
  }
  return out;
}

/** Where a reference looks, for messages: `in vrf main`, or nothing at the root. */
function scopeText(root: InnerNode, spec: RefSpec, scopes: ReadonlyMap<string, Scope>): string {
  const s = spec.scope === "root" ? undefined : scopes.get(spec.scope);
  return s ? ` in ${formatPath(root, s.path)}` : "";
}

/**
 * The schema-driven checks: mandatory leaves and references, over the
 * typed view `typed` of a tree.
 */
export function checkSchema(root: InnerNode, typed: TreeObject, report: Report): void {
  const visit = (
    node: InnerNode,
    obj: TreeObject,
    path: InstancePath,
    scopes: ReadonlyMap<string, Scope>,
  ) => {
    for (const [name, child] of Object.entries(node.children)) {
      const v = obj[name];
      const here = [...path, { name }];
      checkNode(child, name, v, here, path, scopes);
    }
  };
  const checkNode = (
    child: SchemaNode,
    name: string,
    v: TreeValue | undefined,
    here: InstancePath,
    parent: InstancePath,
    scopes: ReadonlyMap<string, Scope>,
  ) => {
    switch (child.kind) {
      case "leaf":
      case "leaf-list": {
        if (child.kind === "leaf" && child.mandatory && v === undefined) {
          report.error(formatPath(root, parent) || "config", `${name} is mandatory`);
        }
        if (!child.ref || v === undefined) return;
        const values = Array.isArray(v) ? v as Scalar[] : [v as Scalar];
        const targets = refTargets(typed, child.ref, scopes);
        for (const x of values) {
          if (!targets.has(x)) {
            report.error(
              formatPath(root, here),
              `no ${child.ref.what} "${String(x)}"${scopeText(root, child.ref, scopes)}`,
            );
          }
        }
        return;
      }
      case "container":
        if (isObj(v)) visit(child, v, here, scopes);
        return;
      case "list":
        if (!Array.isArray(v)) return;
        for (const e of v) {
          if (!isObj(e)) continue;
          const key = e[child.keyName] as Scalar;
          const entryPath = [...here.slice(0, -1), { name, key }];
          const inner = new Map(scopes);
          inner.set(name, { path: entryPath, value: e });
          visit(child, e, entryPath, inner);
        }
        return;
    }
  };
  visit(root, typed, [], new Map());
}

/** Validates a stored tree: schema checks, then each typed check. */
export function validateTree<C>(
  root: InnerNode,
  tree: TreeObject,
  checks: readonly Check<C>[],
): Issue[] {
  const typed = withDefaults(root, tree) as TreeObject;
  const report = new Report();
  checkSchema(root, typed, report);
  for (const check of checks) check(typed as unknown as C, report);
  return report.issues;
}

/**
 * The values a reference leaf at `path` (the path of its parent) may take
 * in `tree`, for completion.
 */
export function refCandidates(tree: TreeObject, spec: RefSpec, path: InstancePath): Scalar[] {
  const scopes = new Map<string, Scope>();
  let cur: TreeValue | undefined = tree;
  const walked: InstancePath[number][] = [];
  for (const step of path) {
    walked.push(step);
    cur = isObj(cur) ? cur[step.name] : undefined;
    if (Array.isArray(cur) && step.key !== undefined) {
      cur = cur.find((e) => isObj(e) && Object.values(e)[0] === step.key);
      if (isObj(cur)) scopes.set(step.name, { path: [...walked], value: cur });
    }
  }
  return [...refTargets(tree, spec, scopes)];
}
