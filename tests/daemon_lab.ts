/**
 * End-to-end fixture for the daemon: a lab namespace `gw` (the daemon's
 * main VRF) with veth links `p1`…`pN` to a namespace `peer`, `tandem
 * daemon` started in `gw` and driven only through `tandem cli
 * --socket`, and the kernel state read back with `ip -j`.
 *
 * The daemon is started with `nsenter --net=…`, not `ip netns exec`: the
 * latter runs it in a private mount namespace where the VRF namespaces it
 * creates would be invisible to `ip netns` and vanish with it. Its VRF
 * namespaces carry a prefix unique to the lab and are deleted at dispose.
 *
 * @module
 */
import { run, waitFor } from "../lab/command.ts";
import { LabProcess } from "../lab/lab_process.ts";
import { NetnsLab } from "../lab/netns_lab.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const DENO_RUN = [Deno.execPath(), "run", "-A", "--quiet", "--cached-only", MAIN];

/** A finished `tandem` command. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What the kernel holds in one namespace, as comparable text. */
export interface NsState {
  /** `name mtu up|down`, sorted (lo left out). */
  readonly links: string[];
  /** `link addr/len`, sorted (lo and IPv6 link-local left out). */
  readonly addrs: string[];
  /** Static routes: `dst via gw dev link`, sorted. */
  readonly routes: string[];
  /** net.ipv4.ip_forward and net.ipv4.conf.all.rp_filter. */
  readonly sysctls: string;
}

interface IpLink {
  ifname: string;
  mtu: number;
  flags: string[];
}
interface IpAddr {
  ifname: string;
  addr_info: { local: string; prefixlen: number; scope: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
}

/** Runs `tandem <args>` (from the host namespace; the socket is a path). */
export async function tandem(args: string[], stdin?: string): Promise<CommandResult> {
  const r = await run([...DENO_RUN, ...args], false, stdin === undefined ? {} : { stdin });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** See the module doc. */
export class DaemonLab {
  readonly socket: string;
  readonly stateDir: string;
  readonly vrfPrefix: string;
  #starts = 0;

  private constructor(readonly lab: NetnsLab, readonly gw: string, readonly peer: string) {
    this.socket = `${lab.runDir}/tandem.sock`;
    this.stateDir = `${lab.runDir}/state`;
    this.vrfPrefix = `${lab.tag}v`;
  }

  /** A lab with `ports` veth links `p<i>` (gw) ↔ `q<i>` (peer), all up. */
  static async create(ports = 3): Promise<DaemonLab> {
    const lab = new NetnsLab("td");
    try {
      const gw = await lab.netns("gw");
      const peer = await lab.netns("peer");
      const d = new DaemonLab(lab, gw, peer);
      lab.onDispose(() => d.deleteVrfNamespaces());
      for (let i = 1; i <= ports; i++) await lab.veth([gw, `p${i}`], [peer, `q${i}`]);
      return d;
    } catch (e) {
      await lab.dispose();
      throw e;
    }
  }

  /** The namespace of a VRF of the daemon (`gw` for main). */
  ns(vrf: string): string {
    return vrf === "main" ? this.gw : `${this.vrfPrefix}${vrf}`;
  }

  /** The daemon's VRF namespaces that exist now (main left out). */
  async vrfNamespaces(): Promise<string[]> {
    const out = (await run(["ip", "netns", "list"])).stdout.split("\n").map((l) =>
      l.split(" ")[0]!
    );
    return out.filter((n) => n.startsWith(this.vrfPrefix)).sort();
  }

  async deleteVrfNamespaces(): Promise<void> {
    for (const n of await this.vrfNamespaces()) await run(["ip", "netns", "del", n], false);
  }

  /** Writes a file into the lab's run directory; returns its path. */
  file(name: string, text: string): string {
    const path = `${this.lab.runDir}/${name}`;
    Deno.writeTextFileSync(path, text);
    return path;
  }

  /** Starts `tandem daemon` in `gw` with the lab's socket, state dir and prefix (plus `args`). */
  startDaemon(args: string[] = [], opts: { socket?: string; stateDir?: string } = {}): LabProcess {
    const name = `daemon-${this.#starts++}`;
    const p = new LabProcess({
      name,
      outputBase: `${this.lab.runDir}/${name}`,
      cmd: [
        "nsenter",
        `--net=/run/netns/${this.gw}`,
        ...DENO_RUN,
        "daemon",
        "--socket",
        opts.socket ?? this.socket,
        "--state-dir",
        opts.stateDir ?? this.stateDir,
        "--vrf-prefix",
        this.vrfPrefix,
        ...(args.includes("--syslog") ? [] : ["--no-syslog"]),
        ...(args.includes("--log-level") ? [] : ["--log-level", "detail"]),
        ...args,
      ],
    });
    this.lab.onDispose(() => p.stop({ timeoutMs: 5000 }).then(() => {}));
    return p;
  }

  /** Waits until the daemon says it started; throws with its stderr if it exits first. */
  async ready(p: LabProcess): Promise<void> {
    await waitFor(async () => {
      if ((await p.stderr()).includes(" dmn  started: ")) return true;
      if (!p.running) throw new Error(`${p.name} exited: ${await p.stderr()}`);
      return false;
    }, { timeoutMs: 20_000, what: `${p.name} to start`, detail: () => p.stderr() });
  }

  /** Starts a daemon and waits until it answers. */
  async start(args: string[] = []): Promise<LabProcess> {
    const p = this.startDaemon(args);
    await this.ready(p);
    return p;
  }

  /** `tandem cli --socket <lab socket> -c <command>…`. */
  cli(...commands: string[]): Promise<CommandResult> {
    return tandem(["cli", "--socket", this.socket, ...commands.flatMap((c) => ["-c", c])]);
  }

  /** Runs commands that must succeed; returns stdout. */
  async ok(...commands: string[]): Promise<string> {
    const r = await this.cli(...commands);
    if (r.code !== 0) throw new Error(`tandem cli ${commands.join(" ; ")}: ${r.code}\n${r.stderr}`);
    return r.stdout;
  }

  /** An operational command's `--json` output, parsed. */
  async json<T>(command: string): Promise<T> {
    return JSON.parse(await this.ok(`${command} --json`)) as T;
  }

  async #ipJson<T>(ns: string, args: string[]): Promise<T> {
    return JSON.parse((await run(["ip", "-j", "-n", ns, ...args])).stdout || "[]") as T;
  }

  /** The kernel state of one namespace. */
  async nsState(ns: string): Promise<NsState> {
    const links = (await this.#ipJson<IpLink[]>(ns, ["link", "show"]))
      .filter((l) => l.ifname !== "lo")
      .map((l) => `${l.ifname} ${l.mtu} ${l.flags.includes("UP") ? "up" : "down"}`).sort();
    const addrs = (await this.#ipJson<IpAddr[]>(ns, ["addr", "show"]))
      .filter((a) => a.ifname !== "lo")
      .flatMap((a) =>
        a.addr_info.filter((i) => i.scope !== "link").map((i) =>
          `${a.ifname} ${i.local}/${i.prefixlen}`
        )
      ).sort();
    const routes: string[] = [];
    for (const fam of ["-4", "-6"]) {
      const rs = await this.#ipJson<IpRoute[]>(ns, [fam, "route", "show", "proto", "static"]);
      routes.push(...rs.map((r) => `${r.dst} via ${r.gateway ?? "-"} dev ${r.dev ?? "-"}`));
    }
    const sysctl = await this.lab.exec(ns, [
      "sysctl",
      "-n",
      "net.ipv4.ip_forward",
      "net.ipv4.conf.all.rp_filter",
    ]);
    return {
      links,
      addrs,
      routes: routes.sort(),
      sysctls: sysctl.stdout.trim().split("\n").join(" "),
    };
  }

  /** The kernel state of `gw` and every VRF namespace, keyed `main` and by VRF name. */
  async state(): Promise<Record<string, NsState>> {
    const out: Record<string, NsState> = { main: await this.nsState(this.gw) };
    for (const n of await this.vrfNamespaces()) {
      out[n.slice(this.vrfPrefix.length)] = await this.nsState(n);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.lab.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
