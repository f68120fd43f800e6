/**
 * One VRF's IPsec gateway: the composition the daemon runs per VRF from
 * its configuration — the kernel I/O of the VRF ({@linkcode VrfIo}: TUNs,
 * UDP 500/4500 and raw ESP sockets, the I/O loop), the ESP
 * {@linkcode Dataplane} and the IKEv2 engine ({@linkcode IkeInstance}),
 * wired through adapters:
 *
 * ```
 *             +--------------------- VrfGateway (one VRF) ----------------------+
 *  UDP 500 -->|  VrfIo loop --ike datagrams--> IkeInstance.receive             |
 *  UDP 4500 <->|     ^   \                       | Transport.send -> VrfIo.sendIke |
 *  raw 50  <->|     |    `--ESP--> Dataplane <---+ Dataplane port (IkeDataplane):|
 *  TUNs    <->|     `----plaintext--'    |          SAs, policies, routes, MTU   |
 *             |   esp events: soft/hard expiry -> ike.childExpired, acquire ->  |
 *             |   ike.acquire (with initiateOnAcquire)                          |
 *             +-----------------------------------------------------------------+
 * ```
 *
 * The daemon creates one with {@linkcode VrfGateway.create}, feeds it the
 * VPNs, PSKs and options of the VRF (`setVpns`, `setPsks`, `setOptions`),
 * drives it (`initiate`, `terminate`, `rekey`, `flush`), shows it
 * (`listIkeSas`, `listChildSas`, `listEspSas`, `counters`) and stops it
 * with {@linkcode VrfGateway.shutdown} (IKE Deletes sent, then sockets and
 * TUNs closed). HA reaches the engine and the dataplane directly (`ike`,
 * `dataplane`) and listens to both event buses.
 *
 * @module
 */
import { type Clock, systemClock } from "../core/clock.ts";
import { EventBus } from "../core/events.ts";
import { formatIp, type IpAddress, ipEqual } from "../core/ip.ts";
import type { LogHub } from "../core/log.ts";
import { type Rng, systemRng } from "../core/rng.ts";
import type { CryptoProvider } from "../crypto/registry.ts";
import { Dataplane, type DataplaneCounters } from "../esp/dataplane.ts";
import type { EspEvents } from "../esp/events.ts";
import type { SeqSyncConfig } from "../esp/seq_sync.ts";
import type { GlobalOptions, VpnConfig } from "../ike/config.ts";
import type { IkeCounters } from "../ike/counters.ts";
import type { IkeEvents } from "../ike/events.ts";
import { IkeInstance, type SaFilter } from "../ike/instance.ts";
import type { ChildSaInfo, IkeSaInfo } from "../ike/listing.ts";
import { tsFromConfig } from "../ike/ts.ts";
import type { VipPool } from "../ike/ports.ts";
import { type PskEntry, PskTable } from "../ike/psk.ts";
import type { Netns } from "../kernel/netns.ts";
import type { Tun } from "../kernel/tun.ts";
import { IkeDataplane } from "./ike_dataplane.ts";
import { TunnelRoutes } from "./tunnel_routes.ts";
import { VrfIo } from "./vrf_io.ts";

export interface VrfGatewayOptions {
  /** The VRF's name (logs, events, `show`). */
  readonly vrf: string;
  /** Its namespace; default the daemon's own (`vrf main`). */
  readonly ns?: Netns;
  readonly logs: LogHub;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** Addresses to listen on besides every VPN's `local-address`. */
  readonly addresses?: readonly IpAddress[];
  readonly vpns?: readonly VpnConfig[];
  readonly psks?: readonly PskEntry[];
  /** `vip-pool` by name (HA supplies synced ones). */
  readonly pools?: (name: string) => VipPool | undefined;
  /** IKE global options (`dos-protection`, retransmits, …). */
  readonly ike?: Partial<GlobalOptions>;
  /** Name of the policy TUN (default `ipsec0`); null: route-based tunnels only. */
  readonly policyTun?: string | null;
  /** Routing table of the routes into the policy TUN; default main. */
  readonly routeTable?: number;
  /** Raw protocol-50 sockets for ESP without UDP encapsulation; default true. */
  readonly rawEsp?: boolean;
  /** MTU of the links toward peers; default 1500. */
  readonly linkMtu?: number;
  /** Crypto provider of the ESP transforms; default `openssl` (falls back to node:crypto, pure). */
  readonly crypto?: CryptoProvider;
  /** `sync-period-time` / `sync-period-packets` of the sequence-number events (HA). */
  readonly seqSync?: SeqSyncConfig;
  /** Start a VPN when traffic meets one of its policies without an SA (strongSwan's trap). */
  readonly initiateOnAcquire?: boolean;
  readonly ikeEvents?: EventBus<IkeEvents>;
  readonly espEvents?: EventBus<EspEvents>;
  /** Packets per I/O batch; default 64. */
  readonly batch?: number;
}

/** `show ipsec sa`: one row per ESP SA of the dataplane. */
export interface EspSaInfo {
  readonly name: string;
  readonly spi: string;
  readonly direction: "in" | "out";
  readonly description: string;
  readonly esn: boolean;
  readonly packets: number;
  readonly bytes: number;
  /** Outbound: last sequence number sent; inbound: highest accepted. */
  readonly seq: number;
  readonly replayDrops: number;
  readonly icvFailures: number;
}

/** `show ipsec counters` of the VRF. */
export interface GatewayCounters {
  readonly vrf: string;
  readonly ike: Readonly<IkeCounters>;
  readonly ikeDrops: Readonly<Record<string, number>>;
  readonly esp: DataplaneCounters;
  readonly io: ReturnType<VrfIo["counters"]>;
}

/** See the module doc. */
export class VrfGateway {
  readonly vrf: string;
  readonly ike: IkeInstance;
  readonly dataplane: Dataplane;
  readonly io: VrfIo;
  readonly #port: IkeDataplane;
  readonly #routes: TunnelRoutes | undefined;
  readonly #psks: PskTable;
  readonly #logs: LogHub;
  readonly #initiateOnAcquire: boolean;
  #vpns: readonly VpnConfig[] = [];
  #mtuChain: Promise<void> = Promise.resolve();
  #mtuQueued = false;
  #stopped = false;

  private constructor(
    o: VrfGatewayOptions,
    io: VrfIo,
    dp: Dataplane,
    port: IkeDataplane,
    routes: TunnelRoutes | undefined,
    ike: IkeInstance,
    psks: PskTable,
  ) {
    this.vrf = o.vrf;
    this.io = io;
    this.dataplane = dp;
    this.#port = port;
    this.#routes = routes;
    this.ike = ike;
    this.#psks = psks;
    this.#logs = o.logs;
    this.#initiateOnAcquire = o.initiateOnAcquire ?? false;
  }

  /** Opens the VRF's I/O, builds dataplane and engine, starts the loop, applies `vpns`. */
  static async create(o: VrfGatewayOptions): Promise<VrfGateway> {
    const clock = o.clock ?? systemClock;
    const rng = o.rng ?? systemRng;
    const logs = o.logs;
    const dp = new Dataplane({
      vrf: o.vrf,
      clock,
      rng,
      log: logs.logger("esp"),
      ...(o.espEvents ? { events: o.espEvents } : {}),
      ...(o.seqSync ? { seqSync: o.seqSync } : {}),
    });
    const addresses: IpAddress[] = [];
    for (const a of [...(o.addresses ?? []), ...(o.vpns ?? []).map((v) => v.localAddress)]) {
      if (!addresses.some((x) => ipEqual(x, a))) addresses.push(a);
    }
    let ike: IkeInstance | undefined;
    const io = VrfIo.open({
      vrf: o.vrf,
      ...(o.ns ? { ns: o.ns } : {}),
      dataplane: dp,
      log: logs.logger("esp"),
      knl: logs.logger("knl"),
      addresses,
      ...(o.policyTun !== undefined ? { policyTun: o.policyTun } : {}),
      ...(o.rawEsp !== undefined ? { rawEsp: o.rawEsp } : {}),
      ...(o.linkMtu !== undefined ? { linkMtu: o.linkMtu } : {}),
      ...(o.batch !== undefined ? { batch: o.batch } : {}),
      onIke: (data, local, remote) => ike?.receive(data, local, remote),
    });
    try {
      const routes = io.policyTun
        ? new TunnelRoutes(io.rtnl, io.policyTun.name, logs.logger("knl"), o.routeTable)
        : undefined;
      const hooks = { changed: () => {} };
      const port = new IkeDataplane({
        dataplane: dp,
        clock,
        log: logs.logger("chd"),
        ...(routes ? { routes } : {}),
        ...(o.crypto ? { crypto: o.crypto } : {}),
        linkMtu: io.linkMtu,
        onChange: () => hooks.changed(),
      });
      const psks = new PskTable(o.psks ?? []);
      const net = logs.logger("net");
      let warned = false;
      ike = new IkeInstance({
        vrf: o.vrf,
        ...(o.ike ? { options: o.ike } : {}),
        ...(o.ikeEvents ? { events: o.ikeEvents } : {}),
        ports: {
          clock,
          rng,
          log: { ike: logs.logger("ike"), chd: logs.logger("chd"), enc: logs.logger("enc") },
          transport: {
            send(local, remote, data) {
              if (io.sendIke(local, remote, data) || warned) return;
              warned = true;
              net.warn(`${o.vrf}: cannot send IKE from ${formatIp(local.address)}:${local.port}`);
            },
          },
          dataplane: port,
          psk: psks,
          pools: o.pools ?? (() => undefined),
        },
      });
      const gw = new VrfGateway(o, io, dp, port, routes, ike, psks);
      hooks.changed = () => gw.#mtusChanged();
      gw.#wireEvents();
      await io.start();
      dp.start();
      if (o.vpns) gw.setVpns(o.vpns);
      return gw;
    } catch (e) {
      await io.close();
      throw e;
    }
  }

  #wireEvents(): void {
    const ev = this.dataplane.events;
    const expired = (hard: boolean) => (e: EspEvents["sa-soft-expired"]) => {
      const spi = this.#port.spiInOf(e.sa);
      if (spi !== undefined) this.ike.childExpired(spi, hard);
    };
    ev.on("sa-soft-expired", expired(false));
    ev.on("sa-hard-expired", expired(true));
    ev.on("acquire", (e) => {
      if (!this.#initiateOnAcquire) return;
      const policy = this.#port.policyOf(e.reqid);
      for (const v of this.#vpns) {
        const c = v.children.find((c) => `${v.name}/${c.name}` === policy);
        if (c) return void this.ike.acquire(v.name, c.name);
      }
    });
  }

  #mtusChanged(): void {
    if (this.#mtuQueued || this.#stopped) return;
    this.#mtuQueued = true;
    this.#mtuChain = this.#mtuChain.then(async () => {
      this.#mtuQueued = false;
      if (this.#stopped) return;
      await this.io.updateMtus(this.dataplane.sas());
    }).catch((e) =>
      this.#logs.logger("knl").warn(`Cannot set the TUN MTUs: ${(e as Error).message}`)
    );
  }

  // ---- configuration -----------------------------------------------------

  /**
   * Replaces the VPN set (sockets opened for new local addresses first);
   * see `IkeInstance.setVpns`. With `initiateOnAcquire`, every
   * policy-based tunnel-mode CHILD of a VPN with a remote address gets trap
   * policies and routes, so its first packet starts the VPN.
   */
  setVpns(vpns: readonly VpnConfig[]): { added: string[]; removed: string[]; changed: string[] } {
    for (const v of vpns) this.io.addAddress(v.localAddress);
    this.#vpns = [...vpns];
    const r = this.ike.setVpns(vpns);
    this.#setTraps();
    return r;
  }

  #setTraps(): void {
    const want = new Set<string>();
    if (this.#initiateOnAcquire) {
      for (const v of this.#vpns) {
        if (v.remoteAddress === undefined) continue;
        for (const c of v.children) {
          if (c.mode !== "tunnel" || c.svtiIdIn !== undefined || c.svtiIdOut !== undefined) {
            continue;
          }
          const policy = `${v.name}/${c.name}`;
          want.add(policy);
          this.#port.trap(
            policy,
            c.localTs.map((t) => tsFromConfig(t, v.localAddress)),
            c.remoteTs.map((t) => tsFromConfig(t, v.remoteAddress!)),
            v.remoteAddress,
          );
        }
      }
    }
    for (const p of this.#port.trapped) if (!want.has(p)) this.#port.untrap(p);
  }

  /** The VPNs in force. */
  get vpns(): readonly VpnConfig[] {
    return this.#vpns;
  }

  setPsks(entries: readonly PskEntry[]): void {
    this.#psks.set(entries);
  }

  setOptions(o: Partial<GlobalOptions>): void {
    this.ike.setOptions(o);
  }

  /** Listens on one more local address (UDP 500/4500, raw 50). */
  addAddress(address: IpAddress): void {
    this.io.addAddress(address);
  }

  removeAddress(address: IpAddress): void {
    this.io.removeAddress(address);
  }

  /**
   * The TUN of SVTI `id` (route-based tunnel, `svti-id-in`/`svti-id-out`),
   * created in `ns` (the VRF of the interface; default this one).
   */
  async addSvti(id: number, name: string, ns?: Netns): Promise<Tun> {
    const tun = await this.io.addSvti(id, name, ns);
    this.#mtusChanged();
    return tun;
  }

  removeSvti(id: number): void {
    this.io.removeSvti(id);
  }

  // ---- operations --------------------------------------------------------

  /** Starts VPN `name`; the IKE SA's id, or undefined for an unknown or responder-only VPN. */
  initiate(name: string): number | undefined {
    return this.ike.initiate(name);
  }

  terminate(filter: SaFilter): number {
    return this.ike.terminate(filter);
  }

  terminateChild(spiIn: number): boolean {
    return this.ike.terminateChild(spiIn);
  }

  rekey(target: { readonly uid: number } | { readonly childSpi: number }): boolean {
    return this.ike.rekey(target);
  }

  flush(filter: SaFilter = {}): number {
    return this.ike.flush(filter);
  }

  // ---- show --------------------------------------------------------------

  listIkeSas(): IkeSaInfo[] {
    return this.ike.listIkeSas();
  }

  /** CHILD SAs with the dataplane's traffic counters. */
  listChildSas(): ChildSaInfo[] {
    return this.ike.listChildSas();
  }

  listEspSas(): EspSaInfo[] {
    return this.dataplane.sas().map((sa) => ({
      name: sa.name,
      spi: sa.spi.toString(16).padStart(8, "0"),
      direction: sa.direction,
      description: sa.describe(),
      esn: sa.esn,
      packets: sa.counters.packets,
      bytes: sa.counters.bytes,
      seq: sa.syncValue,
      replayDrops: sa.counters.replayDrops,
      icvFailures: sa.counters.icvFailures,
    }));
  }

  counters(): GatewayCounters {
    return {
      vrf: this.vrf,
      ike: this.ike.counters,
      ikeDrops: this.ike.drops,
      esp: this.dataplane.counters(),
      io: this.io.counters(),
    };
  }

  // ---- shutdown ----------------------------------------------------------

  /**
   * Clean stop (SIGTERM): IKE deletes every SA and tells each peer once,
   * the dataplane's SAs are removed (keys zeroed), the routes this gateway
   * added are removed, the loop stops and every socket and TUN is closed.
   */
  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.ike.shutdown();
    this.dataplane.stop();
    this.#port.removeAll();
    await this.#routes?.clear();
    await this.#mtuChain;
    await this.io.close();
    this.#logs.logger("dmn").control(`${this.vrf}: gateway stopped`);
  }
}
