/**
 * Running programs for the lab harness: one-shot commands with captured
 * output, program lookup, and polling for a condition with a deadline.
 * The lab spawns `ip`, `charon`, `swanctl`, `ping`, `iperf3`; the daemon
 * itself never does (it talks netlink through `kernel/`).
 *
 * @module
 */
import { type Clock, systemClock } from "../core/clock.ts";

/** Whether the process runs as root (uid 0). */
export function isRoot(): boolean {
  return Deno.uid() === 0;
}

/** The full path of a program on PATH (plus `paths`, `/usr/sbin`, `/sbin`), if any. */
export function findProgram(name: string, paths: string[] = []): string | undefined {
  if (name.includes("/")) {
    try {
      return Deno.statSync(name).isFile ? name : undefined;
    } catch {
      return undefined;
    }
  }
  const dirs = [...paths, ...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/sbin"];
  for (const d of dirs) {
    if (!d) continue;
    try {
      if (Deno.statSync(`${d}/${name}`).isFile) return `${d}/${name}`;
    } catch { /* not in this directory */ }
  }
  return undefined;
}

/** Whether a program is on PATH (e.g. `swanctl`, `keepalived`). */
export function haveProgram(name: string, paths: string[] = []): boolean {
  return findProgram(name, paths) !== undefined;
}

/** Result of a command run by {@linkcode run}. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@linkcode run} beyond the check flag. */
export interface RunOptions {
  /** Extra environment variables (added to the inherited environment). */
  env?: Record<string, string>;
  /** Text fed to the program's stdin. */
  stdin?: string;
}

const decoder = new TextDecoder();

/** Runs a command and returns its output; throws with stderr unless `check` is false. */
export async function run(cmd: string[], check = true, opts: RunOptions = {}): Promise<RunResult> {
  const [program, ...args] = cmd;
  if (!program) throw new Error("Cannot run an empty command");
  const command = new Deno.Command(program, {
    args,
    stdout: "piped",
    stderr: "piped",
    stdin: opts.stdin === undefined ? "null" : "piped",
    ...(opts.env ? { env: opts.env } : {}),
  });
  let out: Deno.CommandOutput;
  if (opts.stdin === undefined) {
    out = await command.output();
  } else {
    const child = command.spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
    out = await child.output();
  }
  const res = {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
  if (check && res.code !== 0) {
    throw new Error(`Command failed (${res.code}): ${cmd.join(" ")}\n${res.stderr}${res.stdout}`);
  }
  return res;
}

/** Resolves after `ms` milliseconds of the given clock. */
export function sleep(ms: number, clock: Clock = systemClock): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/** How {@linkcode waitFor} polls. */
export interface WaitOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Pause between probes (default 50 ms). */
  intervalMs?: number;
  /** Text for the error: "Timed out after N ms waiting for <what>". */
  what: string;
  /** Context appended to the timeout error (e.g. a log tail). */
  detail?: () => Promise<string> | string;
  clock?: Clock;
}

/**
 * Polls `probe` until it returns something other than `undefined`/`false`
 * and returns that value; throws when the deadline passes. A probe that
 * throws aborts the wait with its error (e.g. "charon exited").
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: WaitOptions,
): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const deadline = clock.now() + opts.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (clock.now() >= deadline) {
      const extra = opts.detail ? await opts.detail() : "";
      throw new Error(
        `Timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${extra ? `\n${extra}` : ""}`,
      );
    }
    await sleep(Math.min(opts.intervalMs ?? 50, Math.max(0, deadline - clock.now())), clock);
  }
}
