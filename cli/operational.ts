/**
 * Operational commands (`show ike ike-sa`, `show vrrp`, `flush ike …`):
 * subsystems register them here with their words, help and arguments; the
 * shell gets their help and completion from {@linkcode OperationalRegistry.info}
 * and {@linkcode OperationalRegistry.complete}, and runs them through its
 * session.
 *
 * @module
 */
import { didYouMean } from "../config/suggest.ts";

/**
 * One argument of an operational command. Without `keyword` it is
 * positional; with it, it is written `<keyword> <value>` anywhere after the
 * command's words (`show interface vrf blue`), and with `flag` as the
 * keyword alone (`--json`).
 */
export interface OperationalArg {
  readonly name: string;
  readonly help: string;
  /** Shown by `?`, e.g. `<vpn-name>`. */
  readonly syntax: string;
  readonly optional?: boolean;
  readonly keyword?: string;
  /** With `keyword`: no value follows; the argument's value is the keyword. */
  readonly flag?: boolean;
  /** Values to complete (e.g. the names of running VPNs). */
  complete?(): string[] | Promise<string[]>;
}

export interface OperationalCommand {
  /** The fixed words, e.g. `["show", "ike", "ike-sa"]`. */
  readonly words: readonly string[];
  readonly help: string;
  readonly args?: readonly OperationalArg[];
  /**
   * Runs with the positional argument values in order, and every argument
   * given (positional or keyword) by name; returns the output text.
   */
  run(args: string[], named: Readonly<Record<string, string>>): string | Promise<string>;
}

/** What the shell knows about one argument (JSON data). */
export interface OperationalArgInfo {
  readonly name: string;
  readonly help: string;
  readonly syntax: string;
  readonly optional: boolean;
  readonly keyword?: string;
  readonly flag?: boolean;
}

/** What the shell needs to know about a command (JSON data). */
export interface OperationalInfo {
  readonly words: readonly string[];
  readonly help: string;
  readonly args: readonly OperationalArgInfo[];
}

/** Where argument parsing stands after some words (for completion and help). */
export interface ArgState {
  /** The keyword argument whose value comes next. */
  readonly value?: OperationalArgInfo;
  /** The keyword arguments not given yet. */
  readonly keywords: readonly OperationalArgInfo[];
  /** The positional argument that comes next. */
  readonly positional?: OperationalArgInfo;
  /** Whether the command may end here. */
  readonly complete: boolean;
}

/** Splits argument words by the specs: positional values in order, every value by name. */
export function parseArgs(
  specs: readonly OperationalArgInfo[],
  words: readonly string[],
): { positional: string[]; named: Record<string, string> } | undefined {
  const positional: string[] = [];
  const named: Record<string, string> = {};
  const pos = specs.filter((a) => a.keyword === undefined);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const kw = specs.find((a) => a.keyword === w && !(a.name in named));
    if (kw) {
      if (kw.flag) {
        named[kw.name] = w;
        continue;
      }
      const v = words[++i];
      if (v === undefined) return undefined;
      named[kw.name] = v;
      continue;
    }
    const p = pos[positional.length];
    if (!p) return undefined;
    positional.push(w);
    named[p.name] = w;
  }
  if (specs.some((a) => !a.optional && !(a.name in named))) return undefined;
  return { positional, named };
}

/** What may follow argument words `words` (they may be incomplete). */
export function argState(specs: readonly OperationalArgInfo[], words: readonly string[]): ArgState {
  const given = new Set<string>();
  const pos = specs.filter((a) => a.keyword === undefined);
  let npos = 0;
  for (let i = 0; i < words.length; i++) {
    const kw = specs.find((a) => a.keyword === words[i] && !given.has(a.name));
    if (kw) {
      given.add(kw.name);
      if (kw.flag) continue;
      if (i + 1 === words.length) {
        return { value: kw, keywords: [], complete: false };
      }
      i++;
      continue;
    }
    const p = pos[npos++];
    if (p) given.add(p.name);
  }
  const keywords = specs.filter((a) => a.keyword !== undefined && !given.has(a.name));
  const positional = pos[npos];
  return {
    keywords,
    ...(positional ? { positional } : {}),
    complete: npos <= pos.length && specs.every((a) => a.optional || given.has(a.name)),
  };
}

/** `show interface [vrf <vrf>] [<name>] [--json]`. */
export function usageOf(words: readonly string[], specs: readonly OperationalArgInfo[]): string {
  const one = (a: OperationalArgInfo) => {
    const text = a.keyword === undefined
      ? a.syntax
      : a.flag
      ? a.keyword
      : `${a.keyword} ${a.syntax}`;
    return a.optional ? `[${text}]` : text;
  };
  return [...words, ...specs.map(one)].join(" ");
}

function argInfo(a: OperationalArg): OperationalArgInfo {
  return {
    name: a.name,
    help: a.help,
    syntax: a.syntax,
    optional: a.optional ?? false,
    ...(a.keyword !== undefined ? { keyword: a.keyword } : {}),
    ...(a.flag ? { flag: true } : {}),
  };
}

/** Root words the shell keeps for itself. */
export const RESERVED_ROOTS = [
  "commit",
  "config",
  "delete",
  "discard",
  "exit",
  "help",
  "quit",
  "rollback",
] as const;

export class OperationalRegistry {
  #commands: OperationalCommand[] = [];

  /**
   * Registers a command; returns the function that removes it. Throws when
   * its words are those of another command or start with a reserved word.
   */
  register(cmd: OperationalCommand): () => void {
    if (cmd.words.length === 0) {
      throw new Error("Cannot register an operational command without words");
    }
    if ((RESERVED_ROOTS as readonly string[]).includes(cmd.words[0]!)) {
      throw new Error(`Cannot register "${cmd.words.join(" ")}": "${cmd.words[0]}" is reserved`);
    }
    if (cmd.words[0] === "show" && (cmd.words[1] === "config" || cmd.words[1] === "commit")) {
      throw new Error(`Cannot register "${cmd.words.join(" ")}": the shell owns it`);
    }
    const key = cmd.words.join(" ");
    if (this.#commands.some((c) => c.words.join(" ") === key)) {
      throw new Error(`Cannot register "${key}": already registered`);
    }
    this.#commands.push(cmd);
    return () => {
      this.#commands = this.#commands.filter((c) => c !== cmd);
    };
  }

  info(): OperationalInfo[] {
    return this.#commands.map((c) => ({
      words: [...c.words],
      help: c.help,
      args: (c.args ?? []).map(argInfo),
    }));
  }

  /** The command whose words start `words`, the longest first. */
  #find(words: readonly string[]): OperationalCommand | undefined {
    let best: OperationalCommand | undefined;
    for (const c of this.#commands) {
      if (c.words.length <= words.length && c.words.every((w, i) => words[i] === w)) {
        if (!best || c.words.length > best.words.length) best = c;
      }
    }
    return best;
  }

  async run(
    words: readonly string[],
  ): Promise<{ ok: true; output: string } | { ok: false; error: string }> {
    const cmd = this.#find(words);
    if (!cmd) {
      const next = new Set<string>();
      let depth = 0;
      for (const c of this.#commands) {
        let i = 0;
        while (i < words.length && c.words[i] === words[i]) i++;
        if (i > depth) {
          depth = i;
          next.clear();
        }
        if (i === depth && c.words[i]) next.add(c.words[i]!);
      }
      const bad = words[depth] ?? "";
      return {
        ok: false,
        error: bad
          ? `Cannot run "${words.join(" ")}": unknown word "${bad}"${didYouMean(bad, next)}`
          : `Cannot run "${words.join(" ")}": incomplete command`,
      };
    }
    const specs = (cmd.args ?? []).map(argInfo);
    const parsed = parseArgs(specs, words.slice(cmd.words.length));
    if (!parsed) {
      return {
        ok: false,
        error: `Cannot run "${words.join(" ")}": usage: ${usageOf(cmd.words, specs)}`,
      };
    }
    try {
      return { ok: true, output: await cmd.run(parsed.positional, parsed.named) };
    } catch (e) {
      return {
        ok: false,
        error: `Cannot run "${cmd.words.join(" ")}": ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }

  /** Completions for the next word after `words`. */
  async complete(words: readonly string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const c of this.#commands) {
      if (words.length < c.words.length) {
        if (c.words.slice(0, words.length).every((w, i) => words[i] === w)) {
          out.add(c.words[words.length]!);
        }
        continue;
      }
      if (!c.words.every((w, i) => words[i] === w)) continue;
      const specs = c.args ?? [];
      const st = argState(specs.map(argInfo), words.slice(c.words.length));
      const want = st.value ?? st.positional;
      const arg = want && specs.find((a) => a.name === want.name);
      if (arg?.complete) { for (const v of await arg.complete()) out.add(v); }
    }
    return [...out].sort();
  }
}
