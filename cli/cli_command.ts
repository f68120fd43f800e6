/**
 * `tandem cli`: the shell, talking to the daemon or, when none runs, to the
 * local datastore of a state directory. Interactive on a terminal;
 * one-shot with `-c '<command>'` and `-f <file>` (in the order given;
 * `-f -` reads standard input), stopping at the first failing command with
 * its error on stderr and exit status 1.
 *
 * Which backend, in order:
 * 1. `--socket <path>`: the daemon listening there (an error if none answers);
 * 2. the daemon answering on `$TANDEM_SOCKET`, or on the default socket
 *    `/run/tandem/tandem.sock`;
 * 3. the daemon that holds the state directory (`--state-dir`,
 *    `$TANDEM_STATE_DIR`, default `/var/lib/tandem`), through the socket it
 *    recorded there;
 * 4. the state directory itself, locally: edits and commits are saved,
 *    and the next daemon start applies them. Operational commands need the
 *    daemon.
 *
 * @module
 */
import { Command } from "commander";
import process from "node:process";
import { Datastore } from "../config/datastore.ts";
import { FileStore } from "../config/store.ts";
import { connectSession, daemonHolding, DEFAULT_SOCKET, probeDaemon } from "./daemon_socket.ts";
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
  const user = userName();
  return new LocalSession(datastore, { registry, ...(user ? { user } : {}) });
}

/** Options of {@linkcode runCli}. */
export interface CliOptions {
  readonly steps: readonly Step[];
  readonly stateDir: string;
  /** The daemon's socket (`--socket`); otherwise see the module doc. */
  readonly socket?: string;
}

function userName(): string | undefined {
  return Deno.env.get("USER") ?? Deno.env.get("LOGNAME");
}

/** The session the module doc's rule picks, and where to keep the line history. */
export async function openSession(
  opts: CliOptions,
): Promise<{ session: Session; historyFile?: string }> {
  const home = Deno.env.get("HOME");
  const remote = async (path: string) => ({
    session: (await connectSession(path, userName())).session,
    ...(home ? { historyFile: `${home}/.tandem_history` } : {}),
  });
  if (opts.socket !== undefined) return await remote(opts.socket);
  const fallback = Deno.env.get("TANDEM_SOCKET") ?? DEFAULT_SOCKET;
  if (await probeDaemon(fallback)) return await remote(fallback);
  const holder = daemonHolding(opts.stateDir);
  if (holder) {
    if (holder.socket === "" || !(await probeDaemon(holder.socket))) {
      throw new Error(
        `the daemon (pid ${holder.pid}) holds it but does not answer${
          holder.socket ? ` on "${holder.socket}"` : ""
        }`,
      );
    }
    return await remote(holder.socket);
  }
  try {
    return {
      session: localSession(opts.stateDir),
      historyFile: `${opts.stateDir}/cli_history`,
    };
  } catch (e) {
    throw new Error(e instanceof Error ? e.message : String(e));
  }
}

/** Runs the CLI with parsed options; returns the exit status. */
export async function runCli(opts: CliOptions): Promise<number> {
  let session: Session;
  let historyFile: string | undefined;
  try {
    ({ session, historyFile } = await openSession(opts));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    consoleOutput.err(
      why.startsWith("Cannot ")
        ? why
        : `Cannot open the configuration in "${opts.stateDir}": ${why}`,
    );
    return 1;
  }
  try {
    const shell = await Shell.create(session);
    if (opts.steps.length > 0) return await runSteps(shell, opts.steps, consoleOutput);
    if (process.stdin.isTTY) {
      return await runInteractive(shell, historyFile ? { historyFile } : {});
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
    .option("--socket <path>", "the daemon's control socket (default: see below)")
    .option(
      "--state-dir <dir>",
      "where the configuration is kept",
      Deno.env.get("TANDEM_STATE_DIR") ?? DEFAULT_STATE_DIR,
    )
    .addHelpText(
      "after",
      "\nWithout --socket: the daemon on $TANDEM_SOCKET or /run/tandem/tandem.sock if one answers,\n" +
        "else the daemon holding --state-dir, else the state directory itself (local mode).",
    )
    .action(async (opts: { stateDir: string; socket?: string }) => {
      process.exitCode = await runCli({
        steps,
        stateDir: opts.stateDir,
        ...(opts.socket !== undefined ? { socket: opts.socket } : {}),
      });
    });
}
