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

/** One argument of an operational command. */
export interface OperationalArg {
  readonly name: string;
  readonly help: string;
  /** Shown by `?`, e.g. `<vpn-name>`. */
  readonly syntax: string;
  readonly optional?: boolean;
  /** Values to complete (e.g. the names of running VPNs). */
  complete?(): string[] | Promise<string[]>;
}

export interface OperationalCommand {
  /** The fixed words, e.g. `["show", "ike", "ike-sa"]`. */
  readonly words: readonly string[];
  readonly help: string;
  readonly args?: readonly OperationalArg[];
  /** Runs with the argument values in order; returns the output text. */
  run(args: string[]): string | Promise<string>;
}

/** What the shell needs to know about a command (JSON data). */
export interface OperationalInfo {
  readonly words: readonly string[];
  readonly help: string;
  readonly args: readonly { name: string; help: string; syntax: string; optional: boolean }[];
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
      args: (c.args ?? []).map((a) => ({
        name: a.name,
        help: a.help,
        syntax: a.syntax,
        optional: a.optional ?? false,
      })),
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
    const args = words.slice(cmd.words.length);
    const specs = cmd.args ?? [];
    const required = specs.filter((a) => !a.optional).length;
    if (args.length < required || args.length > specs.length) {
      const usage = [...cmd.words, ...specs.map((a) => a.optional ? `[${a.syntax}]` : a.syntax)]
        .join(" ");
      return { ok: false, error: `Cannot run "${words.join(" ")}": usage: ${usage}` };
    }
    try {
      return { ok: true, output: await cmd.run([...args]) };
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
      const arg = c.args?.[words.length - c.words.length];
      if (arg?.complete) { for (const v of await arg.complete()) out.add(v); }
    }
    return [...out].sort();
  }
}
