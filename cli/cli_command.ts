/**
 * `tandem cli`: the shell on the local datastore of a state directory
 * (until a daemon serves one). Interactive on a terminal; one-shot with
 * `-c '<command>'` and `-f <file>` (in the order given; `-f -` reads
 * standard input), stopping at the first failing command with its error on
 * stderr and exit status 1.
 *
 * @module
 */
import { Command } from "commander";
import process from "node:process";
import { Datastore } from "../config/datastore.ts";
import { FileStore } from "../config/store.ts";
import { consoleOutput, printResult, runInteractive, type ShellOutput } from "./interactive.ts";
import { OperationalRegistry } from "./operational.ts";
import { LocalSession, type Session } from "./session.ts";
import { Shell } from "./shell.ts";

/** The state directory when neither `--state-dir` nor `$TANDEM_STATE_DIR` names one. */
export const DEFAULT_STATE_DIR = "/var/lib/tandem";

/** One `-c` or `-f` step, in command-line order. */
export type Step = { readonly kind: "command"; readonly text: string } | {
  readonly kind: "file";
  readonly path: string;
};

async function readSource(path: string): Promise<string> {
  if (path !== "-") return await Deno.readTextFile(path);
  const chunks: Uint8Array[] = [];
  for await (const c of Deno.stdin.readable) chunks.push(c);
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

/** Runs steps on a shell; returns the exit status. */
export async function runSteps(
  shell: Shell,
  steps: readonly Step[],
  out: ShellOutput,
): Promise<number> {
  for (const step of steps) {
    if (step.kind === "command") {
      const r = await shell.execute(step.text);
      printResult(r, out);
      if (!r.ok) return 1;
      continue;
    }
    let text: string;
    try {
      text = await readSource(step.path);
    } catch (e) {
      out.err(`Cannot read "${step.path}": ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === "" || line.startsWith("#")) continue;
      const r = await shell.execute(line);
      for (const l of r.output) out.out(l);
      for (const l of r.errors) out.err(`${step.path}:${i + 1}: ${l}`);
      if (!r.ok) return 1;
    }
  }
  if (shell.dirty) out.err("Uncommitted changes were not kept (end the commands with commit).");
  return 0;
}

/** The local backend: a datastore on `stateDir`. */
export function localSession(stateDir: string, registry = new OperationalRegistry()): Session {
  Deno.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const datastore = Datastore.open({ store: new FileStore(stateDir) });
  const user = Deno.env.get("USER") ?? Deno.env.get("LOGNAME");
  return new LocalSession(datastore, { registry, ...(user ? { user } : {}) });
}

/** Runs the CLI with parsed options; returns the exit status. */
export async function runCli(opts: { steps: readonly Step[]; stateDir: string }): Promise<number> {
  let session: Session;
  try {
    session = localSession(opts.stateDir);
  } catch (e) {
    consoleOutput.err(
      `Cannot open the configuration in "${opts.stateDir}": ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
    return 1;
  }
  try {
    const shell = await Shell.create(session);
    if (opts.steps.length > 0) return await runSteps(shell, opts.steps, consoleOutput);
    if (process.stdin.isTTY) {
      return await runInteractive(shell, { historyFile: `${opts.stateDir}/cli_history` });
    }
    return await runSteps(shell, [{ kind: "file", path: "-" }], consoleOutput);
  } finally {
    await session.close();
  }
}

/** The `cli` subcommand for the outer command line. */
export function cliCommand(): Command {
  const steps: Step[] = [];
  return new Command("cli")
    .description("configure the appliance (interactive shell, or one-shot commands)")
    .option("-c, --command <line>", "run a command (repeatable, in order)", (text: string) => {
      steps.push({ kind: "command", text });
      return text;
    })
    .option(
      "-f, --file <path>",
      "run the commands of a file, - for stdin (repeatable)",
      (path: string) => {
        steps.push({ kind: "file", path });
        return path;
      },
    )
    .option(
      "--state-dir <dir>",
      "where the configuration is kept",
      Deno.env.get("TANDEM_STATE_DIR") ?? DEFAULT_STATE_DIR,
    )
    .action(async (opts: { stateDir: string }) => {
      process.exitCode = await runCli({ steps, stateDir: opts.stateDir });
    });
}
