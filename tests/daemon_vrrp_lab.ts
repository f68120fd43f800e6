/**
 * Tandem daemons as the reference's HA pair, in namespaces: each node is a
 * namespace running `tandem daemon` (started with `nsenter --net=…`, see
 * `daemon_lab.ts`), driven only through `tandem cli`, its links `eth1`
 * and `eth2` joined to the bridged segments `lan1` and `lan2` that the
 * nodes share (and a keepalived peer may join). The configuration is the
 * reference's ha1/ha2 shape ({@linkcode haConfig}): addresses on eth1 and
 * eth2, `interface vrrp vrrp51` / `vrrp52`, `vrrp group group1` notifying
 * `ha group ha-group1`.
 *
 * Test support only; every process and namespace goes with the lab
 * (`await using`), the daemons' VRF namespaces included.
 *
 * @module
 */
import { run, waitFor } from "../lab/command.ts";
import { LabProcess } from "../lab/lab_process.ts";
import { NetnsLab } from "../lab/netns_lab.ts";
import { DAEMON_DENO_FLAGS, tandemCommand } from "../lab/tandem_node.ts";
import type { HaGroupShow } from "../ha/show.ts";
import type { VrrpInstanceShow } from "../vrrp/show.ts";
import type { VrrpRuntimeShow } from "../vrrp/runtime_show.ts";
import { type CommandResult, tandem } from "./daemon_lab.ts";
import { SLOW_MS } from "./vrrp_lab.ts";

export { SLOW_MS };

/** The reference's ha1 (`node` 1) or ha2 (2) VRRP and HA configuration, as CLI lines. */
export function haConfig(node: 1 | 2, opts: { priority?: number } = {}): string {
  const prio = opts.priority === undefined ? "" : ` priority ${opts.priority}`;
  return [
    `system hostname ha${node}`,
    "ha group ha-group1",
    `vrf main interface physical eth1 ipv4 address 10.22.0.${node}/24`,
    `vrf main interface physical eth2 ipv4 address 10.23.0.${node}/24`,
    `vrf main interface vrrp vrrp51 link-interface eth1 vrid 1${prio} ` +
    "advertisement-interval 1000 virtual-address 10.100.0.2/24",
    `vrf main interface vrrp vrrp52 link-interface eth2 vrid 1${prio} ` +
    "advertisement-interval 1000 virtual-address 10.200.0.2/24",
    "vrf main vrrp group group1 instance vrrp51 instance vrrp52 notify-ha-group ha-group1",
  ].map((l) => `/ ${l}\n`).join("");
}

/** One node: a namespace with a daemon (started and stopped at will). */
export class DaemonNode {
  readonly socket: string;
  readonly stateDir: string;
  readonly vrfPrefix: string;
  proc: LabProcess | undefined;
  #starts = 0;

  constructor(readonly lab: NetnsLab, readonly name: string, readonly ns: string) {
    this.socket = `${lab.runDir}/${name}.sock`;
    this.stateDir = `${lab.runDir}/${name}-state`;
    this.vrfPrefix = `${lab.tag}${name}v`;
    lab.onDispose(() => this.#deleteVrfNamespaces());
  }

  /**
   * Starts the daemon (committing `config` on top of the saved one) and
   * waits until it answers; `denoFlags` go before the script (default:
   * `--v8-flags=--no-lazy`, as `./tandem daemon` runs it).
   */
  async start(config?: string, opts: { denoFlags?: readonly string[] } = {}): Promise<void> {
    const n = this.#starts++;
    const args: string[] = [];
    if (config !== undefined) {
      const file = `${this.lab.runDir}/${this.name}-${n}.conf`;
      Deno.writeTextFileSync(file, config);
      args.push("--config", file);
    }
    const p = new LabProcess({
      name: `${this.name}-daemon-${n}`,
      outputBase: `${this.lab.runDir}/${this.name}-daemon-${n}`,
      cmd: [
        "nsenter",
        `--net=/run/netns/${this.ns}`,
        ...tandemCommand(opts.denoFlags ?? DAEMON_DENO_FLAGS),
        "daemon",
        "--socket",
        this.socket,
        "--state-dir",
        this.stateDir,
        "--vrf-prefix",
        this.vrfPrefix,
        "--no-syslog",
        "--log-level",
        "detail",
        ...args,
      ],
    });
    this.proc = p;
    this.lab.onDispose(() => p.stop({ timeoutMs: 10_000 }).then(() => {}));
    await waitFor(async () => {
      if ((await p.stderr()).includes(" dmn  started: ")) return true;
      if (!p.running) throw new Error(`${p.name} exited: ${await p.stderr()}`);
      return false;
    }, { timeoutMs: SLOW_MS, what: `${p.name} to start`, detail: () => p.stderr() });
  }

  /** The running daemon (throws if none was started). */
  get daemon(): LabProcess {
    if (!this.proc) throw new Error(`${this.name}: no daemon started`);
    return this.proc;
  }

  /** SIGKILL: the daemon dies, what it put into the kernel stays. */
  async kill(): Promise<void> {
    await this.daemon.kill();
  }

  /** SIGTERM; resolves with the exit status. */
  async term(): Promise<number> {
    return (await this.daemon.stop({ signal: "SIGTERM", timeoutMs: 20_000 })).code;
  }

  /** `tandem cli --socket <node's socket> -c <command>…`. */
  cli(...commands: string[]): Promise<CommandResult> {
    return tandem(["cli", "--socket", this.socket, ...commands.flatMap((c) => ["-c", c])]);
  }

  /** Commands that must succeed; returns stdout. */
  async ok(...commands: string[]): Promise<string> {
    const r = await this.cli(...commands);
    if (r.code !== 0) {
      throw new Error(`${this.name}: tandem cli ${commands.join(" ; ")}: ${r.code}\n${r.stderr}`);
    }
    return r.stdout;
  }

  /** An operational command's `--json` output, parsed. */
  async json<T>(command: string): Promise<T> {
    return JSON.parse(await this.ok(`${command} --json`)) as T;
  }

  /** `show vrrp --json`: the VRFs' data. */
  async vrrp(filter = ""): Promise<VrrpRuntimeShow[]> {
    return (await this.json<{ vrfs: VrrpRuntimeShow[] }>(`show vrrp ${filter}`.trim())).vrfs;
  }

  /** Every instance of `show vrrp --json`, by name. */
  async instances(): Promise<Record<string, VrrpInstanceShow>> {
    const out: Record<string, VrrpInstanceShow> = {};
    for (const v of await this.vrrp()) for (const i of v.instances) out[i.name] = i;
    return out;
  }

  /** `show ha group <name> --json`. */
  async haGroup(name: string): Promise<HaGroupShow> {
    return (await this.json<{ groups: HaGroupShow[] }>(`show ha group ${name}`)).groups[0]!;
  }

  /**
   * Waits until `pred` holds for the instances (polling `show vrrp
   * --json`); returns them.
   */
  async waitInstances(
    what: string,
    pred: (i: Record<string, VrrpInstanceShow>) => boolean,
  ): Promise<Record<string, VrrpInstanceShow>> {
    let last = "";
    return await waitFor(async () => {
      if (!this.daemon.running) {
        throw new Error(
          `${this.name}: the daemon exited:\n${(await this.daemon.stderr()).slice(-3000)}`,
        );
      }
      const i = await this.instances();
      last = JSON.stringify(
        Object.values(i).map((x) => [x.name, x.state, x.master?.address, x.lastTransition?.reason]),
      );
      return pred(i) ? i : undefined;
    }, {
      timeoutMs: SLOW_MS,
      intervalMs: 250,
      what: `${this.name}: ${what}`,
      detail: () => `last: ${last}`,
    });
  }

  /** Waits until every named instance is in `state`. */
  waitStates(
    state: string,
    names = ["vrrp51", "vrrp52"],
  ): Promise<Record<string, VrrpInstanceShow>> {
    return this.waitInstances(
      `${names.join(", ")} ${state}`,
      (i) => names.every((n) => i[n]?.state === state),
    );
  }

  /** Takes the node's LAN links down (its kernel dies with a crashed node) or up again. */
  async cable(state: "up" | "down", devs = ["eth1", "eth2"]): Promise<void> {
    for (const d of devs) await run(["ip", "-n", this.ns, "link", "set", d, state]);
  }

  /**
   * The addresses of a link in the node's namespace (or another), `addr/len`,
   * link-local ones left out; undefined when the link does not exist.
   */
  async addresses(link: string, ns = this.ns): Promise<string[] | undefined> {
    const r = await run(["ip", "-j", "-n", ns, "addr", "show", "dev", link], false);
    if (r.code !== 0) return undefined;
    const [l] = JSON.parse(r.stdout) as {
      addr_info: { local: string; prefixlen: number; scope: string }[];
    }[];
    return (l?.addr_info ?? []).filter((a) => a.scope !== "link").map((a) =>
      `${a.local}/${a.prefixlen}`
    );
  }

  /** The namespace of one of the daemon's VRFs. */
  vrfNs(vrf: string): string {
    return vrf === "main" ? this.ns : `${this.vrfPrefix}${vrf}`;
  }

  async #deleteVrfNamespaces(): Promise<void> {
    const names = (await run(["ip", "netns", "list"])).stdout.split("\n").map((l) =>
      l.split(" ")[0]!
    );
    for (const n of names.filter((n) => n.startsWith(this.vrfPrefix))) {
      await run(["ip", "netns", "del", n], false);
    }
  }
}

/** The pair: nodes ha1 and ha2 on segments lan1 (eth1) and lan2 (eth2). */
export class HaPairLab {
  private constructor(
    readonly lab: NetnsLab,
    readonly ha1: DaemonNode,
    readonly ha2: DaemonNode,
  ) {}

  static async create(): Promise<HaPairLab> {
    const lab = new NetnsLab("tw");
    try {
      const ns1 = await lab.netns("ha1");
      const ns2 = await lab.netns("ha2");
      await lab.segment("lan1", [[ns1, "eth1"], [ns2, "eth1"]]);
      await lab.segment("lan2", [[ns1, "eth2"], [ns2, "eth2"]]);
      return new HaPairLab(lab, new DaemonNode(lab, "ha1", ns1), new DaemonNode(lab, "ha2", ns2));
    } catch (e) {
      await lab.dispose();
      throw e;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.lab.dispose();
  }
}
