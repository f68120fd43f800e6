/**
 * The engine behind an `IkeInstance`: the SA table and runtimes, and the
 * services the tasks use through `SaContext` — SPI allocation, VPN lookup,
 * CHILD SA installation in the dataplane, establishment policy
 * (`unique-sa`, INITIAL_CONTACT, RFC 7296 §2.4), rekey hand-over (§2.18),
 * failure and keying retries, destruction with key wiping, and the events
 * HA listens to.
 *
 * @module
 */
import type { EventBus } from "../core/events.ts";
import type { IpAddress } from "../core/ip.ts";
import { ipEqual } from "../core/ip.ts";
import { randomBelow } from "../core/rng.ts";
import { ChildSa } from "./child_sa.ts";
import type { ChildConfig, GlobalOptions, VpnConfig } from "./config.ts";
import { CookieJar } from "./cookie.ts";
import { type DropReason, type IkeCounters, newCounters, newDrops } from "./counters.ts";
import type { IkeEvents } from "./events.ts";
import { type Identity, identityEquals, identityOfAddress } from "./identity.ts";
import { IkeSa } from "./ike_sa.ts";
import { armChild, armHalfOpen, armIke } from "./lifecycle.ts";
import { dataplaneSa } from "./dataplane_sa.ts";
import type { Endpoint, IkePorts } from "./ports.ts";
import { childRecord, ikeRecord, ikeRef } from "./records.ts";
import { SaRuntime } from "./sa_runtime.ts";
import { SaTable } from "./sa_table.ts";
import { allocateEspSpi, allocateIkeSpi } from "./spi.ts";
import { ChildCreate } from "./tasks/child_create.ts";
import { ChildRekey } from "./tasks/child_rekey.ts";
import { IkeAuth } from "./tasks/ike_auth.ts";
import { IkeConfig } from "./tasks/ike_config.ts";
import { IkeDelete } from "./tasks/ike_delete.ts";
import { IkeInit } from "./tasks/ike_init.ts";
import { IkeNatd } from "./tasks/ike_natd.ts";
import { IkeRekey } from "./tasks/ike_rekey.ts";
import { keyingRetryDelay, mayRetryKeying } from "./timing.ts";

const IKE_PORT = 500;
/** A rekey responder takes over outbound traffic at the latest this long after installing. */
const OUTBOUND_FALLBACK_MS = 10_000;

export class Engine {
  readonly counters: IkeCounters = newCounters();
  readonly drops: Record<DropReason, number> = newDrops();
  readonly cookies: CookieJar;
  vpns = new Map<string, VpnConfig>();
  readonly #runtimes = new Map<IkeSa, SaRuntime>();
  readonly #owner = new Map<ChildSa, SaRuntime>();
  readonly #childSpis = new Set<number>();
  /** Reauthentication: new SA → the SA it replaces once established. */
  readonly #replaces = new Map<IkeSa, IkeSa>();
  #uid = 0;

  constructor(
    readonly vrf: string,
    readonly ports: IkePorts,
    public options: GlobalOptions,
    readonly events: EventBus<IkeEvents>,
  ) {
    this.cookies = new CookieJar(ports.clock, ports.rng);
  }

  readonly table = new SaTable();

  /** Emits an event, building its payload only when someone listens (records copy keys). */
  #emit<K extends keyof IkeEvents>(type: K, payload: () => IkeEvents[K]): void {
    if (this.events.has(type)) this.events.emit(type, payload());
  }

  // --- SA table ------------------------------------------------------------

  runtimes(): SaRuntime[] {
    return [...this.#runtimes.values()];
  }

  runtimeOf(sa: IkeSa): SaRuntime | undefined {
    return this.#runtimes.get(sa);
  }

  ownerOf(child: ChildSa): SaRuntime | undefined {
    return this.#owner.get(child);
  }

  /** A new IKE SA object with state events wired. */
  newSa(initiator: boolean, spiI: Uint8Array, local: Endpoint, remote: Endpoint): IkeSa {
    const sa: IkeSa = new IkeSa(
      ++this.#uid,
      initiator,
      spiI,
      local,
      remote,
      this.ports.clock.now(),
      this.ports.log.ike,
      (old, state) => {
        this.table.stateChanged(sa);
        this.#emit("ike-sa-state", () => ({ ...ikeRef(sa), old, state }));
      },
    );
    return sa;
  }

  /** Adds an SA to the table and gives it a runtime. */
  register(sa: IkeSa): SaRuntime {
    const rt = new SaRuntime(this, sa);
    this.#runtimes.set(sa, rt);
    this.table.add(sa);
    return rt;
  }

  allocateIkeSpi(): Uint8Array {
    return allocateIkeSpi(this.ports.rng, (h) => this.table.has(h));
  }

  allocateChildSpi(): number {
    const spi = allocateEspSpi(this.ports.rng, (s) => this.#childSpis.has(s));
    this.#childSpis.add(spi);
    return spi;
  }

  // --- configuration lookups -----------------------------------------------

  /** VPNs for an IKE_SA_INIT between these endpoints: exact remote address first. */
  vpnsFor(local: Endpoint, remote: Endpoint): VpnConfig[] {
    const all = [...this.vpns.values()].filter((v) =>
      ipEqual(v.localAddress, local.address) &&
      (v.remoteAddress === undefined || ipEqual(v.remoteAddress, remote.address))
    );
    return all.sort((a, b) =>
      Number(b.remoteAddress !== undefined) - Number(a.remoteAddress !== undefined)
    );
  }

  /** The VPN an IKE_AUTH authenticates against: configured identities must match. */
  vpnForAuth(
    local: Endpoint,
    remote: Endpoint,
    peer: Identity,
    us?: Identity,
  ): VpnConfig | undefined {
    const ok = this.vpnsFor(local, remote).filter((v) =>
      (v.remoteId === undefined || identityEquals(v.remoteId, peer)) &&
      (us === undefined || identityEquals(v.localId ?? identityOfAddress(v.localAddress), us))
    );
    return ok.find((v) => v.remoteId !== undefined) ?? ok[0];
  }

  hasOtherSas(self: IkeSa, peer: Identity): boolean {
    return this.runtimes().some(({ sa }) =>
      sa !== self && sa.remoteId !== undefined && identityEquals(sa.remoteId, peer) &&
      (sa.state === "established" || sa.state === "rekeying" || sa.state === "passive")
    );
  }

  // --- initiating ----------------------------------------------------------

  /** Starts an IKE SA for `vpn` with its CHILD SAs (the first inside IKE_AUTH). */
  initiate(vpn: VpnConfig, attempts: number, replaces?: IkeSa): SaRuntime {
    const local = { address: vpn.localAddress, port: IKE_PORT };
    const remote = { address: vpn.remoteAddress!, port: IKE_PORT };
    const sa = this.newSa(true, this.allocateIkeSpi(), local, remote);
    sa.vpn = vpn;
    sa.keyingAttempts = attempts;
    const rt = this.register(sa);
    if (replaces) this.#replaces.set(sa, replaces);
    sa.machine.set("connecting");
    const [first, ...rest] = vpn.children;
    rt.tasks.queue(
      new IkeInit(rt, true),
      new IkeNatd(rt, true),
      new IkeAuth(rt, true),
      new IkeConfig(rt, true),
      ...(first ? [new ChildCreate(rt, true, { inAuth: true, config: first })] : []),
    );
    for (const c of rest) rt.tasks.queue(new ChildCreate(rt, true, { inAuth: false, config: c }));
    this.ports.log.ike.control(`initiating IKE SA ${vpn.name}[${sa.uid}]`);
    return rt;
  }

  /** A responder SA for a first IKE_SA_INIT request. */
  respond(spiI: Uint8Array, local: Endpoint, remote: Endpoint): SaRuntime {
    const sa = this.newSa(false, spiI.slice(), local, remote);
    sa.spiR = this.allocateIkeSpi();
    const rt = this.register(sa);
    sa.machine.set("connecting");
    armHalfOpen(rt);
    return rt;
  }

  /** Make-before-break reauthentication: a fresh IKE SA replaces this one once up. */
  reauthenticate(rt: SaRuntime): void {
    const vpn = rt.sa.vpn;
    if (!vpn || !rt.sa.initiator || vpn.remoteAddress === undefined) {
      // A responder cannot start the replacement; strongSwan lets the SA expire.
      return;
    }
    this.ports.log.ike.control(`reauthenticating IKE SA ${vpn.name}[${rt.sa.uid}]`);
    this.initiate(vpn, 0, rt.sa);
  }

  // --- establishment -------------------------------------------------------

  established(rt: SaRuntime, initialContact: boolean): boolean {
    const { sa } = rt;
    const vpn = sa.vpn!;
    // Other SAs with this peer matter only for unique-sa and INITIAL_CONTACT: a scan of all.
    const unique = vpn.ike.uniqueSa;
    const needOthers = unique === "keep" || unique === "replace" ||
      (initialContact && unique !== "never");
    const others = !needOthers
      ? []
      : this.runtimes().filter((o) =>
        o.sa !== sa && o.sa.vpn?.name === vpn.name && o.sa.remoteId !== undefined &&
        identityEquals(o.sa.remoteId, sa.remoteId!) &&
        (o.sa.state === "established" || o.sa.state === "rekeying")
      );
    const replaced = this.#replaces.get(sa);
    if (!sa.initiator && vpn.ike.uniqueSa === "keep" && others.length > 0 && !initialContact) {
      this.ports.log.ike.warn(`unique-sa keep: refusing a second IKE SA for ${vpn.name}`);
      return false;
    }
    sa.timers.cancel("half-open");
    sa.machine.set("established");
    sa.establishedAt = this.ports.clock.now();
    sa.keyingAttempts = 0;
    this.counters.established++;
    if (initialContact && vpn.ike.uniqueSa !== "never") {
      // §2.4: the peer lost its state; our old SAs with it are dead already.
      for (const o of others) this.destroy(o, "INITIAL_CONTACT from peer");
    } else if (vpn.ike.uniqueSa === "replace" && !sa.initiator) {
      for (const o of others) o.tasks.queue(new IkeDelete(o, "replaced (unique-sa)"));
    }
    if (replaced) {
      this.#replaces.delete(sa);
      const old = this.#runtimes.get(replaced);
      if (old && old.sa.state === "established") {
        old.tasks.queue(new IkeDelete(old, "reauthenticated"));
      }
    }
    armIke(rt);
    this.ports.log.ike.audit(`IKE SA ${vpn.name}[${sa.uid}] established`);
    this.#emit("ike-sa-up", () => ({ record: ikeRecord(this.ports.clock, sa, rt.tasks) }));
    return true;
  }

  successorSa(rt: SaRuntime, initiator: boolean, spiI: Uint8Array, spiR: Uint8Array): IkeSa {
    const old = rt.sa;
    const next = this.newSa(initiator, spiI, old.local, old.remote);
    next.spiR = spiR;
    next.vpn = old.vpn;
    next.nat = { ...old.nat };
    next.localId = old.localId;
    next.remoteId = old.remoteId;
    next.peer = { ...old.peer };
    next.localVips = [...old.localVips];
    next.remoteVips = [...old.remoteVips];
    next.cpReceived = old.cpReceived;
    return next;
  }

  adoptRekeyed(rt: SaRuntime, next: IkeSa): SaRuntime {
    const nrt = this.register(next);
    next.machine.set("established");
    next.establishedAt = this.ports.clock.now();
    this.counters.ikeRekeys++;
    armIke(nrt);
    this.#emit("ike-sa-up", () => ({
      record: ikeRecord(this.ports.clock, next, nrt.tasks),
      rekeyOf: ikeRef(rt.sa),
    }));
    return nrt;
  }

  moveChildren(from: SaRuntime, to: IkeSa): void {
    const trt = this.#runtimes.get(to);
    if (!trt || from.sa === to) return;
    for (const c of [...from.sa.children]) this.moveChild(from, c, trt);
    from.sa.remoteVips = [];
  }

  /** Hands one CHILD SA to another IKE SA. */
  moveChild(from: SaRuntime, c: ChildSa, to: SaRuntime): void {
    from.sa.children = from.sa.children.filter((x) => x !== c);
    to.sa.children.push(c);
    this.#owner.set(c, to);
    this.#emit("child-sa-moved", () => ({ spiIn: c.spiIn, ...ikeRef(to.sa) }));
  }

  // --- CHILD SAs -----------------------------------------------------------

  newChild(rt: SaRuntime, config: ChildConfig, spiIn: number): ChildSa {
    const sa = rt.sa;
    const child: ChildSa = new ChildSa(
      ++this.#uid,
      config,
      spiIn,
      this.ports.log.chd,
      (old, state) =>
        this.#emit("child-sa-state", () => ({
          ikeSpiI: sa.spiI,
          ikeSpiR: sa.spiR,
          spiIn,
          old,
          state,
        })),
    );
    return child;
  }

  installChild(rt: SaRuntime, child: ChildSa, rekeyOf?: ChildSa, passive = false): boolean {
    const { sa } = rt;
    if (!passive) child.encap = sa.natted;
    child.machine.set(passive ? "passive" : "installing");
    // The responder of a rekey switches outbound once the old SA is gone.
    const later = rekeyOf !== undefined && !child.createdByUs && !passive;
    const r = this.ports.dataplane.install(dataplaneSa(sa, child, !later));
    if (!r.ok) {
      this.ports.log.chd.warn(`unable to install CHILD SA ${child.config.name}: ${r.reason}`);
      child.machine.set("destroyed");
      this.#childSpis.delete(child.spiIn);
      child.wipe();
      return false;
    }
    if (!passive) {
      child.machine.set("installed");
      child.installedAt = this.ports.clock.now();
      armChild(rt, child);
    }
    if (later) {
      child.outboundPending = true;
      child.timers.set(
        "outbound",
        this.ports.clock.setTimer(OUTBOUND_FALLBACK_MS, () => this.#activateOutbound(child)),
      );
    }
    sa.children.push(child);
    this.#owner.set(child, rt);
    if (rekeyOf) this.counters.childRekeys++;
    this.ports.log.chd.audit(
      `CHILD SA ${child.config.name}{${child.uid}} installed, SPIs ${child.spiIn.toString(16)}_i ${
        child.spiOut.toString(16)
      }_o${child.encap ? ", UDP-encapsulated" : ""}`,
    );
    if (!passive) {
      this.#emit("child-sa-up", () => ({
        record: childRecord(this.ports.clock, sa, child),
        ...(rekeyOf ? { rekeyOf: rekeyOf.spiIn } : {}),
      }));
    }
    return true;
  }

  #activateOutbound(child: ChildSa): void {
    if (!child.outboundPending || child.state === "destroyed") return;
    child.outboundPending = false;
    child.timers.cancel("outbound");
    this.ports.dataplane.activateOutbound(child.id);
  }

  removeChild(child: ChildSa, reason: string): void {
    if (child.state === "destroyed") return;
    if (child.successor) this.#activateOutbound(child.successor);
    const rt = this.#owner.get(child);
    child.timers.cancelAll();
    this.ports.dataplane.remove(child.id);
    child.machine.set("destroyed");
    this.#owner.delete(child);
    this.#childSpis.delete(child.spiIn);
    if (rt) {
      rt.sa.children = rt.sa.children.filter((c) => c !== child);
      this.#emit("child-sa-down", () => ({
        ikeSpiI: rt.sa.spiI,
        ikeSpiR: rt.sa.spiR,
        vpn: rt.sa.vpn?.name ?? "",
        name: child.config.name,
        spiIn: child.spiIn,
        spiOut: child.spiOut,
        reason,
      }));
    }
    this.ports.log.chd.control(`CHILD SA ${child.config.name}{${child.uid}} removed: ${reason}`);
    child.wipe();
  }

  /** The peer (or we) moved: every CHILD SA follows in the dataplane. */
  endpointsChanged(rt: SaRuntime): void {
    const { sa } = rt;
    for (const c of sa.children) {
      c.encap = sa.natted;
      this.ports.dataplane.update(c.id, { local: sa.local, remote: sa.remote, encap: c.encap });
    }
    this.updated(rt);
  }

  leased(rt: SaRuntime, pool: string, address: IpAddress): void {
    rt.sa.remoteVips.push({ address, pool });
    this.#emit("vip-lease", () => ({ pool, peer: rt.sa.remoteId!, address, leased: true }));
  }

  // --- events --------------------------------------------------------------

  exchangeDone(rt: SaRuntime): void {
    const { sa, tasks } = rt;
    if (sa.state === "destroyed") return;
    this.#emit("ike-sa-mids", () => ({
      ...ikeRef(sa),
      nextSend: tasks.nextSend,
      expectRecv: tasks.expectRecv,
    }));
  }

  updated(rt: SaRuntime): void {
    if (rt.sa.state === "destroyed" || rt.sa.state === "created" || rt.sa.state === "connecting") {
      return;
    }
    this.#emit("ike-sa-updated", () => ({ record: ikeRecord(this.ports.clock, rt.sa, rt.tasks) }));
  }

  // --- failure, retries, destruction ----------------------------------------

  failed(rt: SaRuntime, reason: string, timeout: boolean): void {
    const { sa } = rt;
    const vpn = sa.vpn;
    if (sa.state === "destroyed") return;
    const setup = sa.state === "created" || sa.state === "connecting";
    this.counters.failed++;
    if (!setup && timeout) this.counters.deadPeers++;
    let retryIn: number | undefined;
    if (setup && sa.initiator && vpn && this.vpns.get(vpn.name) === vpn) {
      const attempts = sa.keyingAttempts + 1;
      if (mayRetryKeying(vpn.ike.keyingTries, attempts)) {
        retryIn = keyingRetryDelay(attempts);
        const replaces = this.#replaces.get(sa);
        this.ports.clock.setTimer(retryIn, () => {
          if (this.vpns.get(vpn.name) === vpn) this.initiate(vpn, attempts, replaces);
        });
      }
    }
    this.#emit("ike-sa-failed", () => ({
      vpn: vpn?.name,
      reason,
      ...(retryIn !== undefined ? { retryIn } : {}),
    }));
    this.ports.log.ike.warn(
      `IKE SA ${vpn?.name ?? "(unknown)"}[${sa.uid}] failed: ${
        timeout && !setup ? "peer dead" : reason
      }`,
    );
    this.destroy(rt, timeout && !setup ? "dead peer" : reason);
  }

  retryLater(rt: SaRuntime, what: "child-rekey" | "ike-rekey", child?: ChildSa): void {
    const ms = 2000 + randomBelow(this.ports.rng, 8000);
    this.ports.clock.setTimer(ms, () => {
      if (what === "ike-rekey") {
        if (rt.sa.state === "established") rt.tasks.queue(new IkeRekey(rt));
      } else if (child && child.state === "installed") {
        const owner = this.#owner.get(child) ?? rt;
        owner.tasks.queue(new ChildRekey(owner, child));
      }
    });
  }

  /** Ends an SA: tasks, timers, CHILD SAs, leases, table entry, keys. */
  destroy(rt: SaRuntime, reason: string): void {
    const { sa } = rt;
    if (sa.state === "destroyed") return;
    rt.tasks.destroy(reason);
    sa.timers.cancelAll();
    for (const c of [...sa.children]) this.removeChild(c, reason);
    for (const v of sa.remoteVips) {
      this.ports.pools(v.pool)?.release(sa.remoteId!, v.address);
      this.#emit("vip-lease", () => ({
        pool: v.pool,
        peer: sa.remoteId!,
        address: v.address,
        leased: false,
      }));
    }
    sa.remoteVips = [];
    this.#replaces.delete(sa);
    this.table.remove(sa);
    this.#runtimes.delete(sa);
    const ref = ikeRef(sa);
    sa.machine.set("destroyed");
    this.ports.log.ike.audit(
      `IKE SA ${sa.vpn?.name ?? "(unknown)"}[${sa.uid}] destroyed: ${reason}`,
    );
    this.#emit("ike-sa-down", () => ({ ...ref, reason }));
    sa.wipe();
  }
}
