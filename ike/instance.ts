/**
 * One IKEv2 engine per VRF: the public face of `ike/`. The I/O layer hands
 * every UDP datagram of ports 500 and 4500 to {@linkcode IkeInstance.receive}
 * (which sorts out ESP-in-UDP and keepalives on 4500, RFC 3948 §2); the
 * daemon drives VPNs with `initiate`/`terminate`/`rekey`/`flush`, lists SAs
 * for `show`, reloads configuration, and HA mirrors SAs with the
 * `import*`/`activate` calls and the events.
 *
 * New IKE_SA_INIT requests pass the DoS checks first (RFC 7296 §2.6, as
 * strongSwan): beyond `initLimitHalfOpen` half-open SAs nothing new is
 * accepted; with `dos-protection`, an address with `blockThreshold`
 * half-open SAs is ignored, and a stateless COOKIE challenge is answered
 * first once `cookieThreshold` half-open SAs exist, or `cookieThresholdIp`
 * from that address.
 *
 * @module
 */
import { EventBus } from "../core/events.ts";
import {
  type ChildConfig,
  DEFAULT_GLOBAL_OPTIONS,
  type GlobalOptions,
  type VpnConfig,
} from "./config.ts";
import {
  ExchangeType,
  IKE_MAJOR_VERSION,
  IKE_MINOR_VERSION,
  NATT_PORT,
  NotifyType,
} from "./constants.ts";
import type { DropReason, IkeCounters } from "./counters.ts";
import { Engine } from "./engine.ts";
import type { ChildSaRecord, IkeEvents, IkeSaRecord, IkeSaRef } from "./events.ts";
import { type ChildSaInfo, type IkeSaInfo, listChildSas, listIkeSas } from "./listing.ts";
import { findNotify, findPayload } from "./message/find.ts";
import { decodeMessage, encodeMessage } from "./message/message.ts";
import { addNonEspMarker, classifyNattDatagram } from "./message/natt.ts";
import type { RawMessage } from "./message/types.ts";
import {
  activate,
  deactivate,
  findRuntime,
  importChildSa,
  importIkeSa,
  movePassiveChild,
  updateMids,
} from "./passive.ts";
import type { Endpoint, IkePorts } from "./ports.ts";
import { childRecord, ikeRecord } from "./records.ts";
import type { SaRuntime } from "./sa_runtime.ts";
import { rekeyChild } from "./lifecycle.ts";
import { ChildCreate } from "./tasks/child_create.ts";
import { ChildDelete } from "./tasks/child_delete.ts";
import { IkeDelete } from "./tasks/ike_delete.ts";
import { IkeMidSync } from "./tasks/ike_mid_sync.ts";
import { IkeRekey } from "./tasks/ike_rekey.ts";
import { notify } from "./wire.ts";

/** What a received datagram was. */
export type ReceiveResult = "ike" | "esp" | "keepalive" | "dropped";

export interface IkeInstanceInit {
  readonly vrf: string;
  readonly ports: IkePorts;
  readonly options?: Partial<GlobalOptions>;
  readonly events?: EventBus<IkeEvents>;
  readonly vpns?: readonly VpnConfig[];
}

/** Whether two configurations of a VPN differ in their CHILD configurations only. */
function sameButChildren(a: VpnConfig, b: VpnConfig): boolean {
  return JSON.stringify({ ...a, children: [] }) === JSON.stringify({ ...b, children: [] });
}

/**
 * What an acquire did: started the VPN, asked for the CHILD SA on the
 * established IKE SA, nothing because it is pending, or nothing because
 * the VPN or CHILD is unknown or this side only responds.
 */
export type AcquireOutcome = "initiated" | "child-requested" | "pending" | "unknown";

/** Which SAs an operation applies to. */
export type SaFilter = { readonly vpn?: string; readonly uid?: number; readonly unknown?: boolean };

const engines = new WeakMap<IkeInstance, Engine>();

/** The engine inside an instance: for white-box tests and debugging only. */
export function engineOf(i: IkeInstance): Engine {
  return engines.get(i)!;
}

export class IkeInstance {
  readonly events: EventBus<IkeEvents>;
  readonly #engine: Engine;

  constructor(init: IkeInstanceInit) {
    this.events = init.events ?? new EventBus<IkeEvents>();
    this.#engine = new Engine(
      init.vrf,
      init.ports,
      { ...DEFAULT_GLOBAL_OPTIONS, ...init.options },
      this.events,
    );
    engines.set(this, this.#engine);
    if (init.vpns) this.setVpns(init.vpns);
  }

  get counters(): Readonly<IkeCounters> {
    return this.#engine.counters;
  }

  get drops(): Readonly<Record<DropReason, number>> {
    return this.#engine.drops;
  }

  // --- datagrams -----------------------------------------------------------

  /** Takes one UDP datagram received on `local` from `remote`. Never throws on bad input. */
  receive(data: Uint8Array, local: Endpoint, remote: Endpoint): ReceiveResult {
    const e = this.#engine;
    let bytes = data;
    if (local.port === NATT_PORT) {
      const c = classifyNattDatagram(data);
      if (c.kind === "esp") return "esp";
      if (c.kind === "keepalive") {
        e.counters.keepalives++;
        return "keepalive";
      }
      if (c.kind === "invalid") return this.#drop("not-ike");
      bytes = c.message;
    }
    e.counters.received++;
    const raw = decodeMessage(bytes.slice());
    if (!raw.ok) return this.#drop("invalid");
    const h = raw.value.header;
    if (h.exchange === ExchangeType.IKE_SA_INIT && !h.flags.response && h.flags.initiator) {
      if (h.spiR.some((b) => b !== 0) || h.messageId !== 0) return this.#drop("invalid");
      const known = e.table.lookupInit(h.spiI, remote);
      if (known) {
        e.runtimeOf(known)?.receive(raw.value, local, remote);
        return "ike";
      }
      return this.#newResponder(raw.value, local, remote);
    }
    const sa = e.table.lookup(h.spiI, h.spiR, h.flags.initiator);
    const rt = sa && e.runtimeOf(sa);
    if (!rt) return this.#drop("invalid-spi");
    rt.receive(raw.value, local, remote);
    return "ike";
  }

  #drop(why: DropReason): ReceiveResult {
    this.#engine.drops[why]++;
    return "dropped";
  }

  #newResponder(raw: RawMessage, local: Endpoint, remote: Endpoint): ReceiveResult {
    const e = this.#engine;
    const o = e.options;
    const halfOpen = e.table.halfOpenCount;
    const fromPeer = e.table.halfOpenFrom(remote);
    if (o.initLimitHalfOpen > 0 && halfOpen >= o.initLimitHalfOpen) return this.#drop("blocked");
    if (o.dosProtection && fromPeer >= o.blockThreshold) return this.#drop("blocked");
    if (o.dosProtection && (halfOpen >= o.cookieThreshold || fromPeer >= o.cookieThresholdIp)) {
      const nonce = findPayload(raw, "nonce");
      const cookie =
        raw.payloads[0]?.kind === "notify" && raw.payloads[0].type === NotifyType.COOKIE
          ? findNotify(raw, NotifyType.COOKIE)
          : undefined;
      if (!nonce) return this.#drop("invalid");
      if (!cookie || !e.cookies.verify(cookie.data, nonce.data, remote.address, raw.header.spiI)) {
        this.#sendCookie(
          raw,
          e.cookies.make(nonce.data, remote.address, raw.header.spiI),
          local,
          remote,
        );
        return "ike";
      }
    }
    e.respond(raw.header.spiI, local, remote).receive(raw, local, remote);
    return "ike";
  }

  #sendCookie(raw: RawMessage, cookie: Uint8Array, local: Endpoint, remote: Endpoint): void {
    const e = this.#engine;
    const bytes = encodeMessage({
      header: {
        ...raw.header,
        spiR: new Uint8Array(8),
        majorVersion: IKE_MAJOR_VERSION,
        minorVersion: IKE_MINOR_VERSION,
        flags: { initiator: false, response: true, higherVersion: false },
      },
      payloads: [notify(NotifyType.COOKIE, cookie)],
    });
    e.counters.cookiesSent++;
    e.counters.sent++;
    e.ports.transport.send(
      local,
      remote,
      local.port === NATT_PORT ? addNonEspMarker(bytes) : bytes,
    );
  }

  // --- operations ----------------------------------------------------------

  /** Starts the VPN `name`; returns the new IKE SA's id, or undefined for an unknown or responder-only VPN. */
  initiate(name: string): number | undefined {
    const vpn = this.#engine.vpns.get(name);
    if (!vpn || vpn.remoteAddress === undefined) return undefined;
    return this.#engine.initiate(vpn, 0).sa.uid;
  }

  /**
   * Traffic met the trap policy of CHILD `child` of VPN `name` and found no
   * SA (the RFC 4301 §5.2 "acquire"). With no IKE SA the VPN is started;
   * an established IKE SA negotiates the CHILD with CREATE_CHILD_SA (RFC
   * 7296 §1.3.1) unless one is installed or under way; an IKE SA still
   * connecting, rekeying or passive brings or owes it already. Returns what
   * was done.
   */
  acquire(name: string, child: string): AcquireOutcome {
    const vpn = this.#engine.vpns.get(name);
    const config = vpn?.children.find((c) => c.name === child);
    if (!vpn || !config || vpn.remoteAddress === undefined) return "unknown";
    const live = this.#select({ vpn: name }).filter((rt) =>
      rt.sa.state !== "deleting" && rt.sa.state !== "destroyed"
    );
    if (live.length === 0) {
      this.#engine.initiate(vpn, 0);
      return "initiated";
    }
    const rt = live.find((r) => r.sa.state === "established");
    if (!rt) return "pending";
    const present = rt.sa.children.some((c) =>
      c.config.name === child && c.state !== "deleting" && c.state !== "destroyed" &&
      c.state !== "rekeyed"
    );
    const underWay = [...rt.tasks.activeTasks(), ...rt.tasks.queuedTasks()].some((t) =>
      t instanceof ChildCreate && t.initiator && t.creates === child
    );
    if (present || underWay) return "pending";
    rt.tasks.queue(new ChildCreate(rt, true, { inAuth: false, config }));
    return "child-requested";
  }

  #select(f: SaFilter): SaRuntime[] {
    return this.#engine.runtimes().filter(({ sa }) =>
      (f.uid === undefined || sa.uid === f.uid) &&
      (f.vpn === undefined || sa.vpn?.name === f.vpn) &&
      (!f.unknown || sa.vpn === undefined || sa.state === "created" || sa.state === "connecting")
    );
  }

  /** Deletes matching IKE SAs, telling the peer; returns how many. */
  terminate(f: SaFilter): number {
    const rts = this.#select(f);
    for (const rt of rts) {
      const s = rt.sa.state;
      if (s === "established" || s === "rekeying" || s === "rekeyed") {
        rt.tasks.flush("terminated");
        rt.tasks.queue(new IkeDelete(rt, "terminated"));
      } else if (s !== "deleting") {
        this.#engine.destroy(rt, "terminated");
      }
    }
    return rts.length;
  }

  /** Deletes one CHILD SA (by inbound SPI), telling the peer. */
  terminateChild(spiIn: number): boolean {
    for (const rt of this.#engine.runtimes()) {
      const c = rt.sa.children.find((x) => x.spiIn === spiIn);
      if (!c) continue;
      rt.tasks.queue(new ChildDelete(rt, [c], "terminated"));
      return true;
    }
    return false;
  }

  /** Rekeys an IKE SA (by id) or a CHILD SA (by inbound SPI). */
  rekey(target: { readonly uid: number } | { readonly childSpi: number }): boolean {
    for (const rt of this.#engine.runtimes()) {
      if ("uid" in target) {
        if (rt.sa.uid !== target.uid || rt.sa.state !== "established") continue;
        rt.tasks.queue(new IkeRekey(rt));
        return true;
      }
      const c = rt.sa.children.find((x) => x.spiIn === target.childSpi && x.state === "installed");
      if (c) {
        rekeyChild(c, rt);
        return true;
      }
    }
    return false;
  }

  /**
   * Clears SAs (`flush`): established ones are deleted with the peer told,
   * half-open and `(unknown)` ones are dropped silently. Returns how many.
   */
  flush(f: SaFilter = {}): number {
    return this.terminate(f);
  }

  /** A dataplane byte/packet limit of the CHILD SA with inbound SPI `spiIn` was reached. */
  childExpired(spiIn: number, hard: boolean): void {
    for (const rt of this.#engine.runtimes()) {
      const c = rt.sa.children.find((x) => x.spiIn === spiIn);
      if (!c) continue;
      if (!hard) rekeyChild(c, rt);
      else rt.tasks.queue(new ChildDelete(rt, [c], "hard limit reached"));
      return;
    }
  }

  listIkeSas(): IkeSaInfo[] {
    return listIkeSas(this.#engine);
  }

  listChildSas(): ChildSaInfo[] {
    return listChildSas(this.#engine);
  }

  counts(): { ikeSas: number; halfOpen: number; childSas: number; passive: number } {
    const rts = this.#engine.runtimes();
    return {
      ikeSas: rts.length,
      halfOpen: this.#engine.table.halfOpenCount,
      childSas: rts.reduce((n, rt) => n + rt.sa.children.length, 0),
      passive: rts.filter((rt) => rt.sa.state === "passive").length,
    };
  }

  /**
   * Replaces the VPN set. SAs of removed VPNs are deleted; SAs of changed
   * VPNs are deleted too (they were negotiated under the old settings) and
   * the VPN is started again if it was started before; unchanged VPNs and
   * their SAs are not touched. A VPN whose only change is in its CHILD
   * configurations (a security-policy added, removed or changed) keeps its
   * IKE SAs: see {@linkcode IkeInstance.#reconcileChildren}.
   */
  setVpns(vpns: readonly VpnConfig[]): { added: string[]; removed: string[]; changed: string[] } {
    const e = this.#engine;
    const next = new Map(vpns.map((v) => [v.name, v]));
    const added = [...next.keys()].filter((n) => !e.vpns.has(n));
    const removed = [...e.vpns.keys()].filter((n) => !next.has(n));
    const changed = [...next.keys()].filter((n) =>
      e.vpns.has(n) && JSON.stringify(e.vpns.get(n)) !== JSON.stringify(next.get(n))
    );
    const childrenOnly = changed.filter((n) => sameButChildren(e.vpns.get(n)!, next.get(n)!));
    const rebuilt = changed.filter((n) => !childrenOnly.includes(n));
    const restart = rebuilt.filter((n) => this.#select({ vpn: n }).some((rt) => rt.sa.initiator));
    const before = new Map(childrenOnly.map((n) => [n, e.vpns.get(n)!]));
    e.vpns = next;
    for (const n of [...removed, ...rebuilt]) this.terminate({ vpn: n });
    for (const n of restart) this.initiate(n);
    for (const [n, old] of before) this.#reconcileChildren(old, next.get(n)!);
    return { added, removed, changed };
  }

  /**
   * A VPN's CHILD configurations changed, nothing else: its IKE SAs take the
   * new configuration; on each established one, CHILD SAs of removed or
   * changed configurations are deleted (the peer told), and, where this
   * side may initiate (a remote address), new and changed configurations
   * are negotiated with CREATE_CHILD_SA. CHILD SAs of unchanged
   * configurations are not touched.
   */
  #reconcileChildren(old: VpnConfig, vpn: VpnConfig): void {
    const key = (c: ChildConfig) => JSON.stringify(c);
    const keptNames = new Set(
      old.children.filter((c) => vpn.children.some((d) => key(d) === key(c))).map((c) => c.name),
    );
    const fresh = vpn.children.filter((c) => !keptNames.has(c.name));
    for (const rt of this.#select({ vpn: vpn.name })) {
      rt.sa.vpn = vpn;
      if (rt.sa.state !== "established") continue;
      const gone = rt.sa.children.filter((c) =>
        !keptNames.has(c.config.name) && (c.state === "installed" || c.state === "rekeying")
      );
      if (gone.length > 0) rt.tasks.queue(new ChildDelete(rt, gone, "configuration changed"));
      if (vpn.remoteAddress === undefined) continue;
      for (const c of fresh) {
        rt.tasks.queue(new ChildCreate(rt, true, { inAuth: false, config: c }));
      }
    }
  }

  setOptions(o: Partial<GlobalOptions>): void {
    this.#engine.options = { ...this.#engine.options, ...o };
  }

  /** Clean shutdown: every SA is deleted with a Delete sent once (no retransmits), then destroyed. */
  shutdown(): void {
    const e = this.#engine;
    for (const rt of e.runtimes()) {
      if (rt.sa.state === "established" || rt.sa.state === "rekeying") {
        rt.tasks.flush("shutdown");
        rt.tasks.queue(new IkeDelete(rt, "shutdown"));
        rt.tasks.initiate();
      }
      e.destroy(rt, "shutdown");
    }
    e.cookies.destroy();
  }

  // --- HA ------------------------------------------------------------------

  /** Records of every established SA and its CHILD SAs (bulk resync). */
  exportSas(): { ike: IkeSaRecord; children: ChildSaRecord[] }[] {
    const clock = this.#engine.ports.clock;
    return this.#engine.runtimes()
      .filter((rt) =>
        rt.sa.keys && rt.sa.vpn && rt.sa.state !== "connecting" && rt.sa.state !== "created"
      )
      .map((rt) => ({
        ike: ikeRecord(clock, rt.sa, rt.tasks),
        children: rt.sa.children.filter((c) => c.keys && c.proposal).map((c) =>
          childRecord(clock, rt.sa, c)
        ),
      }));
  }

  /** Creates or refreshes a passive IKE SA from a record; false if not possible here. */
  importIkeSa(rec: IkeSaRecord): boolean {
    return importIkeSa(this.#engine, rec);
  }

  /** Creates a passive CHILD SA (installed in the dataplane) from a record. */
  importChildSa(rec: ChildSaRecord): boolean {
    return importChildSa(this.#engine, rec);
  }

  /** Updates a passive SA's message IDs (`ike-sa-mids`). */
  importMids(ref: IkeSaRef, nextSend: number, expectRecv: number): boolean {
    return updateMids(this.#engine, ref, nextSend, expectRecv);
  }

  /** Moves a passive CHILD SA to another passive IKE SA (`child-sa-moved`). */
  movePassiveChild(spiIn: number, to: IkeSaRef): boolean {
    return movePassiveChild(this.#engine, spiIn, to);
  }

  /** Removes a passive IKE SA, or one passive CHILD SA of it, without telling the peer. */
  removePassive(ref: IkeSaRef, childSpiIn?: number): boolean {
    const rt = findRuntime(this.#engine, ref);
    if (!rt || rt.sa.state !== "passive") return false;
    if (childSpiIn === undefined) {
      this.#engine.destroy(rt, "removed by HA");
      return true;
    }
    const c = rt.sa.children.find((x) => x.spiIn === childSpiIn);
    if (c) this.#engine.removeChild(c, "removed by HA");
    return c !== undefined;
  }

  /** Makes passive SAs active (takeover). With `midSync`, repairs message IDs in-band (RFC 6311). */
  activate(filter: SaFilter = {}, opts: { midSync?: boolean } = {}): number {
    return activate(this.#engine, this.#select(filter), opts.midSync ?? false);
  }

  /** Makes active SAs passive (HA demotion). */
  deactivate(filter: SaFilter = {}): number {
    return deactivate(this.#select(filter));
  }

  /** Starts an RFC 6311 message ID sync on an active SA whose peer supports it. */
  syncMessageIds(ref: { readonly spiI: Uint8Array; readonly spiR: Uint8Array }): boolean {
    const rt = findRuntime(this.#engine, ref);
    if (!rt || rt.sa.state !== "established" || !rt.sa.peer.midSync) return false;
    rt.tasks.queue(new IkeMidSync(rt, true));
    return true;
  }
}
