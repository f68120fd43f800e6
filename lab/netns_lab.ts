/**
 * A lab of network namespaces owned by one process: namespaces, veth pairs,
 * bridged segments, addresses, routes, sysctls and long-running programs,
 * all torn down on every exit path (dispose, exception with `await using`,
 * SIGINT/SIGTERM/SIGHUP through `exit_guard.ts`, and `unload`).
 *
 * Names are `<prefix><pid36><n><suffix>` so parallel tests and several
 * checkouts on one host never collide. Interface names only need to be
 * unique inside their namespace (veths are created directly in their target
 * namespaces), so topologies can use plain names like `wan` and `lan`.
 *
 * The lab drives iproute2 (`ip`, `sysctl`); it is a test and demo harness,
 * not the daemon, which talks netlink through `kernel/`.
 *
 * @module
 */
import { type Clock, systemClock } from "../core/clock.ts";
import { type Logger, quietLogger } from "../core/log.ts";
import { run, type RunResult, waitFor } from "./command.ts";
import { guard, release } from "./exit_guard.ts";
import { LabProcess } from "./lab_process.ts";

/** One end of a link: namespace (full name), interface, addresses (`addr/len`). */
export type Endpoint = readonly [ns: string, dev: string, ...addrs: Array<string | undefined>];

/** Per-namespace settings applied right after creation (before any link exists). */
export interface NetnsOptions {
  /** `net.ipv4.ip_forward` (default off, the kernel's default). */
  forwarding?: boolean;
  /** `false` disables IPv6 (no router solicitations, no DAD); default on. */
  ipv6?: boolean;
  /** `false` turns reverse-path filtering off (needed where decrypted packets re-enter via a TUN). */
  rpFilter?: boolean;
  /** Any other sysctls, e.g. `{"net.ipv4.conf.all.arp_ignore": 1}`. */
  sysctls?: Record<string, string | number>;
}

/** A route; `ip route add <to> [via V] [dev D] [src S] [table T] [metric M]`. */
export interface RouteSpec {
  /** `default` or a prefix. */
  to: string;
  via?: string;
  dev?: string;
  src?: string;
  table?: number;
  metric?: number;
}

/** Options of {@linkcode NetnsLab.start}. */
export interface StartOptions {
  /** Name for messages and output files (`<dir>/<name>.out|.err`); unique per lab. */
  name?: string;
  /** Directory of the output files (default: the lab's run directory). */
  outputDir?: string;
  env?: Record<string, string>;
  bindMounts?: Array<[string, string]>;
  /** Signal used at dispose (default SIGTERM, then SIGKILL after `stopTimeoutMs`). */
  stopSignal?: Deno.Signal;
  stopTimeoutMs?: number;
}

/** Options of the lab itself. */
export interface LabOptions {
  /** Keep the run directory (logs, configs) after dispose; default: delete it. */
  keepRunDir?: boolean;
  /** Where the run directory is created (default: the system temp dir). */
  runDirParent?: string;
  log?: Logger;
  clock?: Clock;
}

let counter = 0;

/** See the module doc. */
export class NetnsLab {
  readonly tag: string;
  readonly namespaces: string[] = [];
  /** Private (0700) directory for process output, configs and logs of this lab. */
  readonly runDir: string;
  readonly log: Logger;
  readonly clock: Clock;
  #keepRunDir: boolean;
  #cleanups: Array<() => Promise<void> | void> = [];
  #processes: LabProcess[] = [];
  #segments = new Map<string, { ns: string; ports: number }>();
  #disposed = false;

  constructor(prefix: string, opts: LabOptions = {}) {
    if (!/^[a-z]{1,3}$/.test(prefix)) throw new Error(`Bad lab prefix "${prefix}": 1-3 letters`);
    this.tag = `${prefix}${Deno.pid.toString(36)}${(counter++).toString(36)}`;
    this.log = opts.log ?? quietLogger("lab");
    this.clock = opts.clock ?? systemClock;
    this.#keepRunDir = opts.keepRunDir ?? false;
    this.runDir = Deno.makeTempDirSync({
      prefix: `tandem-lab-${this.tag}-`,
      ...(opts.runDirParent ? { dir: opts.runDirParent } : {}),
    });
    Deno.chmodSync(this.runDir, 0o700);
    this.#writeOwner();
    guard(this);
  }

  /** Full name of namespace `suffix` (whether or not it exists yet). */
  nsName(suffix: string): string {
    return `${this.tag}${suffix}`;
  }

  /** Creates namespace `<tag><suffix>` with `lo` up and `opts` applied; returns its name. */
  async netns(suffix: string, opts: NetnsOptions = {}): Promise<string> {
    this.#alive();
    if (!/^[a-z0-9]{1,12}$/.test(suffix)) {
      throw new Error(`Bad namespace suffix "${suffix}": 1-12 lowercase letters or digits`);
    }
    const name = this.nsName(suffix);
    await run(["ip", "netns", "add", name]);
    this.namespaces.push(name);
    this.#writeOwner();
    this.log.detail(`netns ${name} added`);
    await run(["ip", "-n", name, "link", "set", "lo", "up"]);
    const sys: Record<string, string | number> = {};
    if (opts.forwarding !== undefined) sys["net.ipv4.ip_forward"] = opts.forwarding ? 1 : 0;
    if (opts.ipv6 === false) {
      sys["net.ipv6.conf.all.disable_ipv6"] = 1;
      sys["net.ipv6.conf.default.disable_ipv6"] = 1;
    }
    if (opts.rpFilter === false) {
      sys["net.ipv4.conf.all.rp_filter"] = 0;
      sys["net.ipv4.conf.default.rp_filter"] = 0;
    }
    Object.assign(sys, opts.sysctls ?? {});
    if (Object.keys(sys).length) await this.sysctl(name, sys);
    return name;
  }

  /** Name for a link in this lab (short enough for IFNAMSIZ). */
  link(suffix: string): string {
    const name = `${this.tag}${suffix}`;
    if (name.length > 15) throw new Error(`Link name "${name}" exceeds 15 characters`);
    return name;
  }

  /** Sets sysctls inside a namespace (`sysctl -w`). */
  async sysctl(ns: string, settings: Record<string, string | number>): Promise<void> {
    const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
    await this.exec(ns, ["sysctl", "-q", "-w", ...args]);
  }

  /**
   * A veth pair between two namespaces, addressed and up
   * (`ip link add A netns NA type veth peer B netns NB`).
   */
  async veth(a: Endpoint, b: Endpoint, opts: { mtu?: number } = {}): Promise<void> {
    this.#alive();
    const mtu = opts.mtu ? ["mtu", String(opts.mtu)] : [];
    await run([
      "ip",
      "link",
      "add",
      a[1],
      "netns",
      a[0],
      ...mtu,
      "type",
      "veth",
      "peer",
      b[1],
      "netns",
      b[0],
      ...mtu,
    ]);
    for (const [ns, dev, ...addrs] of [a, b]) {
      for (const addr of addrs) if (addr) await this.addr(ns, dev, addr);
      await run(["ip", "-n", ns, "link", "set", dev, "up"]);
    }
  }

  /**
   * A shared LAN segment: namespace `<tag><name>` holds bridge `br0`; each
   * member joins through a veth whose bridge side is `p<n>`. Returns the
   * segment's namespace. More members can join later with {@linkcode join}.
   */
  async segment(name: string, members: Endpoint[] = []): Promise<string> {
    if (this.#segments.has(name)) throw new Error(`Segment "${name}" already exists`);
    const ns = await this.netns(name, { ipv6: false });
    // No STP and no multicast snooping: ports forward at once, and VRRP/ARP floods reach everyone.
    await run(["ip", "-n", ns, "link", "add", "name", "br0", "type", "bridge", "stp_state", "0"]);
    await run([
      "ip",
      "-n",
      ns,
      "link",
      "set",
      "dev",
      "br0",
      "type",
      "bridge",
      "mcast_snooping",
      "0",
    ]);
    await run(["ip", "-n", ns, "link", "set", "dev", "br0", "up"]);
    this.#segments.set(name, { ns, ports: 0 });
    for (const m of members) await this.join(name, m);
    return ns;
  }

  /** Connects a member to a segment made by {@linkcode segment}. */
  async join(segment: string, member: Endpoint): Promise<void> {
    const seg = this.#segments.get(segment);
    if (!seg) throw new Error(`Cannot join segment "${segment}": no such segment`);
    const port = `p${seg.ports++}`;
    await this.veth(member, [seg.ns, port]);
    await run(["ip", "-n", seg.ns, "link", "set", "dev", port, "master", "br0"]);
  }

  /** `ip addr add ADDR dev DEV` inside a namespace. */
  async addr(ns: string, dev: string, addr: string): Promise<void> {
    await run(["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
  }

  /** `ip route add ...` inside a namespace. */
  async route(ns: string, r: RouteSpec): Promise<void> {
    const args = ["ip", "-n", ns, "route", "add", r.to];
    if (r.via) args.push("via", r.via);
    if (r.dev) args.push("dev", r.dev);
    if (r.src) args.push("src", r.src);
    if (r.table !== undefined) args.push("table", String(r.table));
    if (r.metric !== undefined) args.push("metric", String(r.metric));
    await run(args);
  }

  /** Runs a command inside a namespace. */
  exec(ns: string, cmd: string[], check = true): Promise<RunResult> {
    return run(["ip", "netns", "exec", ns, ...cmd], check);
  }

  /**
   * Starts a long-running process inside a namespace with stdout/stderr
   * piped as asked; it is killed at dispose. Prefer {@linkcode start},
   * which writes the output to files.
   */
  spawn(
    ns: string,
    cmd: string[],
    opts: {
      stdout?: "piped" | "null" | "inherit";
      stderr?: "piped" | "null" | "inherit";
      env?: Record<string, string>;
    } = {},
  ): Deno.ChildProcess {
    this.#alive();
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

  /**
   * Starts a long-running program in a namespace; stdout and stderr go to
   * `<runDir>/<name>.out` and `.err`. It is stopped at dispose (SIGTERM,
   * then SIGKILL).
   */
  start(ns: string, cmd: string[], opts: StartOptions = {}): LabProcess {
    this.#alive();
    const name = opts.name ?? `${cmd[0]?.split("/").pop() ?? "proc"}-${this.#processes.length}`;
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`Bad process name "${name}"`);
    const outputBase = `${opts.outputDir ?? this.runDir}/${name}`;
    if (this.#processes.some((p) => p.stdoutPath === `${outputBase}.out`)) {
      throw new Error(`Cannot start "${name}": a process of that name exists in this lab`);
    }
    const p = new LabProcess({
      ns,
      cmd,
      name,
      outputBase,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.bindMounts ? { bindMounts: opts.bindMounts } : {}),
    }, this.clock);
    this.#processes.push(p);
    this.log.detail(`started ${name} (pid ${p.pid}) in ${ns}: ${cmd.join(" ")}`);
    const stop = { signal: opts.stopSignal ?? "SIGTERM", timeoutMs: opts.stopTimeoutMs ?? 2000 };
    this.onDispose(() => p.stop(stop).then(() => {}));
    return p;
  }

  /** Registers cleanup work; it runs in reverse order at dispose. */
  onDispose(fn: () => Promise<void> | void): void {
    this.#cleanups.push(fn);
  }

  /**
   * Runs the cleanups, kills whatever still runs inside the namespaces,
   * deletes every namespace and (unless kept) the run directory. Safe to
   * call twice; throws the first error after doing everything it can.
   */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
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
      try {
        await this.#emptyNetns(ns);
      } catch (e) {
        errors.push(e);
      }
      const r = await run(["ip", "netns", "del", ns], false);
      if (r.code !== 0) errors.push(new Error(`ip netns del ${ns}: ${r.stderr}`));
    }
    if (this.#keepRunDir) {
      this.log.control(`run directory kept: ${this.runDir}`);
      try {
        Deno.removeSync(`${this.runDir}/owner.json`);
      } catch { /* already gone */ }
    } else {
      await Deno.remove(this.runDir, { recursive: true }).catch((e) => errors.push(e));
    }
    release(this);
    if (errors.length) throw errors[0];
  }

  /** Synchronous last-resort cleanup (process exit without dispose). */
  disposeSync(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const p of this.#processes) p.signal("SIGKILL");
    for (const ns of this.namespaces.splice(0)) {
      for (const pid of netnsPidsSync(ns)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
      new Deno.Command("ip", { args: ["netns", "del", ns], stderr: "null" }).outputSync();
    }
    if (!this.#keepRunDir) {
      try {
        Deno.removeSync(this.runDir, { recursive: true });
      } catch { /* best effort */ }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  async #emptyNetns(ns: string): Promise<void> {
    const pids = await netnsPids(ns);
    if (pids.length === 0) return;
    this.log.detail(`killing leftover processes in ${ns}: ${pids.join(" ")}`);
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    await waitFor(async () => (await netnsPids(ns)).length === 0, {
      timeoutMs: 5000,
      what: `the processes in ${ns} to exit`,
      clock: this.clock,
    });
  }

  #alive(): void {
    if (this.#disposed) throw new Error(`Lab ${this.tag} is already disposed`);
  }

  // Lets sweepStaleLabs() clean up after a process that died without any cleanup (SIGKILL).
  #writeOwner(): void {
    const owner = { pid: Deno.pid, start: processStartTime(Deno.pid), namespaces: this.namespaces };
    Deno.writeTextFileSync(`${this.runDir}/owner.json`, JSON.stringify(owner));
  }
}

/** Pids of the processes inside a namespace (`ip netns pids`). */
export async function netnsPids(ns: string): Promise<number[]> {
  const r = await run(["ip", "netns", "pids", ns], false);
  return r.stdout.split(/\s+/).filter((s) => s !== "").map(Number);
}

function netnsPidsSync(ns: string): number[] {
  const out = new Deno.Command("ip", { args: ["netns", "pids", ns], stderr: "null" })
    .outputSync();
  return new TextDecoder().decode(out.stdout).split(/\s+/).filter((s) => s !== "").map(Number);
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks), or undefined. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}
