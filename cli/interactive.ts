/**
 * The interactive shell on a terminal: node:readline for line editing,
 * history and Tab completion (a unique match gets its trailing space), and
 * `?` help shown as soon as the key is pressed: keystrokes pass through a
 * filter that takes `?` out (outside quotes), prints the help for the text
 * before the cursor, and redraws the prompt and the line.
 *
 * @module
 */
import * as readline from "node:readline";
import process from "node:process";
import { PassThrough } from "node:stream";
import { endsInQuote } from "../config/words.ts";
import type { Shell, ShellResult } from "./shell.ts";
import { printError, printLine } from "../core/stdio.ts";

/** Where the shell writes; stdout and stderr by default. */
export interface ShellOutput {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: ShellOutput = { out: printLine, err: printError };

/** Prints a result. */
export function printResult(r: ShellResult, out: ShellOutput): void {
  for (const l of r.output) out.out(l);
  for (const l of r.errors) out.err(l);
}

type TtyInput = PassThrough & { isTTY?: boolean; setRawMode?: (mode: boolean) => void };
type LineState = readline.Interface & { line: string; cursor: number };

/**
 * Runs the shell on the process's terminal until `exit` or end of input.
 * `historyFile` keeps command history across runs.
 */
export function runInteractive(shell: Shell, opts: { historyFile?: string } = {}): Promise<number> {
  const input: TtyInput = new PassThrough();
  input.isTTY = true;
  input.setRawMode = (mode) => process.stdin.setRawMode(mode);
  const history = loadHistory(opts.historyFile);
  const rl = readline.createInterface({
    input,
    output: process.stdout,
    terminal: true,
    historySize: 1000,
    history,
    prompt: shell.prompt(),
    completer: (line: string, cb: (err: null, result: [string[], string]) => void) => {
      shell.complete(line).then((c) => {
        const words = c.candidates.map((x) => x.word).filter((w) => !w.startsWith("<"));
        cb(null, [words.length === 1 ? [words[0] + " "] : words, c.partial]);
      }, () => cb(null, [[], line]));
    },
  }) as LineState;

  let chain: Promise<void> = Promise.resolve();
  const feed = (text: string) => {
    chain = chain.then(async () => {
      let start = 0;
      for (let i = 0; i < text.length; i++) {
        if (text[i] !== "?") continue;
        if (start < i) input.write(text.slice(start, i));
        start = i + 1;
        await new Promise((r) => setTimeout(r, 0));
        const before = rl.line.slice(0, rl.cursor);
        if (endsInQuote(before)) {
          input.write("?");
          continue;
        }
        process.stdout.write("?\n");
        for (const l of await shell.help(before)) process.stdout.write(l + "\n");
        rl.prompt(true);
      }
      if (start < text.length) input.write(text.slice(start));
    });
  };
  const onData = (chunk: Uint8Array | string) => feed(chunk.toString());
  process.stdin.on("data", onData);

  return new Promise<number>((resolve) => {
    let busy: Promise<void> = Promise.resolve();
    rl.on("line", (line: string) => {
      busy = busy.then(async () => {
        appendHistory(opts.historyFile, line);
        const r = await shell.execute(line);
        printResult(r, consoleOutput);
        if (r.exit) return rl.close();
        rl.setPrompt(shell.prompt());
        rl.prompt();
      });
    });
    rl.on("SIGINT", () => {
      process.stdout.write("^C\n");
      rl.write(null, { ctrl: true, name: "u" });
      rl.prompt();
    });
    rl.on("close", () => {
      process.stdin.off("data", onData);
      process.stdin.setRawMode(false);
      process.stdin.pause();
      busy.then(() => resolve(0));
    });
    rl.prompt();
  });
}

function loadHistory(file: string | undefined): string[] {
  if (!file) return [];
  try {
    return Deno.readTextFileSync(file).split("\n").filter((l) => l.trim() !== "").reverse().slice(
      0,
      1000,
    );
  } catch {
    return [];
  }
}

function appendHistory(file: string | undefined, line: string): void {
  if (!file || line.trim() === "") return;
  try {
    Deno.writeTextFileSync(file, line + "\n", { append: true, mode: 0o600 });
  } catch {
    // History is a convenience: a read-only state directory must not break the shell.
  }
}
