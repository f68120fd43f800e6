/**
 * Tab completion and `?` help, both read from the schema: at each position
 * of a line, what may come next (shell verbs, node names, list keys already
 * configured, enumeration values, names a reference may take) with one line
 * of help each, and whether the line is complete (`<Enter>`).
 *
 * @module
 */
import { locate, walk } from "../config/command.ts";
import type { InnerNode, LeafListNode, LeafNode, ListNode, Scalar } from "../config/schema.ts";
import { getAt, type InstancePath, type TreeObject } from "../config/tree.ts";
import { refCandidates } from "../config/validate.ts";
import { endsInQuote, quoteWord, splitWords } from "../config/words.ts";
import { argState, type OperationalInfo } from "./operational.ts";

/** One possible next word; a word in `<…>` is a syntax placeholder, not inserted by Tab. */
export interface Candidate {
  readonly word: string;
  readonly help: string;
}

export interface Completion {
  /** The word being completed (what the cursor is after). */
  readonly partial: string;
  readonly candidates: readonly Candidate[];
  /** Whether the words before the cursor already form a complete command. */
  readonly complete: boolean;
  /** Set when the rest comes from the session (operational argument values). */
  readonly operational?: readonly string[];
}

/** What completion needs to know of the shell's state. */
export interface CompletionState {
  readonly root: InnerNode;
  readonly context: InstancePath;
  readonly candidate: TreeObject;
  readonly running: TreeObject;
  readonly ops: readonly OperationalInfo[];
  readonly historySize: number;
}

/** The shell's own verbs, with their help. */
export const VERBS: readonly Candidate[] = [
  { word: "commit", help: "validate the candidate and make it the running configuration" },
  { word: "delete", help: "remove a node from the candidate" },
  { word: "discard", help: "drop the uncommitted changes" },
  { word: "exit", help: "leave the CLI" },
  { word: "help", help: "list the commands" },
  { word: "rollback", help: "load a previous commit into the candidate" },
  { word: "show", help: "show configuration or state" },
  { word: "..", help: "go up one level" },
  { word: "/", help: "go to the top level (optionally followed by a path)" },
];

const SHOW_CONFIG_MODIFIERS: readonly Candidate[] = [
  { word: "nodefault", help: "leave out values equal to their default" },
  { word: "secrets", help: "show secrets instead of <hidden>" },
  { word: "running", help: "the running configuration instead of the candidate" },
];

function childCandidates(node: InnerNode, only?: TreeObject): Candidate[] {
  return Object.entries(node.children)
    .filter(([name]) => !only || only[name] !== undefined)
    .map(([name, c]) => ({ word: name, help: c.help }));
}

function valueCandidates(
  leaf: LeafNode | LeafListNode,
  state: CompletionState,
  parent: InstancePath,
): Candidate[] {
  const out: Candidate[] = [{ word: leaf.type.syntax, help: leaf.help }];
  const seen = new Set<string>();
  const add = (v: Scalar) => {
    const w = quoteWord(leaf.type.format(v as never));
    if (!seen.has(w)) out.push({ word: w, help: "" });
    seen.add(w);
  };
  for (const v of leaf.type.values ?? []) add(v);
  if (leaf.ref) { for (const v of refCandidates(state.candidate, leaf.ref, parent)) add(v); }
  return out;
}

function keyCandidates(
  list: ListNode,
  name: string,
  state: CompletionState,
  parent: InstancePath,
): Candidate[] {
  const out: Candidate[] = [{ word: list.keyType.syntax, help: list.keyHelp }];
  const held = getAt(state.root, state.candidate, [...parent, { name }]);
  if (Array.isArray(held)) {
    for (const e of held) {
      if (typeof e === "object" && e !== null && !Array.isArray(e)) {
        out.push({ word: quoteWord(list.keyType.format(e[list.keyName] as never)), help: "" });
      }
    }
  }
  for (const v of list.keyType.values ?? []) out.push({ word: v, help: "" });
  return out;
}

function editCompletion(
  state: CompletionState,
  base: InstancePath,
  words: string[],
): Candidate[] | undefined {
  const w = walk(state.root, base, words);
  if (w.error) return undefined;
  const e = w.expect;
  if (e.kind === "node") return childCandidates(e.node);
  if (e.kind === "value") return valueCandidates(e.leaf, state, e.path);
  return keyCandidates(e.list, e.name, state, e.path);
}

/** Path completion for `show config` and `delete` (`configuredOnly`: what exists). */
function pathCompletion(
  state: CompletionState,
  tree: TreeObject,
  words: string[],
  configuredOnly: boolean,
): Candidate[] | undefined {
  let base = state.context;
  if (words[0] === "/") {
    base = [];
    words = words.slice(1);
  }
  try {
    const t = locate(state.root, base, words);
    const held = getAt(state.root, tree, t.path);
    const last = t.path[t.path.length - 1];
    if (t.node.kind === "list" && last && last.key === undefined && t.path.length > 0) {
      const out: Candidate[] = [];
      if (Array.isArray(held)) {
        for (const e of held) {
          if (typeof e === "object" && e !== null && !Array.isArray(e)) {
            out.push({
              word: quoteWord(t.node.keyType.format(e[t.node.keyName] as never)),
              help: "",
            });
          }
        }
      }
      return out;
    }
    if (t.node.kind === "leaf-list") {
      return Array.isArray(held) ? held.map((v) => ({ word: quoteWord(String(v)), help: "" })) : [];
    }
    if (t.node.kind === "leaf") return [];
    const obj = typeof held === "object" && held !== null && !Array.isArray(held)
      ? held
      : undefined;
    if (configuredOnly && !obj) return [];
    return childCandidates(t.node, configuredOnly ? obj : undefined);
  } catch {
    return undefined;
  }
}

function opCandidates(ops: readonly OperationalInfo[], words: readonly string[]): Candidate[] {
  const out = new Map<string, string>();
  for (const op of ops) {
    if (
      words.length < op.words.length &&
      op.words.slice(0, words.length).every((w, i) => words[i] === w)
    ) {
      const next = op.words[words.length]!;
      if (!out.has(next)) out.set(next, words.length + 1 === op.words.length ? op.help : "");
    }
  }
  return [...out].map(([word, help]) => ({ word, help }));
}

/** The argument candidates of the operational command `words` starts with. */
function opArgs(ops: readonly OperationalInfo[], words: readonly string[]) {
  for (const op of ops) {
    if (words.length >= op.words.length && op.words.every((w, i) => words[i] === w)) {
      const st = argState(op.args, words.slice(op.words.length));
      const list: Candidate[] = st.value ? [{ word: st.value.syntax, help: st.value.help }] : [
        ...st.keywords.map((a) => ({ word: a.keyword!, help: a.help })),
        ...(st.positional ? [{ word: st.positional.syntax, help: st.positional.help }] : []),
      ];
      return { list, values: st.value !== undefined || st.positional !== undefined, ...st };
    }
  }
  return undefined;
}

function candidatesFor(
  state: CompletionState,
  words: string[],
): { list?: Candidate[]; ok: boolean; op?: string[] } {
  const [verb, ...rest] = words;
  if (verb === undefined) {
    const roots = opCandidates(state.ops, []).filter((c) => c.word !== "show");
    return { list: [...VERBS, ...roots, ...childCandidates(contextNodeOf(state))], ok: false };
  }
  if (verb === "show") {
    if (rest.length === 0) {
      return {
        list: [
          { word: "config", help: "the configuration" },
          { word: "commit", help: "commit history" },
          ...opCandidates(state.ops, ["show"]),
        ],
        ok: false,
      };
    }
    if (rest[0] === "config") {
      let i = 1;
      const used = new Set<string>();
      while (i < rest.length && SHOW_CONFIG_MODIFIERS.some((m) => m.word === rest[i])) {
        used.add(rest[i++]!);
      }
      const tree = used.has("running") ? state.running : state.candidate;
      const path = pathCompletion(state, tree, rest.slice(i), false) ?? [];
      const mods = i === rest.length ? SHOW_CONFIG_MODIFIERS.filter((m) => !used.has(m.word)) : [];
      return { list: [...mods, ...path], ok: true };
    }
    if (rest[0] === "commit") {
      return rest.length === 1
        ? { list: [{ word: "history", help: "the kept commits" }], ok: false }
        : { ok: true };
    }
  }
  if (verb === "delete") {
    return { list: pathCompletion(state, state.candidate, rest, true) ?? [], ok: rest.length > 0 };
  }
  if (verb === "rollback") {
    if (rest.length > 0) return { ok: true };
    const list = Array.from({ length: state.historySize }, (_, i) => ({
      word: String(i),
      help: i === 0 ? "the running configuration" : `${i} commit${i > 1 ? "s" : ""} ago`,
    }));
    return { list, ok: true };
  }
  if (["commit", "discard", "exit", "quit", "help", ".."].includes(verb)) return { ok: true };
  const ops = opCandidates(state.ops, words);
  const args = opArgs(state.ops, words);
  if (ops.length || args) {
    const list = [...ops, ...(args?.list ?? [])];
    return { list, ok: args?.complete ?? false, ...(args?.values ? { op: words } : {}) };
  }
  const base = verb === "/" ? [] : state.context;
  const edit = verb === "/" ? rest : words;
  const list = editCompletion(state, base, edit);
  if (!list) return { ok: false };
  const w = walk(state.root, base, edit);
  return { list, ok: w.expect.kind === "node" && (edit.length > 0 || verb === "/") };
}

function contextNodeOf(state: CompletionState): InnerNode {
  const w = walk(state.root, state.context, []);
  return (w.expect as { node: InnerNode }).node;
}

/** What may follow the text before the cursor. */
export function complete(state: CompletionState, line: string): Completion {
  if (endsInQuote(line)) return { partial: "", candidates: [], complete: false };
  let words: string[];
  try {
    words = splitWords(line);
  } catch {
    return { partial: "", candidates: [], complete: false };
  }
  const atBoundary = line.length === 0 || /\s$/.test(line);
  const partial = atBoundary ? "" : words.pop() ?? "";
  const c = candidatesFor(state, words);
  const candidates = (c.list ?? []).filter((x) =>
    x.word.startsWith(partial) || x.word.startsWith("<")
  );
  return { partial, candidates, complete: c.ok, ...(c.op ? { operational: c.op } : {}) };
}

/** The `?` text: candidates and their help, `<Enter>` when the command may end here. */
export function helpLines(c: Completion): string[] {
  const rows = c.candidates.map((x) => [x.word, x.help] as const);
  if (c.complete && c.partial === "") rows.push(["<Enter>", "run the command"]);
  if (rows.length === 0) return ["  (nothing to complete here)"];
  const width = Math.min(28, Math.max(...rows.map(([w]) => w.length)));
  return rows.map(([w, h]) => (h ? `  ${w.padEnd(width)}  ${h}` : `  ${w}`));
}
