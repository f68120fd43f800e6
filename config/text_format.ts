/**
 * `show config`: the configuration as the lines an operator would type,
 * indented two spaces per level, each container or entry closed by `..`,
 * flat nodes on one line. Loading those lines as commands rebuilds the same
 * tree, so this text is also the file format (see `loadText`).
 *
 * A non-presence container is printed when it holds something or when it
 * declares defaults (the reference prints an empty `dos-protection` and
 * `seqnum-sync`, but no empty `routing`). Without `defaults`, leaves at
 * their default are left out (the reference's `nodefault`).
 *
 * @module
 */
import type {
  ContainerNode,
  InnerNode,
  LeafListNode,
  LeafNode,
  Scalar,
  SchemaNode,
} from "./schema.ts";
import { holdsDefaults } from "./schema.ts";
import { getAt, type InstancePath, schemaAt, type TreeObject, type TreeValue } from "./tree.ts";
import { quoteWord } from "./words.ts";
import { REDACTED } from "./secret.ts";

export interface RenderOptions {
  /** Print leaves at their default value too (`show config` without `nodefault`). */
  readonly defaults: boolean;
  /** Print secrets instead of {@linkcode REDACTED}. */
  readonly secrets: boolean;
  /** Indentation per level; the reference's is two spaces. */
  readonly indent?: string;
}

function isObj(v: TreeValue | undefined): v is TreeObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

class Printer {
  readonly lines: string[] = [];
  readonly indent: string;
  constructor(readonly opts: RenderOptions) {
    this.indent = opts.indent ?? "  ";
  }

  line(depth: number, words: string): void {
    this.lines.push(this.indent.repeat(depth) + words);
  }

  value(leaf: LeafNode | LeafListNode, v: Scalar): string {
    if (leaf.kind === "leaf" && leaf.secret && !this.opts.secrets) return REDACTED;
    return quoteWord(leaf.type.format(v as never));
  }

  /** The `name value` words of a leaf or leaf-list, one string per line. */
  leafWords(name: string, node: LeafNode | LeafListNode, v: TreeValue | undefined): string[] {
    if (node.kind === "leaf-list") {
      return Array.isArray(v) ? v.map((x) => `${name} ${this.value(node, x as Scalar)}`) : [];
    }
    const shown = v ?? (this.opts.defaults ? node.default : undefined);
    if (shown === undefined || Array.isArray(shown) || isObj(shown)) return [];
    return [`${name} ${this.value(node, shown)}`];
  }

  /** `name k v k v` of a flat node's leaves. */
  flatWords(node: InnerNode, obj: TreeObject | undefined): string {
    const parts: string[] = [];
    for (const [name, child] of Object.entries(node.children)) {
      if (child.kind === "leaf" || child.kind === "leaf-list") {
        parts.push(...this.leafWords(name, child, obj?.[name]));
      }
    }
    return parts.length ? " " + parts.join(" ") : "";
  }

  container(name: string, node: ContainerNode, v: TreeValue | undefined, depth: number): void {
    const obj = isObj(v) ? v : undefined;
    if (!obj && (node.presence || !holdsDefaults(node))) return;
    if (node.flat) return this.line(depth, name + this.flatWords(node, obj));
    this.line(depth, name);
    this.children(node, obj, depth + 1);
    this.line(depth, "..");
  }

  entry(name: string, node: InnerNode & { kind: "list" }, e: TreeObject, depth: number): void {
    const head = `${name} ${quoteWord(node.keyType.format(e[node.keyName] as never))}`;
    if (node.flat) return this.line(depth, head + this.flatWords(node, e));
    this.line(depth, head);
    this.children(node, e, depth + 1);
    this.line(depth, "..");
  }

  node(name: string, node: SchemaNode, v: TreeValue | undefined, depth: number): void {
    switch (node.kind) {
      case "leaf":
      case "leaf-list":
        for (const l of this.leafWords(name, node, v)) this.line(depth, l);
        return;
      case "container":
        return this.container(name, node, v, depth);
      case "list":
        if (Array.isArray(v)) { for (const e of v) if (isObj(e)) this.entry(name, node, e, depth); }
        return;
    }
  }

  children(node: InnerNode, obj: TreeObject | undefined, depth: number): void {
    for (const [name, child] of Object.entries(node.children)) {
      this.node(name, child, obj?.[name], depth);
    }
  }
}

/**
 * The lines of `show config` for the node at `path` (the whole tree,
 * headed `config`, for the empty path). A path ending at a list entry
 * prints that entry; at a list without key, every entry.
 */
export function renderConfig(
  root: InnerNode,
  tree: TreeObject,
  path: InstancePath,
  opts: RenderOptions,
): string[] {
  const p = new Printer(opts);
  if (path.length === 0) {
    p.line(0, "config");
    p.children(root, tree, 1);
    p.line(0, "..");
    return p.lines;
  }
  const node = schemaAt(root, path);
  const last = path[path.length - 1]!;
  if (!node) return [];
  const v = getAt(root, tree, path);
  if (node.kind === "list" && last.key !== undefined) {
    if (isObj(v)) p.entry(last.name, node, v, 0);
    return p.lines;
  }
  p.node(last.name, node, v, 0);
  return p.lines;
}
