/**
 * Fixtures for tests that need root: fresh network namespaces with unique
 * names, veth links between them, commands run inside, and cleanup on every
 * exit path. Tests drive the topology with iproute2 (`ip`), which is a test
 * dependency only; the product itself talks netlink through `kernel/`.
 *
 * Etiquette: a test uses addresses only inside the namespaces it created,
 * and never sends to anything else.
 *
 * @module
 */

/** Whether the process runs as root (uid 0). */
export function isRoot(): boolean {
  return Deno.uid() === 0;
}

/** Whether a program is on PATH (e.g. `charon`'s `swanctl`, `keepalived`). */
export function haveProgram(name: string, paths: string[] = []): boolean {
  const dirs = [...paths, ...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/sbin"];
  for (const d of dirs) {
    try {
      if (Deno.statSync(`${d}/${name}`).isFile) return true;
    } catch { /* not in this directory */ }
  }
  return false;
}

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

/** Result of a command run by {@linkcode run}. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command and returns its output; throws with stderr unless `check` is false. */
export async function run(cmd: string[], check = true): Promise<RunResult> {
  const [program, ...args] = cmd;
  const out = await new Deno.Command(program!, { args, stdout: "piped", stderr: "piped" })
    .output();
  const res = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (check && res.code !== 0) {
    throw new Error(`Command failed (${res.code}): ${cmd.join(" ")}\n${res.stderr}${res.stdout}`);
  }
  return res;
}

let counter = 0;

/**
 * A set of namespaces owned by one test. Names are `<prefix><pid36><n>` so
 * parallel tests and parallel checkouts never collide; link names stay
 * within the kernel's 15 characters.
 */
export class NetnsLab {
  readonly tag: string;
  readonly namespaces: string[] = [];
  #cleanups: Array<() => Promise<void> | void> = [];
  #unload: () => void;

  constructor(prefix: string) {
    if (!/^[a-z]{1,3}$/.test(prefix)) throw new Error(`Bad lab prefix "${prefix}": 1-3 letters`);
    this.tag = `${prefix}${Deno.pid.toString(36)}${(counter++).toString(36)}`;
    // Last resort when the process exits without reaching dispose().
    this.#unload = () => {
      for (const ns of this.namespaces) {
        try {
          new Deno.Command("ip", { args: ["netns", "del", ns], stderr: "null" }).outputSync();
        } catch { /* best effort at exit */ }
      }
    };
    globalThis.addEventListener("unload", this.#unload);
  }

  /** Creates namespace `<tag><suffix>` with `lo` up and returns its name. */
  async netns(suffix: string): Promise<string> {
    const name = `${this.tag}${suffix}`;
    await run(["ip", "netns", "add", name]);
    this.namespaces.push(name);
    await run(["ip", "-n", name, "link", "set", "lo", "up"]);
    return name;
  }

  /** Name for a link in this lab (short enough for IFNAMSIZ). */
  link(suffix: string): string {
    const name = `${this.tag}${suffix}`;
    if (name.length > 15) throw new Error(`Link name "${name}" exceeds 15 characters`);
    return name;
  }

  /**
   * A veth pair between two namespaces, addressed and up.
   * `a`/`b` are `[netns, linkName, "addr/len" | undefined]`.
   */
  async veth(a: [string, string, string?], b: [string, string, string?]): Promise<void> {
    await run([
      "ip",
      "link",
      "add",
      a[1],
      "netns",
      a[0],
      "type",
      "veth",
      "peer",
      b[1],
      "netns",
      b[0],
    ]);
    for (const [ns, dev, addr] of [a, b]) {
      if (addr) await run(["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
      await run(["ip", "-n", ns, "link", "set", dev, "up"]);
    }
  }

  /** Runs a command inside a namespace. */
  exec(ns: string, cmd: string[], check = true): Promise<RunResult> {
    return run(["ip", "netns", "exec", ns, ...cmd], check);
  }

  /** Starts a long-running process inside a namespace; it is killed at dispose. */
  spawn(
    ns: string,
    cmd: string[],
    opts: {
      stdout?: "piped" | "null" | "inherit";
      stderr?: "piped" | "null" | "inherit";
      env?: Record<string, string>;
    } = {},
  ): Deno.ChildProcess {
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", ns, ...cmd],
      stdout: opts.stdout ?? "null",
      stderr: opts.stderr ?? "null",
      stdin: "null",
      ...(opts.env ? { env: opts.env } : {}),
    }).spawn();
    this.onDispose(async () => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    });
    return child;
  }

  /** Registers cleanup work; it runs in reverse order at dispose. */
  onDispose(fn: () => Promise<void> | void): void {
    this.#cleanups.push(fn);
  }

  /** Runs the cleanups and deletes every namespace of this lab. */
  async dispose(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of this.#cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    }
    this.#cleanups = [];
    for (const ns of this.namespaces.splice(0)) {
      const r = await run(["ip", "netns", "del", ns], false);
      if (r.code !== 0) errors.push(new Error(`ip netns del ${ns}: ${r.stderr}`));
    }
    globalThis.removeEventListener("unload", this.#unload);
    if (errors.length) throw errors[0];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
