/**
 * Editing a candidate configuration the way the CLI does: a current
 * context, edit commands relative to it, `..` (up one level), `/` (the top,
 * optionally followed by a path), `delete`, and the `config` header line of
 * a full listing. {@linkcode loadText} replays a `show config` listing (or
 * any file of such commands) through the same editor, which is how a saved
 * configuration is read back.
 *
 * @module
 */
import type { InnerNode } from "./schema.ts";
import { CommandError, locate, parseEdit } from "./command.ts";
import {
  cloneTree,
  deleteAt,
  ensureObject,
  getAt,
  type InstancePath,
  normalize,
  schemaAt,
  type TreeObject,
  type TreeValue,
} from "./tree.ts";
import { splitWords, WordsError } from "./words.ts";

/**
 * A candidate tree and a context in it. Edits apply in place (a command is
 * fully parsed before anything changes, so it applies whole or not at all);
 * the tree is normalized when read, and copied before the next edit once
 * it has been handed out, so loading a long file stays linear.
 */
export class ConfigEditor {
  #tree: TreeObject;
  #normalized = true;
  #shared = false;
  #context: InstancePath = [];

  constructor(readonly root: InnerNode, tree: TreeObject = {}) {
    this.#tree = normalize(root, tree);
  }

  /** The candidate (normalized). Do not mutate it. */
  get tree(): TreeObject {
    if (!this.#normalized) this.#tree = normalize(this.root, this.#tree);
    this.#normalized = true;
    this.#shared = true;
    return this.#tree;
  }

  /** Replaces the candidate, keeping the context where it still exists. */
  set tree(tree: TreeObject) {
    this.#tree = normalize(this.root, tree);
    this.#normalized = true;
    this.#shared = false;
    this.#context = this.#existing(this.#context);
  }

  /** The tree to edit in place. */
  #writable(): TreeObject {
    if (this.#shared) this.#tree = cloneTree(this.#tree);
    this.#shared = false;
    this.#normalized = false;
    return this.#tree;
  }

  get context(): InstancePath {
    return this.#context;
  }

  set context(path: InstancePath) {
    this.#context = this.#existing(path);
  }

  /** The context as the prompt shows it: `config`, `vrf main`, `ha`, `physical eth1`. */
  contextName(): string {
    const last = this.#context[this.#context.length - 1];
    if (!last) return "config";
    const node = schemaAt(this.root, this.#context);
    if (node?.kind === "list" && last.key !== undefined) {
      return `${last.name} ${node.keyType.format(last.key)}`;
    }
    return last.name;
  }

  /** Runs one configuration command given as words (navigation or edit). */
  run(words: readonly string[]): void {
    if (words.length === 0) return;
    const [first, ...rest] = words;
    if (first === "..") {
      if (rest.length) throw new CommandError(`Cannot parse "${rest[0]}": nothing may follow ".."`);
      this.#context = this.#parent(this.#context);
      return;
    }
    if (first === "/") {
      this.#context = [];
      this.#edit(rest);
      return;
    }
    if (first === "config" && rest.length === 0 && this.#context.length === 0) return;
    this.#edit(words);
  }

  /** `delete <path>`: removes what the path designates. */
  delete(words: readonly string[]): void {
    let base = this.#context;
    let path = words;
    if (path[0] === "/") {
      base = [];
      path = path.slice(1);
    }
    if (path.length === 0) throw new CommandError(`Cannot delete: a path is missing`);
    const target = locate(this.root, base, path);
    if (getAt(this.root, this.#tree, target.path) === undefined) {
      throw new CommandError(`Cannot delete "${path.join(" ")}": it is not configured`);
    }
    if (!deleteAt(this.root, this.#writable(), target.path, target.value)) {
      throw new CommandError(`Cannot delete "${path.join(" ")}": it is not configured`);
    }
    this.#context = this.#existing(this.#context);
  }

  #edit(words: readonly string[]): void {
    const edit = parseEdit(this.root, this.#context, words);
    const tree = this.#writable();
    for (const op of edit.ops) {
      if (op.op === "ensure") {
        ensureObject(this.root, tree, op.path);
        continue;
      }
      const parent = ensureObject(this.root, tree, op.path.slice(0, -1));
      const name = op.path[op.path.length - 1]!.name;
      if (op.op === "set") {
        parent[name] = op.value;
      } else {
        const arr = Array.isArray(parent[name]) ? parent[name] as TreeValue[] : (parent[name] = []);
        if (!arr.includes(op.value)) arr.push(op.value);
      }
    }
    if (edit.enter) this.#context = edit.enter;
  }

  #parent(path: InstancePath): InstancePath {
    if (path.length === 0) return path;
    return path.slice(0, -1);
  }

  /** The longest prefix of `path` that still exists in the candidate. */
  #existing(path: InstancePath): InstancePath {
    for (let n = 1; n <= path.length; n++) {
      const p = path.slice(0, n);
      const node = schemaAt(this.root, p);
      const last = p[n - 1]!;
      const needsData = (node?.kind === "list" && last.key !== undefined) ||
        (node?.kind === "container" && node.presence);
      if (!node || (needsData && getAt(this.root, this.#tree, p) === undefined)) {
        return path.slice(0, n - 1);
      }
    }
    return path;
  }
}

/** Where a line of a loaded text failed. */
export class LoadError extends CommandError {
  override name = "LoadError";
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Replays a listing or command file into `editor`: one command per line,
 * leading blanks ignored, `#` lines and blank lines skipped.
 */
export function loadText(editor: ConfigEditor, text: string): void {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    try {
      const words = splitWords(line);
      if (words[0] === "delete") editor.delete(words.slice(1));
      else editor.run(words);
    } catch (e) {
      if (e instanceof CommandError || e instanceof WordsError) {
        throw new LoadError(i + 1, e.message);
      }
      throw e;
    }
  }
}

/** Parses a whole configuration text into a normalized tree. */
export function parseConfigText(root: InnerNode, text: string): TreeObject {
  const editor = new ConfigEditor(root);
  loadText(editor, text);
  return editor.tree;
}
