/**
 * A long-running program inside a lab namespace (charon, iperf3 server,
 * tcpdump, a Tandem daemon), with stdout and stderr written straight to
 * files in the lab's run directory, so the output survives the lab process
 * and nothing depends on the harness reading a pipe.
 *
 * The program is started as
 * `sh -c '<redirects>; exec "$@"' ip netns exec NS [sh -c '<bind mounts>; exec "$@"'] CMD`:
 * `ip netns exec` runs in a fresh mount namespace (mounts made there are not
 * seen by the host) and every layer execs in place, so
 * {@linkcode LabProcess.pid} is the program's own pid.
 *
 * @module
 */
import { type Clock, systemClock } from "../core/clock.ts";

/** How to start a {@linkcode LabProcess}. */
export interface ProcessSpec {
  /** Namespace to run in (its full name); `undefined` runs in the caller's namespace. */
  ns?: string;
  /** Program and arguments. */
  cmd: string[];
  /** Files `<base>.out` and `<base>.err` receive stdout and stderr. */
  outputBase: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** `[source, target]` bind mounts made in the process's private mount namespace first. */
  bindMounts?: Array<[string, string]>;
  /** Short name for messages. */
  name: string;
}

// Outer layer, in the caller's namespaces: $1/$2 = output files, then the command.
// Redirecting first also captures errors of `ip netns exec` itself.
const REDIRECT = 'o=$1 e=$2; shift 2; exec >"$o" 2>"$e" </dev/null; exec "$@"';
// Inner layer, inside `ip netns exec`'s private mount namespace: $1 = number
// of bind mounts, then source/target pairs, then the command.
const MOUNT = 'n=$1; shift; while [ "$n" -gt 0 ]; do ' +
  'mount --bind -- "$1" "$2" || exit 125; shift 2; n=$((n - 1)); done; exec "$@"';

/** A started program; see the module doc. */
export class LabProcess {
  readonly name: string;
  readonly ns: string | undefined;
  readonly pid: number;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** Resolves when the program has exited. */
  readonly status: Promise<Deno.CommandStatus>;
  #exit: Deno.CommandStatus | undefined;
  #clock: Clock;

  constructor(spec: ProcessSpec, clock: Clock = systemClock) {
    if (spec.cmd.length === 0) throw new Error(`Cannot start "${spec.name}": empty command`);
    this.name = spec.name;
    this.ns = spec.ns;
    this.#clock = clock;
    this.stdoutPath = `${spec.outputBase}.out`;
    this.stderrPath = `${spec.outputBase}.err`;
    const mounts = spec.bindMounts ?? [];
    if (mounts.length && spec.ns === undefined) {
      throw new Error(`Cannot start "${spec.name}": bind mounts need a namespace`);
    }
    const inner = mounts.length
      ? ["sh", "-c", MOUNT, "lab-mount", String(mounts.length), ...mounts.flat(), ...spec.cmd]
      : spec.cmd;
    const outer = spec.ns === undefined ? inner : ["ip", "netns", "exec", spec.ns, ...inner];
    const args = ["-c", REDIRECT, "lab", this.stdoutPath, this.stderrPath, ...outer];
    const child = new Deno.Command("sh", {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
      ...(spec.env ? { env: spec.env } : {}),
    }).spawn();
    this.pid = child.pid;
    this.status = child.status.then((s) => (this.#exit = s));
  }

  /** Whether the program is still running. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** The exit status once the program has exited. */
  get exitStatus(): Deno.CommandStatus | undefined {
    return this.#exit;
  }

  /** Sends a signal; does nothing if the program has already exited. */
  signal(sig: Deno.Signal): void {
    if (!this.running) return;
    try {
      Deno.kill(this.pid, sig);
    } catch { /* exited between the check and the kill */ }
  }

  /**
   * Sends `signal` (default SIGTERM) and waits up to `timeoutMs` for the
   * exit; then SIGKILL. Returns the exit status.
   */
  async stop(
    opts: { signal?: Deno.Signal; timeoutMs?: number } = {},
  ): Promise<Deno.CommandStatus> {
    if (!this.running) return this.#exit!;
    this.signal(opts.signal ?? "SIGTERM");
    if (!(await exitsWithin(this, opts.timeoutMs ?? 5000, this.#clock))) this.signal("SIGKILL");
    return await this.status;
  }

  /** SIGKILL (a crash, for the peer) and wait for the exit. */
  kill(): Promise<Deno.CommandStatus> {
    this.signal("SIGKILL");
    return this.status;
  }

  /** What the program has written to stdout so far. */
  stdout(): Promise<string> {
    return readOr(this.stdoutPath);
  }

  /** What the program has written to stderr so far. */
  stderr(): Promise<string> {
    return readOr(this.stderrPath);
  }
}

/** Whether `p` exits within `ms` (waits on the exit, not by polling). */
export async function exitsWithin(
  p: LabProcess,
  ms: number,
  clock: Clock = systemClock,
): Promise<boolean> {
  if (!p.running) return true;
  let timer: { cancel(): void } | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = clock.setTimer(ms, () => resolve(false));
  });
  const exited = await Promise.race([p.status.then(() => true as const), timeout]);
  timer?.cancel();
  return exited;
}

async function readOr(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}
