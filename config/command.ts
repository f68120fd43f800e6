/**
 * Reading configuration commands against the schema. A command is a path
 * of words from the current context: a container or list name descends
 * (a list name takes its key next), a leaf name takes its value, and after
 * a value the next word names a sibling, so one line can set several leaves
 * (`ike-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 dh-group modp1024`).
 * A word that is not a child there may name a child of a node the same
 * command descended through (`security-policy sp local-ts subnet 10.0.0.0/8
 * remote-ts subnet 10.1.0.0/16`); it never reaches above the context the
 * command started from. A command that ends right after a container or
 * list entry makes it the new context, unless that node is flat (`vip`,
 * `sp-hash-ipv4`).
 *
 * {@linkcode walk} never throws: it reports where it stopped and what it
 * expected next, which is also what completion and `?` need.
 *
 * @module
 */
import type { InnerNode, LeafListNode, LeafNode, ListNode, Scalar, SchemaNode } from "./schema.ts";
import { isContext } from "./schema.ts";
import { formatPath, type InstancePath, type PathStep, schemaAt } from "./tree.ts";
import { didYouMean } from "./suggest.ts";

/** A user error in a command, in the project's voice. */
export class CommandError extends Error {
  override name = "CommandError";
}

export type EditOp =
  | { readonly op: "ensure"; readonly path: InstancePath }
  | { readonly op: "set"; readonly path: InstancePath; readonly value: Scalar }
  | { readonly op: "add"; readonly path: InstancePath; readonly value: Scalar };

/** What the walk expects next. */
export type Expect =
  | { readonly kind: "node"; readonly node: InnerNode; readonly path: InstancePath }
  | {
    readonly kind: "value";
    readonly leaf: LeafNode | LeafListNode;
    readonly name: string;
    readonly path: InstancePath;
  }
  | {
    readonly kind: "key";
    readonly list: ListNode;
    readonly name: string;
    readonly path: InstancePath;
  };

export interface Walk {
  readonly ops: EditOp[];
  /** The state after the consumed words. */
  readonly expect: Expect;
  /** The container or entry the last word descended into (undefined after a value). */
  readonly descended?: InstancePath;
  /** Index of the word that failed, and why. */
  readonly error?: { readonly index: number; readonly message: string };
}

/** The inner node a context path designates (the list for an entry). */
export function contextNode(root: InnerNode, path: InstancePath): InnerNode {
  const n = path.length === 0 ? root : schemaAt(root, path);
  if (!n || (n.kind !== "container" && n.kind !== "list")) {
    throw new Error(`Cannot use context "${formatPath(root, path)}": not a container or entry`);
  }
  return n;
}

function unknownWord(root: InnerNode, node: InnerNode, path: InstancePath, word: string): string {
  const where = path.length === 0 ? "config" : formatPath(root, path);
  return `Cannot parse "${word}": not a node of ${where}${
    didYouMean(word, Object.keys(node.children))
  }`;
}

/** Reads `words` as an edit from `context` (see the module comment). */
export function walk(root: InnerNode, context: InstancePath, words: readonly string[]): Walk {
  const ops: EditOp[] = [];
  let expect: Expect = { kind: "node", node: contextNode(root, context), path: context };
  let descended: InstancePath | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const fail = (message: string): Walk => ({
      ops,
      expect,
      ...(descended ? { descended } : {}),
      error: { index: i, message },
    });
    switch (expect.kind) {
      case "node": {
        const here: InstancePath = expect.path;
        let child: SchemaNode | undefined = expect.node.children[word];
        for (let k: number = here.length - 1; !child && k >= context.length; k--) {
          const outer = contextNode(root, here.slice(0, k));
          if (outer.children[word]) {
            expect = { kind: "node", node: outer, path: here.slice(0, k) };
            child = outer.children[word];
          }
        }
        if (!child) return fail(unknownWord(root, expect.node, expect.path, word));
        descended = undefined;
        if (child.kind === "leaf" || child.kind === "leaf-list") {
          expect = { kind: "value", leaf: child, name: word, path: expect.path };
        } else if (child.kind === "list") {
          expect = { kind: "key", list: child, name: word, path: expect.path };
        } else {
          const path: PathStep[] = [...expect.path, { name: word }];
          if (child.presence) ops.push({ op: "ensure", path });
          expect = { kind: "node", node: child, path };
          descended = path;
        }
        break;
      }
      case "value": {
        const p = expect.leaf.type.parse(word);
        if (!p.ok) return fail(`Cannot set "${expect.name}": ${p.reason}`);
        const path = [...expect.path, { name: expect.name }];
        ops.push({ op: expect.leaf.kind === "leaf" ? "set" : "add", path, value: p.value });
        const parent = contextNode(root, expect.path);
        expect = { kind: "node", node: parent, path: expect.path };
        break;
      }
      case "key": {
        const p = expect.list.keyType.parse(word);
        if (!p.ok) return fail(`Cannot create "${expect.name}": ${p.reason}`);
        const path: PathStep[] = [...expect.path, { name: expect.name, key: p.value }];
        ops.push({ op: "ensure", path });
        expect = { kind: "node", node: expect.list, path };
        descended = path;
        break;
      }
    }
  }
  return { ops, expect, ...(descended ? { descended } : {}) };
}

/** A parsed edit: the operations, and the new context if the command enters one. */
export interface Edit {
  readonly ops: EditOp[];
  readonly enter?: InstancePath;
}

/** Reads a complete edit command, or throws {@linkcode CommandError}. */
export function parseEdit(root: InnerNode, context: InstancePath, words: readonly string[]): Edit {
  const w = walk(root, context, words);
  if (w.error) throw new CommandError(w.error.message);
  const e = w.expect;
  if (e.kind === "value") {
    throw new CommandError(`Cannot set "${e.name}": a value is missing (${e.leaf.type.syntax})`);
  }
  if (e.kind === "key") {
    throw new CommandError(
      `Cannot enter "${e.name}": a key is missing (${e.list.keyType.syntax} ${e.list.keyHelp})`,
    );
  }
  const target = w.descended ? schemaAt(root, w.descended) : undefined;
  if (w.descended && target && isContext(target)) return { ops: w.ops, enter: w.descended };
  return { ops: w.ops };
}

/** A node designated by a path (for `show config` and `delete`). */
export interface Target {
  readonly path: InstancePath;
  readonly node: SchemaNode;
  /** A leaf-list value (delete one value). */
  readonly value?: Scalar;
}

/**
 * Reads a path to a node: names, list keys (a list without key designates
 * the whole list), and for a leaf-list optionally one value.
 */
export function locate(root: InnerNode, context: InstancePath, words: readonly string[]): Target {
  let path: PathStep[] = [...context];
  let node: SchemaNode = contextNode(root, context);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (node.kind === "leaf-list") {
      if (i !== words.length - 1) {
        throw new CommandError(`Cannot parse "${words[i + 1]}": unexpected`);
      }
      const p = node.type.parse(word);
      if (!p.ok) throw new CommandError(`Cannot use "${path[path.length - 1]!.name}": ${p.reason}`);
      return { path, node, value: p.value };
    }
    if (node.kind === "leaf") throw new CommandError(`Cannot parse "${word}": unexpected`);
    if (node.kind === "list" && path[path.length - 1]?.key === undefined && path.length > 0) {
      const p = node.keyType.parse(word);
      const last = path[path.length - 1]!;
      if (!p.ok) throw new CommandError(`Cannot use "${last.name}": ${p.reason}`);
      path = [...path.slice(0, -1), { name: last.name, key: p.value }];
      continue;
    }
    const child: SchemaNode | undefined = node.children[word];
    if (!child) throw new CommandError(unknownWord(root, node, path, word));
    path = [...path, { name: word }];
    node = child;
  }
  return { path, node };
}
