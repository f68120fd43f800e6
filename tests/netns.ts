/**
 * Fixtures for tests that need root: fresh network namespaces with unique
 * names, veth links between them, commands run inside, and cleanup on every
 * exit path. The lab itself lives in `lab/` (the `tandem lab` demo uses it
 * too); this file adds {@linkcode rootTest} and keeps the names tests import.
 *
 * Etiquette: a test uses addresses only inside the namespaces it created,
 * and never sends to anything else.
 *
 * @module
 */
import { haveProgram, isRoot } from "../lab/command.ts";

export { haveProgram, isRoot, run, type RunResult } from "../lab/command.ts";
export { NetnsLab } from "../lab/netns_lab.ts";

/**
 * Registers a test that needs root (and optionally programs). When a
 * requirement is missing, the test is registered as ignored and the reason
 * is printed once, so a skip is never silent.
 */
export function rootTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void> | void,
  opts: { programs?: string[]; programPaths?: string[] } = {},
): void {
  let why = "";
  if (!isRoot()) why = "needs root";
  const missing = (opts.programs ?? []).filter((p) => !haveProgram(p, opts.programPaths));
  if (!why && missing.length) why = `needs ${missing.join(", ")}`;
  if (why) console.error(`SKIP ${name}: ${why}`);
  Deno.test({ name, ignore: why !== "", fn, sanitizeOps: false, sanitizeResources: false });
}
