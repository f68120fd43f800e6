/**
 * VRRP of one VRF, bound to the kernel: the {@linkcode VrrpService} (the
 * RFC 5798 state machines and sync groups) plus everything real around it.
 * The daemon makes one per VRF from a {@linkcode VrrpRuntimeConfig} and
 * the node's {@linkcode HaGroupRegistry}; tests and benchmarks run one per
 * process with `standalone.ts`.
 *
 * ```text
 *   rtnetlink events ──► LinkTable ──► linkUp/linkDown, primary address ──► instances
 *   raw socket 112 per link/family ──► VrrpReceiver ──► instance.receive (§7.1 checks)
 *   instance ──► KernelVrrpPort ──► advert socket, macvlan + VIPs (netlink), GARP/NA frames
 *   instance / vrrp group ──► HA group (notify-ha-group)
 * ```
 *
 * One loop per runtime waits with a single {@linkcode Poller} on every
 * receive socket, the rtnetlink subscription and the timerfd of its
 * {@linkcode LoopClock} (one thread hop per wake-up, none per packet),
 * drains them synchronously, runs the timers that are due, and ends at
 * once on {@linkcode VrrpRuntime.stop}.
 *
 * Configuration changes ({@linkcode VrrpRuntime.apply}) touch only what
 * changed: a new `priority` is applied live; any other change of an
 * instance recreates it (a master resigns with priority 0 first); groups
 * are rebuilt when their own leaves or the instances in them change.
 * {@linkcode VrrpRuntime.stop} is the graceful shutdown: masters send
 * priority 0, the virtual addresses and the macvlans are removed, HA
 * groups fall back to backup.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { EventBus } from "../core/events.ts";
import { ipEqual } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import type { HaGroupRegistry } from "../ha/group.ts";
import { Netns, Poller, Rtnl, type RtnlEvent, RtnlEvents } from "../kernel/mod.ts";
import type { VrrpGroupTransition } from "./group.ts";
import type { VrrpInstance } from "./instance.ts";
import { KernelVrrpPort } from "./kernel_port.ts";
import { LinkTable } from "./link_table.ts";
import { LoopClock } from "./loop_clock.ts";
import {
  instanceConfig,
  sameButPriority,
  sameGroup,
  specFamily,
  unspecifiedAddress,
  validateRuntimeConfig,
  type VrrpInterfaceSpec,
  type VrrpRuntimeConfig,
} from "./runtime_config.ts";
import { type VrrpRuntimeShow, vrrpRuntimeShow } from "./runtime_show.ts";
import { VrrpReceiver } from "./receiver.ts";
import { VrrpRxSocket } from "./rx_socket.ts";
import { VrrpService } from "./service.ts";
import { warmUpVrrp } from "./warm_up.ts";
import type { VrrpTransition } from "./state.ts";

/** What a runtime is given. */
export interface VrrpRuntimeDeps {
  readonly ha: HaGroupRegistry;
  readonly log: Logger;
  /** The VRF's namespace; default: the daemon's own (`vrf main`). */
  readonly ns?: Netns;
  /** The VRF's name, for `show vrrp`; default `main`. */
  readonly vrf?: string;
  /** Default: the loop's own timerfd clock (see `loop_clock.ts`); tests may pass another. */
  readonly clock?: Clock;
}

interface Entry {
  spec: VrrpInterfaceSpec;
  readonly inst: VrrpInstance;
  readonly port: KernelVrrpPort;
  /** ifindex of the link-interface the port is attached to. */
  lower: number | undefined;
}

export class VrrpRuntime {
  readonly vrf: string;
  readonly ns: Netns;
  readonly service: VrrpService;
  #log: Logger;
  #ha: HaGroupRegistry;
  #rtnl: Rtnl;
  #events: RtnlEvents;
  #poller = new Poller();
  #clock: LoopClock | undefined;
  #timeSource: Clock;
  #table = new LinkTable();
  #entries = new Map<string, Entry>();
  #rx = new Map<string, VrrpRxSocket>();
  #config: VrrpRuntimeConfig = { instances: [], groups: [] };
  #bus = new EventBus<{ transition: VrrpTransition; group: VrrpGroupTransition }>();
  #groupSubs = new Map<string, () => void>();
  #loop: Promise<void> = Promise.resolve();
  #resyncing = false;
  #applying: Promise<void> = Promise.resolve();
  #stopped = false;
  #stopping = false;

  private constructor(deps: VrrpRuntimeDeps) {
    this.vrf = deps.vrf ?? "main";
    this.ns = deps.ns ?? Netns.home();
    this.#log = deps.log;
    this.#ha = deps.ha;
    if (!deps.clock) this.#clock = new LoopClock();
    const clock = deps.clock ?? this.#clock!;
    this.#timeSource = clock;
    this.service = new VrrpService({ clock, log: deps.log, ha: deps.ha });
    try {
      this.#events = RtnlEvents.open(this.ns, ["link", "addr"]);
    } catch (e) {
      this.#clock?.close();
      throw e;
    }
    try {
      this.#rtnl = Rtnl.open(this.ns);
    } catch (e) {
      this.#events.close();
      this.#clock?.close();
      throw e;
    }
  }

  /**
   * Opens the runtime in its VRF with no instance yet: reads the links,
   * starts the receive loop. Subscribe, then {@linkcode apply}.
   */
  static async open(deps: VrrpRuntimeDeps): Promise<VrrpRuntime> {
    warmUpVrrp();
    const rt = new VrrpRuntime(deps);
    try {
      await rt.#resync();
      rt.#poller.add(rt.#events.fd);
      if (rt.#clock) rt.#poller.add(rt.#clock.fd);
      rt.#loop = rt.#run();
    } catch (e) {
      await rt.stop();
      throw e;
    }
    return rt;
  }

  /** {@linkcode open}, then {@linkcode apply} `config` (stopped again if that fails). */
  static async start(config: VrrpRuntimeConfig, deps: VrrpRuntimeDeps): Promise<VrrpRuntime> {
    validateRuntimeConfig(config);
    const rt = await VrrpRuntime.open(deps);
    try {
      await rt.apply(config);
    } catch (e) {
      await rt.stop();
      throw e;
    }
    return rt;
  }

  /** Every instance transition (after the new state's actions ran). */
  onTransition(fn: (t: VrrpTransition) => void): () => void {
    return this.#bus.on("transition", fn);
  }

  /** Every vrrp group transition. */
  onGroupTransition(fn: (t: VrrpGroupTransition) => void): () => void {
    return this.#bus.on("group", fn);
  }

  /** The configuration in force. */
  get config(): VrrpRuntimeConfig {
    return this.#config;
  }

  /** The data of `show vrrp` for this VRF. */
  show(): VrrpRuntimeShow {
    const ports = [...this.#entries.values()].map((e) => ({
      instance: e.inst.name,
      ...e.port.status(),
    }));
    return vrrpRuntimeShow(this.vrf, this.service.show(), ports);
  }

  /**
   * Reconciles with `config` (validated first; nothing changes when it is
   * invalid). Calls are serialized.
   */
  apply(config: VrrpRuntimeConfig): Promise<void> {
    if (this.#stopping) {
      return Promise.reject(
        new Error(`Cannot apply vrrp configuration: vrf ${this.vrf} is stopping`),
      );
    }
    return this.#enqueue(config);
  }

  #enqueue(config: VrrpRuntimeConfig): Promise<void> {
    try {
      validateRuntimeConfig(config);
      for (const g of config.groups ?? []) {
        if (g.notifyHaGroup !== undefined) {
          this.#ha.require(g.notifyHaGroup, `notify it from vrrp group ${g.name}`);
        }
      }
    } catch (e) {
      return Promise.reject(e);
    }
    const run = () => this.#apply(config);
    const p = this.#applying.then(run, run);
    this.#applying = p.catch(() => undefined);
    return p;
  }

  /**
   * Graceful stop: masters send priority 0, virtual addresses and macvlans
   * are removed, the loop ends and every socket is closed. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    // Masters resign at once (priority 0, RFC 5798 §6.4.3); the removal follows.
    if (!this.#stopping) this.service.stopAll();
    this.#stopping = true;
    try {
      await this.#enqueue({ instances: [], groups: [] });
    } finally {
      this.#stopped = true;
      this.#poller.stop();
      await this.#loop;
      for (const rx of this.#rx.values()) rx.close();
      this.#rx.clear();
      this.#events.close();
      this.#rtnl.close();
      this.#poller.close();
      this.#clock?.close();
    }
  }

  // ------------------------------------------------------------ apply

  async #apply(next: VrrpRuntimeConfig): Promise<void> {
    if (this.#stopped) throw new Error(`Cannot apply vrrp configuration: vrf ${this.vrf} stopped`);
    const svc = this.service;
    const nextSpecs = new Map(next.instances.map((s) => [s.name, s]));
    const recreate = new Set<string>();
    for (const [name, e] of this.#entries) {
      const n = nextSpecs.get(name);
      if (!n || !sameButPriority(e.spec, n)) recreate.add(name);
    }
    const nextGroups = new Map((next.groups ?? []).map((g) => [g.name, g]));
    for (const g of this.#config.groups ?? []) {
      const n = nextGroups.get(g.name);
      if (!n || !sameGroup(g, n) || g.instances.some((i) => recreate.has(i))) {
        this.#groupSubs.get(g.name)?.();
        this.#groupSubs.delete(g.name);
        svc.removeGroup(g.name);
      }
    }
    for (const name of recreate) {
      const e = this.#entries.get(name)!;
      this.#entries.delete(name);
      svc.removeInstance(name);
      await e.port.close();
    }
    for (const e of this.#entries.values()) {
      const n = nextSpecs.get(e.inst.name)!;
      if ((n.priority ?? 100) !== e.inst.priority) e.inst.setPriority(n.priority ?? 100);
      e.spec = n;
    }
    for (const spec of next.instances) {
      if (!this.#entries.has(spec.name)) this.#create(spec);
    }
    for (const g of next.groups ?? []) {
      if (svc.group(g.name)) continue;
      const group = svc.addGroup(g.name, {
        instances: g.instances,
        ...(g.notifyHaGroup === undefined ? {} : { notifyHaGroup: g.notifyHaGroup }),
      });
      this.#groupSubs.set(g.name, group.onTransition((t) => this.#bus.emit("group", t)));
    }
    this.#config = next;
    this.#refreshReceivers();
    svc.startAll();
  }

  #create(spec: VrrpInterfaceSpec): void {
    const family = specFamily(spec);
    const facts = this.#table.facts(spec.linkInterface);
    const primary = (family === 4 ? facts?.primary4 : facts?.linkLocal6) ??
      unspecifiedAddress(family);
    const config = instanceConfig(spec, primary);
    const port = new KernelVrrpPort(
      { name: spec.name, link: spec.linkInterface, vrid: spec.vrid, family },
      { ns: this.ns, rtnl: this.#rtnl, log: this.#log },
      config.virtualAddresses,
    );
    const inst = this.service.addInstance(config, port);
    inst.onTransition((t) => this.#bus.emit("transition", t));
    const e: Entry = { spec, inst, port, lower: undefined };
    this.#entries.set(spec.name, e);
    this.#refreshEntry(e);
  }

  // ------------------------------------------------------- link tracking

  async #resync(): Promise<void> {
    const [links, addrs] = [await this.#rtnl.links.list(), await this.#rtnl.addrs.list()];
    this.#table.reset(links, addrs);
    for (const e of this.#entries.values()) this.#refreshEntry(e);
    this.#refreshReceivers();
  }

  #onEvent(ev: RtnlEvent): void {
    if (ev.kind === "overrun") {
      this.#log.warn(`vrrp vrf ${this.vrf}: rtnetlink events lost; reading the links again`);
      if (!this.#resyncing) {
        this.#resyncing = true;
        this.#resync().catch((e) => this.#log.error(`vrrp: cannot read the links: ${e}`))
          .finally(() => this.#resyncing = false);
      }
      return;
    }
    const names = this.#table.apply(ev);
    if (names.length === 0) return;
    let touched = false;
    for (const e of this.#entries.values()) {
      if (names.includes(e.spec.linkInterface)) {
        this.#refreshEntry(e);
        touched = true;
      }
    }
    if (touched) this.#refreshReceivers();
  }

  /** Brings an instance in line with its link: port attachment, primary address, up/down. */
  #refreshEntry(e: Entry): void {
    const link = e.spec.linkInterface;
    const f = this.#table.facts(link);
    if (e.lower !== undefined && e.lower !== f?.index) {
      e.inst.linkDown();
      e.port.detach();
      e.lower = undefined;
    }
    if (!f) {
      e.inst.linkDown();
      return;
    }
    if (e.lower === undefined) {
      e.lower = f.index;
      e.port.attach(f.index);
    }
    const primary = e.inst.config.family === 4 ? f.primary4 : f.linkLocal6;
    if (primary && !ipEqual(primary, e.inst.primaryAddress)) {
      e.inst.setPrimaryAddress(primary);
    }
    e.port.setSource(primary);
    if (f.up && primary) e.inst.linkUp();
    else e.inst.linkDown();
  }

  /** One receive socket per link and family in use, on the link's current ifindex. */
  #refreshReceivers(): void {
    const want = new Map<string, { link: string; family: 4 | 6; index: number | undefined }>();
    for (const r of this.service.receivers) {
      want.set(`${r.link}/${r.family}`, {
        link: r.link,
        family: r.family,
        index: this.#table.facts(r.link)?.index,
      });
    }
    for (const [key, rx] of this.#rx) {
      const w = want.get(key);
      if (!w || w.index !== rx.ifindex) {
        this.#poller.remove(rx.fd);
        rx.close();
        this.#rx.delete(key);
      }
    }
    for (const [key, w] of want) {
      if (this.#rx.has(key) || w.index === undefined) continue;
      try {
        const rx = VrrpRxSocket.open(this.ns, w.link, w.index, w.family);
        this.#rx.set(key, rx);
        this.#poller.add(rx.fd);
      } catch (e) {
        this.#log.error(
          `vrrp: cannot receive on ${w.link} (IPv${w.family}): ${(e as Error).message}`,
        );
      }
    }
  }

  // -------------------------------------------------------------- loop

  async #run(): Promise<void> {
    while (!this.#poller.stopped) {
      try {
        this.#drain();
      } catch (e) {
        this.#log.error(`vrrp vrf ${this.vrf}: ${e instanceof Error ? e.stack : e}`);
      }
      await this.#poller.wait(-1);
    }
  }

  #drain(): void {
    for (const rx of this.#rx.values()) {
      // A socket whose last instance just went is drained into the void until it is closed.
      rx.drain(
        this.service.receiver(rx.link, rx.family) ?? new VrrpReceiver(rx.link, rx.family),
        this.#timeSource,
      );
    }
    this.#events.drain((ev) => this.#onEvent(ev));
    this.#clock?.runDue((e) =>
      this.#log.error(`vrrp vrf ${this.vrf}: timer: ${e instanceof Error ? e.stack : e}`)
    );
  }
}
