/**
 * A VRRP test bench in namespaces: routers `a` and `b` and a LAN host `h`
 * on one or two bridged segments, with Tandem's standalone VRRP runner
 * (`vrrp/standalone.ts`, a separate process, JSON lines on stdout) and
 * keepalived 2.2.7 as the programs under test, and the host's view of the
 * virtual address (ping, and which MAC its neighbour table holds).
 *
 * Test and benchmark support only; every process and namespace goes with
 * the lab (`await using`).
 *
 * @module
 */
import { type RunResult, waitFor } from "../lab/command.ts";
import type { LabProcess } from "../lab/lab_process.ts";
import { NetnsLab } from "../lab/netns_lab.ts";
import { ping } from "../lab/traffic.ts";
import type { StandaloneConfig } from "../vrrp/standalone.ts";
import type { VrrpInterfaceSpec } from "../vrrp/runtime_config.ts";

/** The routers of the bench. */
export type Router = "a" | "b";

/** Generous deadline for anything VRRP does at 1 s intervals on a loaded 2-vCPU host. */
export const SLOW_MS = 30_000;

const STANDALONE = new URL("../vrrp/standalone.ts", import.meta.url).pathname;

/** Segment `n` addresses: IPv4 10.(79+n).0.x/24, IPv6 fd79:n::x/64. */
export function lanAddress(family: 4 | 6, segment: number, host: number): string {
  return family === 4 ? `10.${79 + segment}.0.${host}` : `fd79:${segment}::${host.toString(16)}`;
}

const HOST = { a: 1, b: 2, h: 100 } as const;

/** One JSON line of the standalone runner. */
export interface TandemEvent {
  readonly event: string;
  readonly t: number;
  readonly [k: string]: unknown;
}

/** The lab: namespaces, segments, programs. */
export class VrrpLan {
  readonly ns: Record<Router | "h", string>;
  #kaCount = 0;

  private constructor(readonly lab: NetnsLab, ns: Record<Router | "h", string>) {
    this.ns = ns;
  }

  /**
   * Builds the bench: `segments` LANs (`eth0`, `eth1`), both families
   * addressed, IPv6 DAD off (addresses usable at once).
   */
  static async create(opts: { segments?: 1 | 2 } = {}): Promise<VrrpLan> {
    const lab = new NetnsLab("tv");
    try {
      const noDad = {
        "net.ipv6.conf.all.accept_dad": 0,
        "net.ipv6.conf.default.accept_dad": 0,
      };
      const ns = {
        a: await lab.netns("a", { sysctls: noDad }),
        b: await lab.netns("b", { sysctls: noDad }),
        h: await lab.netns("h", { sysctls: noDad }),
      };
      for (let s = 0; s < (opts.segments ?? 1); s++) {
        const member = (who: Router | "h") =>
          [
            ns[who],
            `eth${s}`,
            `${lanAddress(4, s, HOST[who])}/24`,
            `${lanAddress(6, s, HOST[who])}/64`,
          ] as const;
        await lab.segment(`lan${s}`, [member("a"), member("b"), member("h")]);
      }
      return new VrrpLan(lab, ns);
    } catch (e) {
      await lab.dispose();
      throw e;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.lab.dispose();
  }

  exec(who: Router | "h", cmd: string[], check = true): Promise<RunResult> {
    return this.lab.exec(this.ns[who], cmd, check);
  }

  /** The MAC of a router's LAN interface. */
  async mac(who: Router, dev = "eth0"): Promise<string> {
    const out = (await this.exec(who, ["cat", `/sys/class/net/${dev}/address`])).stdout;
    return out.trim();
  }

  /** Takes a router's LAN links down (its kernel dies with a crashed node) or up again. */
  async cable(who: Router, state: "up" | "down", devs = ["eth0"]): Promise<void> {
    for (const d of devs) await this.exec(who, ["ip", "link", "set", d, state]);
  }

  /** Whether link `name` exists on a router. */
  async hasLink(who: Router, name: string): Promise<boolean> {
    return (await this.exec(who, ["ip", "link", "show", name], false)).code === 0;
  }

  /** Which routers hold `vip` on any interface. */
  async holders(vip: string): Promise<Router[]> {
    const out: Router[] = [];
    for (const r of ["a", "b"] as const) {
      const text = (await this.exec(r, ["ip", "-br", "addr"])).stdout;
      if (text.split(/\s+/).some((w) => w.split("/")[0] === vip)) out.push(r);
    }
    return out;
  }

  /** The MAC the host's neighbour table holds for `vip` (after using it), if any. */
  async hostNeighbour(vip: string): Promise<string | undefined> {
    const text = (await this.exec("h", ["ip", "neigh", "show", vip])).stdout;
    return /lladdr ([0-9a-f:]{17})/.exec(text)?.[1];
  }

  /**
   * Waits until `vip` answers the host's ping and the host's neighbour
   * entry for it is `mac`; returns the MAC seen. The host re-learns the MAC
   * only from the new master's gratuitous ARP / unsolicited NA.
   */
  async vipAnswersAt(vip: string, mac: string, timeoutMs = SLOW_MS): Promise<void> {
    let last = "";
    await waitFor(async () => {
      const r = await ping(this.ns.h, vip, { count: 1, waitSeconds: 1 });
      const n = await this.hostNeighbour(vip);
      last = `ping ${r.received}/${r.sent}${r.error ? ` (${r.error})` : ""}, neighbour ${n}`;
      return r.received === 1 && n === mac;
    }, {
      timeoutMs,
      intervalMs: 200,
      what: `${vip} to answer the LAN host from ${mac}`,
      detail: () => `last: ${last}`,
    });
  }

  /** Starts Tandem's standalone VRRP runner on a router. */
  async tandem(who: Router, config: StandaloneConfig, name = `tandem-${who}`): Promise<TandemNode> {
    const file = `${this.lab.runDir}/${name}.json`;
    await Deno.writeTextFile(file, JSON.stringify(config, null, 2));
    const proc = this.lab.start(this.ns[who], [
      Deno.execPath(),
      "run",
      "-A",
      "--cached-only",
      // Compile everything at start: the first takeover must not wait for V8 (see the report).
      "--v8-flags=--no-lazy",
      STANDALONE,
      "--config",
      file,
      "--log-level",
      "detail",
    ], { name, stopTimeoutMs: 5000 });
    const node = new TandemNode(proc, file);
    await node.waitEvent((e) => e.event === "started", "the runner to start");
    return node;
  }

  /** Starts keepalived 2.2.7 (VRRP only, VRRPv3) on a router. */
  keepalived(who: Router, conf: KeepalivedOptions): KeepalivedNode {
    return startKeepalived(this.lab, this.ns[who], conf, `keepalived-${who}-${this.#kaCount++}`);
  }
}

/** Starts keepalived 2.2.7 (VRRP only, VRRPv3) in a lab namespace, files named after `name`. */
export function startKeepalived(
  lab: NetnsLab,
  ns: string,
  conf: KeepalivedOptions,
  name: string,
): KeepalivedNode {
  const base = `${lab.runDir}/${name}`;
  Deno.writeTextFileSync(`${base}.conf`, keepalivedConf(conf));
  const proc = lab.start(ns, [
    "keepalived",
    "--dont-fork",
    "--log-console",
    "--log-detail",
    "--no-syslog",
    "--vrrp",
    "--use-file",
    `${base}.conf`,
    "--pid",
    `${base}.pid`,
    "--vrrp_pid",
    `${base}-vrrp.pid`,
  ], { name, stopTimeoutMs: 5000 });
  return new KeepalivedNode(proc, `${base}-vrrp.pid`);
}

/** A Tandem standalone runner. */
export class TandemNode {
  constructor(readonly proc: LabProcess, readonly configFile: string) {}

  /** Every JSON line printed so far. */
  async events(): Promise<TandemEvent[]> {
    const text = await this.proc.stdout();
    return text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  }

  /** Waits for an event matching `pred` (among all so far); returns it. */
  waitEvent(
    pred: (e: TandemEvent) => boolean,
    what: string,
    timeoutMs = SLOW_MS,
  ): Promise<TandemEvent> {
    return this.#wait(async () => (await this.events()).find(pred), what, timeoutMs);
  }

  #wait<T>(
    probe: () => Promise<T | undefined>,
    what: string,
    timeoutMs: number,
  ): Promise<T> {
    return waitFor(async () => {
      const v = await probe();
      if (v !== undefined) return v;
      if (!this.proc.running) {
        throw new Error(
          `${this.proc.name} exited (${this.proc.exitStatus?.code}) while waiting for ${what}:\n` +
            (await this.proc.stderr()).slice(-3000),
        );
      }
      return undefined;
    }, {
      timeoutMs,
      intervalMs: 100,
      what: `${this.proc.name}: ${what}`,
      detail: async () => (await this.proc.stderr()).slice(-3000),
    });
  }

  /** Waits for the `index`-th (0-based) event of kind `event`. */
  #nth(event: string, index: number, what: string): Promise<TandemEvent> {
    return this.#wait(
      async () => (await this.events()).filter((e) => e.event === event)[index],
      what,
      SLOW_MS,
    );
  }

  /** The instance's last reported state ("initialize" before any transition). */
  async state(instance: string): Promise<string> {
    const ts = (await this.events()).filter((e) =>
      e.event === "transition" && e.instance === instance
    );
    return String(ts.at(-1)?.to ?? "initialize");
  }

  /** Waits until the instance's last transition went to `state`; returns that event. */
  waitState(instance: string, state: string, timeoutMs = SLOW_MS): Promise<TandemEvent> {
    return this.#wait(
      async () => {
        const ts = (await this.events()).filter((e) =>
          e.event === "transition" && e.instance === instance
        );
        const last = ts.at(-1);
        return last?.to === state ? last : undefined;
      },
      `vrrp ${instance} ${state}`,
      timeoutMs,
    );
  }

  /** `show vrrp` and `show ha group` of the live runtime (SIGUSR2). */
  async show(): Promise<TandemEvent> {
    const before = (await this.events()).filter((e) => e.event === "show").length;
    this.proc.signal("SIGUSR2");
    return await this.#nth("show", before, "show output");
  }

  /**
   * Waits until the instance (a backup) has accepted adverts from the
   * master at `address` (`show vrrp`: its master and the received count).
   */
  async waitFollowing(instance: string, address: string, adverts = 1): Promise<void> {
    let last = "";
    await waitFor(async () => {
      const vrrp = (await this.show()).vrrp as {
        instances: {
          name: string;
          master: { address: string } | null;
          counters: { advertsReceived: number };
        }[];
      };
      const i = vrrp.instances.find((x) => x.name === instance);
      last = JSON.stringify([i?.master, i?.counters.advertsReceived]);
      return i?.master?.address === address && i.counters.advertsReceived >= adverts;
    }, {
      timeoutMs: SLOW_MS,
      intervalMs: 500,
      what: `${this.proc.name}: vrrp ${instance} following ${address}`,
      detail: () => `last: ${last}`,
    });
  }

  /** Rewrites the configuration file and applies it (SIGHUP); resolves once applied. */
  async reconfigure(config: StandaloneConfig): Promise<void> {
    const before = (await this.events()).filter((e) => e.event === "applied").length;
    await Deno.writeTextFile(this.configFile, JSON.stringify(config, null, 2));
    const errors = (await this.events()).filter((e) => e.event === "error").length;
    this.proc.signal("SIGHUP");
    await this.#wait(
      async () => {
        const es = await this.events();
        const err = es.filter((e) => e.event === "error")[errors];
        if (err) throw new Error(`reload failed: ${err.message}`);
        return es.filter((e) => e.event === "applied")[before];
      },
      "the new configuration to apply",
      SLOW_MS,
    );
  }

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async term(): Promise<number> {
    return (await this.proc.stop({ signal: "SIGTERM", timeoutMs: 10_000 })).code;
  }

  /** Crash (SIGKILL): no priority-0 advert, kernel state left as it was. */
  async crash(): Promise<void> {
    await this.proc.kill();
  }
}

/** What {@linkcode keepalivedConf} writes. */
export interface KeepalivedOptions {
  readonly iface?: string;
  readonly vrid: number;
  readonly priority: number;
  /** Seconds (0.1 allowed with VRRPv3). */
  readonly advertInt: number;
  readonly vips: readonly string[];
  readonly preempt?: boolean;
  readonly routerId?: string;
}

/** A minimal VRRPv3 keepalived.conf (the lab's, `/work/shared/lab/vrrp/keepalived.conf` shape). */
export function keepalivedConf(o: KeepalivedOptions): string {
  return [
    "global_defs {",
    `  router_id ${o.routerId ?? "tandem-vrrp-peer"}`,
    "  vrrp_garp_master_delay 1",
    "  vrrp_garp_master_repeat 3",
    "}",
    `vrrp_instance v${o.vrid} {`,
    "  state BACKUP",
    `  interface ${o.iface ?? "eth0"}`,
    `  virtual_router_id ${o.vrid}`,
    `  priority ${o.priority}`,
    `  advert_int ${o.advertInt}`,
    "  version 3",
    ...(o.preempt === false ? ["  nopreempt"] : []),
    "  virtual_ipaddress {",
    ...o.vips.map((v) => `    ${v}`),
    "  }",
    "}",
    "",
  ].join("\n");
}

/** A keepalived process (parent plus its VRRP child). */
export class KeepalivedNode {
  constructor(readonly proc: LabProcess, readonly vrrpPidFile: string) {}

  /** Console log so far (stdout and stderr). */
  async log(): Promise<string> {
    return (await this.proc.stdout()) + (await this.proc.stderr());
  }

  /** Waits until the log matches `re` `count` times. */
  async waitLog(re: RegExp, what: string, count = 1, timeoutMs = SLOW_MS): Promise<void> {
    const g = new RegExp(re.source, re.flags.includes("g") ? re.flags : re.flags + "g");
    await waitFor(async () => {
      if (!this.proc.running) {
        throw new Error(`keepalived exited while waiting for ${what}:\n${await this.log()}`);
      }
      return ((await this.log()).match(g)?.length ?? 0) >= count;
    }, {
      timeoutMs,
      intervalMs: 100,
      what: `keepalived: ${what}`,
      detail: async () => (await this.log()).slice(-3000),
    });
  }

  /** The last state keepalived entered (`MASTER`, `BACKUP`, `FAULT`), if any. */
  async state(): Promise<string | undefined> {
    const all = [...(await this.log()).matchAll(/Entering (\w+) STATE/g)];
    return all.at(-1)?.[1];
  }

  /** Graceful stop: SIGTERM, priority-0 advert, VIPs removed. */
  async term(): Promise<number> {
    return (await this.proc.stop({ signal: "SIGTERM", timeoutMs: 10_000 })).code;
  }

  /**
   * Crash: stop both processes first (the VRRP child would otherwise notice
   * its parent's death and still send priority 0), then kill both.
   */
  async crash(): Promise<void> {
    const child = Number((await Deno.readTextFile(this.vrrpPidFile).catch(() => "")).trim());
    const pids = [child, this.proc.pid].filter((p) => p > 0);
    for (const p of pids) {
      try {
        Deno.kill(p, "SIGSTOP");
      } catch { /* gone */ }
    }
    for (const p of pids) {
      try {
        Deno.kill(p, "SIGKILL");
      } catch { /* gone */ }
    }
    await this.proc.status;
  }
}

/** A standalone configuration with one instance (vrid 79 on eth0 unless told). */
export function oneInstance(
  over: Partial<VrrpInterfaceSpec> & { priority: number },
  haGroups: string[] = [],
): StandaloneConfig {
  return {
    haGroups,
    vrrp: {
      instances: [{
        name: "vr79",
        linkInterface: "eth0",
        vrid: 79,
        advertisementInterval: 1000,
        virtualAddresses: [`${lanAddress(4, 0, 10)}/24`],
        ...over,
      }],
    },
  };
}
