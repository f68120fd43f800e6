/**
 * The appliance shell, without a terminal: one command line in, output and
 * error lines out, and the prompt `<hostname> running <context>#` with `!`
 * while the candidate differs from the running configuration (as the
 * reference shows: `ha1 running vpn vpn-secgw#! `). The interactive loop
 * (`interactive.ts`) and one-shot mode (`cli_command.ts`) both drive this.
 *
 * Commands of its own: `show config [running] [nodefault] [secrets] [path]`
 * (the candidate unless `running`; defaults unless `nodefault`; secrets
 * print as `<hidden>` unless `secrets`, and a listing with `<hidden>` does
 * not load back, so a backup is taken with `show config nodefault secrets`),
 * `show commit history`, `commit [comment <text>]`, `discard`,
 * `rollback [<n>]` (loads commit n of the history into the candidate; a
 * `commit` then applies it), `delete <path>`, `exit`, `help`. Every other
 * first word is an operational command (registered by subsystems) or a
 * configuration path.
 *
 * @module
 */
import { CommandError } from "../config/command.ts";
import { ConfigEditor } from "../config/editor.ts";
import { ROOT, type TandemConfig } from "../config/root_schema.ts";
import type { InnerNode } from "../config/schema.ts";
import { DEFAULT_HOSTNAME } from "../config/system_schema.ts";
import { renderConfig } from "../config/text_format.ts";
import { contextNode, locate } from "../config/command.ts";
import { didYouMean } from "../config/suggest.ts";
import { formatPath, treeEqual, withDefaults } from "../config/tree.ts";
import { splitWords, WordsError } from "../config/words.ts";
import { complete, type Completion, type CompletionState, helpLines, VERBS } from "./complete.ts";
import type { OperationalInfo } from "./operational.ts";
import type { RunningConfig, Session } from "./session.ts";

/** The outcome of one command line. */
export interface ShellResult {
  readonly ok: boolean;
  readonly output: readonly string[];
  readonly errors: readonly string[];
  /** The shell should end (after `exit`). */
  readonly exit?: boolean;
}

const OK = (output: string[] = []): ShellResult => ({ ok: true, output, errors: [] });
const ERR = (errors: string[], output: string[] = []): ShellResult => ({
  ok: false,
  output,
  errors,
});

export class Shell {
  readonly editor: ConfigEditor;
  #base: RunningConfig;
  #ops: OperationalInfo[];
  #historySize = 0;
  #exitArmed = false;

  private constructor(
    readonly session: Session,
    base: RunningConfig,
    ops: OperationalInfo[],
    readonly root: InnerNode,
  ) {
    this.#base = base;
    this.#ops = ops;
    this.editor = new ConfigEditor(root, structuredClone(base.tree));
  }

  /** A shell whose candidate starts as the session's running configuration. */
  static async create(session: Session, root: InnerNode = ROOT): Promise<Shell> {
    const shell = new Shell(session, await session.running(), await session.operational(), root);
    shell.#historySize = (await session.history()).length;
    return shell;
  }

  /** Whether the candidate differs from the running configuration it started from. */
  get dirty(): boolean {
    return !treeEqual(this.editor.tree, this.#base.tree);
  }

  /** The host name of the running configuration. */
  hostname(): string {
    const typed = withDefaults(this.root, this.#base.tree) as unknown as TandemConfig;
    return typed.system?.hostname ?? DEFAULT_HOSTNAME;
  }

  prompt(): string {
    return `${this.hostname()} running ${this.editor.contextName()}#${this.dirty ? "!" : ""} `;
  }

  completionState(): CompletionState {
    return {
      root: this.root,
      context: this.editor.context,
      candidate: this.editor.tree,
      running: this.#base.tree,
      ops: this.#ops,
      historySize: this.#historySize,
    };
  }

  /** Tab completion: the candidates for the word before the cursor. */
  async complete(line: string): Promise<Completion> {
    const c = complete(this.completionState(), line);
    if (!c.operational) return c;
    const extra = (await this.session.completeOperational([...c.operational]))
      .filter((w) => w.startsWith(c.partial))
      .map((word) => ({ word, help: "" }));
    return { ...c, candidates: [...c.candidates, ...extra] };
  }

  /** The `?` help for the text before the cursor. */
  async help(line: string): Promise<string[]> {
    return helpLines(await this.complete(line));
  }

  /** Runs one command line. */
  async execute(line: string): Promise<ShellResult> {
    let words: string[];
    try {
      words = splitWords(line);
    } catch (e) {
      if (e instanceof WordsError) return ERR([e.message]);
      throw e;
    }
    const exitArmed = this.#exitArmed;
    this.#exitArmed = false;
    if (words.length === 0) return OK();
    try {
      return await this.#dispatch(words, exitArmed);
    } catch (e) {
      if (e instanceof CommandError) return ERR([e.message]);
      throw e;
    }
  }

  async #dispatch(words: string[], exitArmed: boolean): Promise<ShellResult> {
    const [verb, ...rest] = words;
    switch (verb) {
      case "show":
        return await this.#show(rest);
      case "commit":
        return await this.#commit(rest);
      case "discard":
        this.editor.tree = structuredClone(this.#base.tree);
        return OK();
      case "rollback":
        return await this.#rollback(rest);
      case "delete":
        this.editor.delete(rest);
        return OK();
      case "exit":
      case "quit":
        if (this.dirty && !exitArmed) {
          this.#exitArmed = true;
          return ERR(["Uncommitted changes: commit or discard them, or exit again to drop them"]);
        }
        return { ok: true, output: [], errors: [], exit: true };
      case "help":
        return OK(VERBS.map((v) => `  ${v.word.padEnd(10)}  ${v.help}`));
    }
    if (this.#ops.some((o) => o.words[0] === verb)) return await this.#operational(words);
    const here = contextNode(this.root, this.editor.context);
    if (!(verb! in here.children) && !["..", "/", "config"].includes(verb!)) {
      const known = [
        ...Object.keys(here.children),
        ...VERBS.map((v) => v.word),
        ...this.#ops.map((o) => o.words[0]!),
      ];
      return ERR([
        `Cannot run "${verb}": not a command or a node of ${this.editor.contextName()}${
          didYouMean(verb!, known)
        }`,
      ]);
    }
    this.editor.run(words);
    return OK();
  }

  async #show(rest: string[]): Promise<ShellResult> {
    if (rest[0] === "config") {
      const mods = new Set<string>();
      let i = 1;
      while (i < rest.length && ["nodefault", "secrets", "running"].includes(rest[i]!)) {
        mods.add(rest[i++]!);
      }
      let path = rest.slice(i);
      let base = this.editor.context;
      if (path[0] === "/") {
        base = [];
        path = path.slice(1);
      }
      const target = locate(this.root, base, path);
      const tree = mods.has("running") ? this.#base.tree : this.editor.tree;
      return OK(renderConfig(this.root, tree, target.path, {
        defaults: !mods.has("nodefault"),
        secrets: mods.has("secrets"),
      }));
    }
    if (rest[0] === "commit" && rest[1] === "history" && rest.length === 2) {
      const history = await this.session.history();
      this.#historySize = history.length;
      return OK(
        history.map((h, i) =>
          `${String(i).padStart(3)}  commit ${h.version}  ${new Date(h.time).toISOString()}` +
          `${h.user ? `  ${h.user}` : ""}${h.comment ? `  ${h.comment}` : ""}`
        ),
      );
    }
    if (this.#ops.some((o) => o.words[0] === "show")) {
      return await this.#operational(["show", ...rest]);
    }
    return ERR([
      `Cannot run "show ${
        rest.join(" ")
      }": unknown show command (show config, show commit history)`,
    ]);
  }

  async #operational(words: string[]): Promise<ShellResult> {
    const r = await this.session.runOperational(words);
    if (!r.ok) return ERR([r.error]);
    const text = r.output.endsWith("\n") ? r.output.slice(0, -1) : r.output;
    return OK(text === "" ? [] : text.split("\n"));
  }

  async #commit(rest: string[]): Promise<ShellResult> {
    let comment: string | undefined;
    if (rest.length > 0) {
      if (rest[0] !== "comment" || rest.length < 2) {
        return ERR([`Cannot commit: expected "commit" or "commit comment <text>"`]);
      }
      comment = rest.slice(1).join(" ");
    }
    const candidate = this.editor.tree;
    const r = await this.session.commit(candidate, {
      baseVersion: this.#base.version,
      ...(comment ? { comment } : {}),
    });
    if (!r.ok) return ERR([...r.errors, "Configuration not committed."]);
    if (!r.changed) return OK(["No changes to commit."]);
    // The new running configuration is the candidate, normalized as the datastore keeps it.
    this.#base = await this.session.running();
    this.#historySize = (await this.session.history()).length;
    if (!treeEqual(candidate, this.#base.tree)) this.editor.tree = structuredClone(this.#base.tree);
    return OK(["Configuration committed."]);
  }

  async #rollback(rest: string[]): Promise<ShellResult> {
    const n = rest.length === 0 ? 0 : Number(rest[0]);
    if (rest.length > 1 || !Number.isInteger(n) || n < 0) {
      return ERR([`Cannot rollback: expected "rollback [<n>]" with n a history index`]);
    }
    const tree = await this.session.historyConfig(n);
    if (!tree) {
      return ERR([`Cannot rollback ${n}: no such commit in the history (show commit history)`]);
    }
    this.editor.tree = structuredClone(tree);
    return OK(
      n === 0 ? [] : [`Loaded commit from ${n} commit${n > 1 ? "s" : ""} ago; commit to apply it.`],
    );
  }

  /** `vrf main ike` for the current context (used in messages). */
  contextPath(): string {
    return formatPath(this.root, this.editor.context);
  }
}
