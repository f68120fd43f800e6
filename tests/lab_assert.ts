/**
 * Assertions the lab's root tests share: what a disposed lab must leave
 * behind (nothing).
 *
 * @module
 */
import { assertEquals } from "./assert.ts";
import { run } from "../lab/command.ts";

/** `ip netns list` output. */
export async function netnsList(): Promise<string> {
  return (await run(["ip", "netns", "list"])).stdout;
}

/** Whether a process with this pid exists (zombies included). */
export function pidAlive(pid: number): boolean {
  return exists(`/proc/${pid}`);
}

/** Whether a path exists. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** No namespace of `names`, no `runDir`, no process of `pids` is left. */
export async function assertGone(
  names: string[],
  runDir: string,
  pids: number[] = [],
): Promise<void> {
  const left = await netnsList();
  for (const n of names) assertEquals(left.includes(n), false, `${n} still exists`);
  assertEquals(exists(runDir), false, `${runDir} still exists`);
  for (const pid of pids) assertEquals(pidAlive(pid), false, `process ${pid} still runs`);
}
