/**
 * A V8 CPU profile of the calling process through `node:inspector`, for
 * the lab's helper processes (the IKE interop node, the standalone
 * gateway) that benchmarks ask "where did the time go?": self time in ms,
 * summed by function and by file. Native frames (builtins, FFI calls) are
 * charged to their nearest script caller, marked `[native]`; V8's idle,
 * program and garbage-collector time keep their own names.
 *
 * @module
 */
import { Session } from "node:inspector";

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** The heaviest functions and files, as `"<ms> <name>"` lines. */
export interface ProfileSummary {
  readonly functions: string[];
  readonly files: string[];
}

/** Starts and stops sampling; one profile at a time. */
export class CpuProfiler {
  readonly #session = new Session();
  #running = false;

  #post<T>(method: string): Promise<T> {
    return new Promise<T>((ok, fail) =>
      this.#session.post(method, {}, (e: Error | null, r: unknown) => (e ? fail(e) : ok(r as T)))
    );
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#session.connect();
    await this.#post("Profiler.enable");
    await this.#post("Profiler.start");
    this.#running = true;
  }

  /** Stops sampling and sums the profile; throws when not started. */
  async stop(): Promise<ProfileSummary> {
    if (!this.#running) throw new Error("Cannot stop the CPU profile: not started");
    const { profile } = await this.#post<{ profile: CpuProfile }>("Profiler.stop");
    this.#session.disconnect();
    this.#running = false;
    return summarise(profile);
  }
}

const SOURCE_DIR = /^.*\/(core|crypto|esp|gateway|ike|kernel|lab|tests|npm)\//;

function summarise(p: CpuProfile): ProfileSummary {
  const byNode = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  const name = (id: number) => {
    const f = byNode.get(id)!;
    const file = f.url.replace(SOURCE_DIR, "$1/");
    return {
      file,
      fn: `${f.functionName || "(anonymous)"} ${file || "(native)"}:${f.lineNumber + 1}`,
    };
  };
  p.samples.forEach((id, i) => {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    let { file, fn } = name(id);
    // V8's own entries: (idle), (program), (garbage collector).
    const special = byNode.get(id)!.functionName;
    if (file === "" && special.startsWith("(")) file = fn = special;
    for (let up = parent.get(id); file === "" && up !== undefined; up = parent.get(up)) {
      const u = name(up);
      if (u.file !== "") [file, fn] = [u.file, `${u.fn} [native]`];
    }
    file ||= "(native)";
    fns.set(fn, (fns.get(fn) ?? 0) + ms);
    files.set(file, (files.get(file) ?? 0) + ms);
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(1)} ${k}`);
  return { functions: top(fns, 40), files: top(files, 25) };
}
