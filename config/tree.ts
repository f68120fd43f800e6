/**
 * Configuration trees as plain JSON data: a container or list entry is an
 * object, a list an array of entry objects (the key is a field of the
 * entry), a leaf-list an array of values, a leaf a scalar.
 *
 * A stored tree is *normalized*: leaves equal to their default, empty
 * leaf-lists and lists and empty non-presence containers are absent, and
 * object fields follow schema order (an entry's key first). Two normalized trees are
 * equal exactly when their JSON texts are, and `show config` of one loads
 * back to the same tree. {@linkcode withDefaults} gives the typed view.
 *
 * @module
 */
import type { Children, InnerNode, ListNode, Scalar, SchemaNode } from "./schema.ts";

export type TreeValue = Scalar | TreeValue[] | TreeObject;
export interface TreeObject {
  [name: string]: TreeValue;
}

/** One step of an instance path: a child name, with the key for a list entry. */
export interface PathStep {
  readonly name: string;
  readonly key?: Scalar;
}
export type InstancePath = readonly PathStep[];

/** The children a container or a list's entries have. */
export function childrenOf(node: InnerNode): Children {
  return node.children;
}

/** `vrf main ike vpn vpn-secgw`: an instance path as the CLI writes it. */
export function formatPath(root: InnerNode, path: InstancePath): string {
  const parts: string[] = [];
  let node: SchemaNode = root;
  for (const step of path) {
    const child: SchemaNode | undefined = (node as InnerNode).children[step.name];
    parts.push(step.name);
    if (child?.kind === "list" && step.key !== undefined) {
      parts.push(child.keyType.format(step.key));
    }
    if (!child) break;
    node = child;
  }
  return parts.join(" ");
}

/** The schema node an instance path leads to (undefined when it leaves the schema). */
export function schemaAt(root: InnerNode, path: InstancePath): SchemaNode | undefined {
  let node: SchemaNode = root;
  for (const step of path) {
    if (node.kind !== "container" && node.kind !== "list") return undefined;
    const child: SchemaNode | undefined = node.children[step.name];
    if (!child) return undefined;
    node = child;
  }
  return node;
}

function isObject(v: TreeValue | undefined): v is TreeObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The entry of `list` with key `key` in a stored array, if any. */
export function findEntry(
  list: ListNode,
  entries: TreeValue | undefined,
  key: Scalar,
): TreeObject | undefined {
  if (!Array.isArray(entries)) return undefined;
  for (const e of entries) if (isObject(e) && e[list.keyName] === key) return e;
  return undefined;
}

/** The stored value at `path` (a container or entry object, a leaf value, an array). */
export function getAt(
  root: InnerNode,
  tree: TreeObject,
  path: InstancePath,
): TreeValue | undefined {
  let node: SchemaNode = root;
  let cur: TreeValue | undefined = tree;
  for (const step of path) {
    if (!isObject(cur) || (node.kind !== "container" && node.kind !== "list")) return undefined;
    const child: SchemaNode | undefined = node.children[step.name];
    if (!child) return undefined;
    cur = cur[step.name];
    if (child.kind === "list" && step.key !== undefined) cur = findEntry(child, cur, step.key);
    node = child;
  }
  return cur;
}

/** The object of the container or entry at `path`, created (with its ancestors) if missing. */
export function ensureObject(root: InnerNode, tree: TreeObject, path: InstancePath): TreeObject {
  let node: SchemaNode = root;
  let cur: TreeObject = tree;
  for (const step of path) {
    const child: SchemaNode | undefined = (node as InnerNode).children[step.name];
    if (!child || (child.kind !== "container" && child.kind !== "list")) {
      throw new Error(`Cannot create "${step.name}": not a container or list`);
    }
    if (child.kind === "list") {
      if (step.key === undefined) throw new Error(`Cannot create "${step.name}": no key`);
      let arr = cur[step.name];
      if (!Array.isArray(arr)) arr = cur[step.name] = [];
      let entry = findEntry(child, arr, step.key);
      if (!entry) {
        entry = { [child.keyName]: step.key };
        arr.push(entry);
      }
      cur = entry;
    } else {
      let next = cur[step.name];
      if (!isObject(next)) next = cur[step.name] = {};
      cur = next;
    }
    node = child;
  }
  return cur;
}

/**
 * Removes the node at `path`: a leaf, a whole leaf-list (or one `value` of
 * it), a container, a list entry, or a whole list. Returns whether
 * anything was there.
 */
export function deleteAt(
  root: InnerNode,
  tree: TreeObject,
  path: InstancePath,
  value?: Scalar,
): boolean {
  if (path.length === 0) {
    const had = Object.keys(tree).length > 0;
    for (const k of Object.keys(tree)) delete tree[k];
    return had;
  }
  const parent = getAt(root, tree, path.slice(0, -1));
  if (!isObject(parent)) return false;
  const last = path[path.length - 1]!;
  const node = schemaAt(root, path);
  const held = parent[last.name];
  if (held === undefined) return false;
  if (node?.kind === "list" && last.key !== undefined) {
    if (!Array.isArray(held)) return false;
    const i = held.findIndex((e) => isObject(e) && e[node.keyName] === last.key);
    if (i < 0) return false;
    held.splice(i, 1);
    return true;
  }
  if (node?.kind === "leaf-list" && value !== undefined) {
    if (!Array.isArray(held)) return false;
    const i = held.indexOf(value);
    if (i < 0) return false;
    held.splice(i, 1);
    return true;
  }
  delete parent[last.name];
  return true;
}

function normalizeChildren(children: Children, obj: TreeObject, out: TreeObject): void {
  for (const [name, child] of Object.entries(children)) {
    const v = normalizeNode(child, obj[name]);
    if (v !== undefined) out[name] = v;
  }
}

function normalizeNode(node: SchemaNode, v: TreeValue | undefined): TreeValue | undefined {
  if (v === undefined) return undefined;
  switch (node.kind) {
    case "leaf":
      return v === node.default ? undefined : v;
    case "leaf-list": {
      if (!Array.isArray(v) || v.length === 0) return undefined;
      return [...new Set(v as Scalar[])];
    }
    case "container": {
      if (!isObject(v)) return undefined;
      const out: TreeObject = {};
      normalizeChildren(node.children, v, out);
      return Object.keys(out).length === 0 && !node.presence ? undefined : out;
    }
    case "list": {
      if (!Array.isArray(v)) return undefined;
      const entries: TreeObject[] = [];
      for (const e of v) {
        if (!isObject(e) || e[node.keyName] === undefined) continue;
        const out: TreeObject = { [node.keyName]: e[node.keyName]! };
        normalizeChildren(node.children, e, out);
        entries.push(out);
      }
      return entries.length === 0 ? undefined : entries;
    }
  }
}

/** The normalized copy of a stored tree (see the module comment). */
export function normalize(root: InnerNode, tree: TreeObject): TreeObject {
  if (root.kind !== "container") throw new Error("Cannot normalize: the root is not a container");
  const out: TreeObject = {};
  normalizeChildren(root.children, tree, out);
  return out;
}

/** Equality of two normalized trees. */
export function treeEqual(a: TreeValue | undefined, b: TreeValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A deep copy. */
export function cloneTree<T extends TreeValue>(v: T): T {
  return structuredClone(v);
}

function withDefaultsChildren(children: Children, obj: TreeObject | undefined, out: TreeObject) {
  for (const [name, child] of Object.entries(children)) {
    const v = withDefaults(child, obj?.[name]);
    if (v !== undefined) out[name] = v;
  }
}

/**
 * The typed view of a stored value: defaults filled in, non-presence
 * containers present, lists and leaf-lists as (possibly empty) arrays.
 */
export function withDefaults(node: SchemaNode, v: TreeValue | undefined): TreeValue | undefined {
  switch (node.kind) {
    case "leaf":
      return v ?? node.default;
    case "leaf-list":
      return Array.isArray(v) ? [...v] : [];
    case "container": {
      if (node.presence && !isObject(v)) return undefined;
      const out: TreeObject = {};
      withDefaultsChildren(node.children, isObject(v) ? v : undefined, out);
      return out;
    }
    case "list": {
      if (!Array.isArray(v)) return [];
      return v.filter(isObject).map((e) => {
        const out: TreeObject = { [node.keyName]: e[node.keyName]! };
        withDefaultsChildren(node.children, e, out);
        return out;
      });
    }
  }
}

/** Freezes a tree deeply (the running configuration handed to readers). */
export function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
