/**
 * Cleanup after lab processes that died without any cleanup (SIGKILL, a
 * crashed runner): every lab writes `owner.json` (its pid, the pid's start
 * time, its namespaces) into its run directory; a lab whose owner is gone
 * is swept: processes inside its namespaces killed, namespaces deleted, run
 * directory removed. Labs of live processes are never touched.
 *
 * @module
 */
import { run } from "./command.ts";
import { netnsPids, processStartTime } from "./netns_lab.ts";

/** What {@linkcode sweepStaleLabs} removed. */
export interface SweepReport {
  runDirs: string[];
  namespaces: string[];
  killed: number[];
}

interface Owner {
  pid: number;
  start?: number;
  namespaces: string[];
}

function readOwner(path: string): Owner | undefined {
  try {
    const o = JSON.parse(Deno.readTextFileSync(path)) as Partial<Owner>;
    if (typeof o.pid !== "number" || !Array.isArray(o.namespaces)) return undefined;
    return {
      pid: o.pid,
      namespaces: o.namespaces.map(String),
      ...(o.start ? { start: o.start } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * Sweeps stale labs whose run directories are in `parent` (default: the
 * system temp dir) and whose tag starts with `prefix` (default: any).
 */
export async function sweepStaleLabs(
  opts: { parent?: string; prefix?: string } = {},
): Promise<SweepReport> {
  const parent = opts.parent ?? (Deno.env.get("TMPDIR") || "/tmp");
  const report: SweepReport = { runDirs: [], namespaces: [], killed: [] };
  const existing = new Set(
    (await run(["ip", "netns", "list"], false)).stdout.split("\n").map((l) => l.split(" ")[0]),
  );
  for (const entry of Deno.readDirSync(parent)) {
    if (!entry.isDirectory || !entry.name.startsWith(`tandem-lab-${opts.prefix ?? ""}`)) continue;
    const dir = `${parent}/${entry.name}`;
    const owner = readOwner(`${dir}/owner.json`);
    if (!owner) continue;
    const start = processStartTime(owner.pid);
    if (start !== undefined && (owner.start === undefined || start === owner.start)) continue;
    for (const ns of owner.namespaces.filter((n) => existing.has(n))) {
      for (const pid of await netnsPids(ns)) {
        try {
          Deno.kill(pid, "SIGKILL");
          report.killed.push(pid);
        } catch { /* gone */ }
      }
      if ((await run(["ip", "netns", "del", ns], false)).code === 0) report.namespaces.push(ns);
    }
    await Deno.remove(dir, { recursive: true });
    report.runDirs.push(dir);
  }
  return report;
}
