/**
 * The I/O loop of one VRF: binds an ESP {@linkcode Dataplane} to kernel
 * fds with the poll-async pattern (DENO-FACTS §3) — every fd O_NONBLOCK,
 * drained synchronously in batches into preallocated buffers, then one
 * `Poller.wait` (a single thread hop) until something is readable again.
 *
 * ```
 * TUN (policy: ifaceId null, SVTI: ifaceId n) --readBatch--> outbound() --ESP into a tx slot--> sendmmsg (UDP 4500 [GSO] | raw 50)
 *                                                                      \--icmp--> write back into that TUN
 * UDP 4500 --recvmmsg--> inbound() --tun--> write into the policy TUN or SVTI n
 *                                  \--ike (non-ESP marker)--> onIke(datagram, local, remote)
 * raw 50 ---recvmmsg--> (IPv4: strip the IP header in place) --> inbound()
 * UDP 500 --recvmmsg--> onIke(...)            IKE sends: sendIke() -> sendto on the socket of its local endpoint
 * after each batch: tx flushed (one sendmmsg), dataplane events flushed
 * ```
 *
 * IKE on port 500 shares this loop instead of using `Deno.listenDatagram`
 * (DENO-FACTS §5 found that faster for request/response): one mechanism
 * for both IKE ports, the same socket for IKE and ESP on 4500 as RFC 3948
 * requires, and nothing to hand between two event sources. An idle loop
 * wakes from `poll` at once when a datagram arrives, so IKE latency is
 * one thread hop.
 *
 * ESP leaves through `tx_batch.ts`: equal-sized packets to one peer are
 * coalesced into UDP GSO datagrams, so a bulk flow crosses the sending
 * stack once per up to 64 packets.
 *
 * The loop owns no fds: the VRF's gateway opens the TUNs and sockets (in
 * the right namespaces), adds them here, and closes them after
 * {@linkcode EspIoLoop.stop}. Per packet the loop allocates nothing: the
 * dataplane builds ESP directly into a send-batch slot and decrypts into
 * its own buffer, which is written to the TUN from there. IKE datagrams
 * (rare) get views and endpoint objects.
 *
 * Fairness: one round reads at most one batch per TUN queue and per socket;
 * up to {@linkcode IoLoopOptions.maxRounds} rounds run before the loop
 * yields to the event loop (timers, IKE, signals) through `Poller.wait`,
 * which returns at once when an fd is still readable.
 *
 * @module
 */
import { formatIp, type IpAddress } from "../../core/ip.ts";
import type { Logger } from "../../core/log.ts";
import { DatagramBatch } from "../../kernel/msg_batch.ts";
import { Poller } from "../../kernel/poller.ts";
import type { IpSocket } from "../../kernel/socket_base.ts";
import type { Tun } from "../../kernel/tun.ts";
import type { Dataplane } from "../dataplane.ts";
import type { OutboundAction } from "../actions.ts";
import { type IoCounters, newIoCounters } from "./counters.ts";
import { EspTx, probeGso, type TxSocket } from "./tx_batch.ts";

/** An address and UDP port (the shape IKE's ports use). */
export interface IoEndpoint {
  readonly address: IpAddress;
  readonly port: number;
}

/** Receives IKE datagrams: port 500, and port 4500 ones with the non-ESP marker (marker kept). */
export type IkeReceiver = (data: Uint8Array, local: IoEndpoint, remote: IoEndpoint) => void;

export interface IoLoopOptions {
  readonly dataplane: Dataplane;
  readonly log: Logger;
  readonly onIke?: IkeReceiver;
  /** Packets per batch (recvmmsg/sendmmsg/TUN reads); default 64. */
  readonly batch?: number;
  /** Bytes per batch slot: the largest packet read or received; default 2048. */
  readonly slotSize?: number;
  /** Drain rounds before yielding to the event loop; default 8. */
  readonly maxRounds?: number;
}

/** What a socket carries. */
export type SocketRole = "ike" | "natt" | "raw";

interface SocketEntry extends TxSocket {
  readonly role: SocketRole;
  readonly local: IoEndpoint;
  /** Our address as bytes, null for a wildcard-bound socket. */
  readonly localBytes: Uint8Array | null;
}

interface TunEntry {
  readonly tun: Tun;
  readonly ifaceId: number | null;
  readonly queue: number;
}

const ANY4 = "0.0.0.0";
const ANY6 = "::";

function socketKey(address: string, port: number): string {
  return `${address}|${port}`;
}

/** See the module doc. */
export class EspIoLoop {
  readonly counters: IoCounters = newIoCounters();
  readonly #dp: Dataplane;
  readonly #log: Logger;
  readonly #onIke: IkeReceiver | undefined;
  readonly #poller = new Poller();
  readonly #maxRounds: number;
  readonly #tuns: TunEntry[] = [];
  #policyTun: Tun | undefined;
  readonly #svti = new Map<number, Tun>();
  readonly #sockets: SocketEntry[] = [];
  readonly #byKey = new Map<string, SocketEntry>();
  /** ESP socket of an SA's local address object (stable per SA): no string per packet. */
  #udpOf = new WeakMap<object, SocketEntry>();
  #rawOf = new WeakMap<object, SocketEntry>();
  readonly #rx: DatagramBatch;
  readonly #tx: EspTx;
  readonly #tunBufs: Uint8Array[];
  readonly #tunLens: Int32Array;
  #running: Promise<void> | undefined;

  constructor(o: IoLoopOptions) {
    const batch = o.batch ?? 64;
    const slot = o.slotSize ?? 2048;
    this.#dp = o.dataplane;
    this.#log = o.log;
    this.#onIke = o.onIke;
    this.#maxRounds = o.maxRounds ?? 8;
    this.#rx = new DatagramBatch(batch, slot, { control: false });
    this.#tx = new EspTx(batch, slot, this.counters);
    this.#tunBufs = Array.from({ length: batch }, () => new Uint8Array(slot));
    this.#tunLens = new Int32Array(batch);
  }

  get dataplane(): Dataplane {
    return this.#dp;
  }

  // ---- fds ---------------------------------------------------------------

  /**
   * Adds a TUN: the VRF's policy TUN (`ifaceId` null) or the SVTI with that
   * interface id. Every queue of the device is read.
   */
  addTun(tun: Tun, ifaceId: number | null): void {
    if (ifaceId === null) {
      if (this.#policyTun) throw new Error(`Cannot add TUN "${tun.name}": a policy TUN exists`);
      this.#policyTun = tun;
    } else {
      if (this.#svti.has(ifaceId)) {
        throw new Error(`Cannot add TUN "${tun.name}": SVTI id ${ifaceId} has a TUN`);
      }
      this.#svti.set(ifaceId, tun);
    }
    tun.fds.forEach((fd, queue) => {
      this.#tuns.push({ tun, ifaceId, queue });
      this.#poller.add(fd);
    });
  }

  /** Stops reading a TUN (the caller closes it afterwards). */
  removeTun(tun: Tun): void {
    for (let i = this.#tuns.length - 1; i >= 0; i--) {
      if (this.#tuns[i]!.tun === tun) this.#tuns.splice(i, 1);
    }
    for (const fd of tun.fds) this.#poller.remove(fd);
    if (this.#policyTun === tun) this.#policyTun = undefined;
    for (const [id, t] of this.#svti) if (t === tun) this.#svti.delete(id);
  }

  /** The TUN of SVTI `ifaceId`, or the policy TUN for null. */
  tun(ifaceId: number | null): Tun | undefined {
    return ifaceId === null ? this.#policyTun : this.#svti.get(ifaceId);
  }

  /**
   * Adds a socket bound to `local` (address 0.0.0.0 / :: for a wildcard):
   * `ike` for UDP 500, `natt` for UDP 4500 (ESP and IKE), `raw` for IP
   * protocol 50 (port 0).
   */
  addSocket(sock: IpSocket, role: SocketRole, local: IoEndpoint): void {
    const addr = formatIp(local.address);
    const any = addr === ANY4 || addr === ANY6;
    const key = socketKey(addr, role === "raw" ? 0 : local.port);
    if (this.#byKey.has(key)) throw new Error(`Cannot add ${sock.label}: ${key} has a socket`);
    const e: SocketEntry = {
      sock,
      role,
      local,
      localBytes: any ? null : local.address.bytes,
      gso: probeGso(sock, role),
    };
    this.#sockets.push(e);
    this.#byKey.set(key, e);
    this.#udpOf = new WeakMap();
    this.#rawOf = new WeakMap();
    this.#poller.add(sock.fd);
  }

  /** Stops reading a socket (the caller closes it afterwards). */
  removeSocket(sock: IpSocket): void {
    const i = this.#sockets.findIndex((e) => e.sock === sock);
    if (i < 0) return;
    const [e] = this.#sockets.splice(i, 1);
    for (const [k, v] of this.#byKey) if (v === e) this.#byKey.delete(k);
    if (this.#tx.socket === e) this.#tx.flush();
    this.#udpOf = new WeakMap();
    this.#rawOf = new WeakMap();
    this.#poller.remove(sock.fd);
  }

  /** The socket for `address`:`port` (exact, else a wildcard one of the family). */
  #find(address: IpAddress, port: number): SocketEntry | undefined {
    return this.#byKey.get(socketKey(formatIp(address), port)) ??
      this.#byKey.get(socketKey(address.family === 4 ? ANY4 : ANY6, port));
  }

  // ---- IKE ---------------------------------------------------------------

  /** Sends an IKE datagram (marker already added for 4500) from `local`; false when no socket or the kernel refused. */
  sendIke(local: IoEndpoint, remote: IoEndpoint, data: Uint8Array): boolean {
    const e = this.#find(local.address, local.port);
    if (e === undefined || e.role === "raw") {
      this.counters.ikeNoSocket++;
      return false;
    }
    const ok = e.sock.sendTo(data, data.length, remote.address, remote.port);
    if (ok) this.counters.ikeOut++;
    return ok;
  }

  // ---- the loop ----------------------------------------------------------

  /** Runs until {@linkcode stop}; resolves when the last wait has returned. */
  run(): Promise<void> {
    this.#running ??= this.#loop();
    return this.#running;
  }

  async #loop(): Promise<void> {
    const p = this.#poller;
    this.#log.control(`${this.#dp.vrf}: I/O loop running`);
    while (!p.stopped) {
      for (let round = 0; round < this.#maxRounds; round++) {
        if (this.drainOnce() === 0) break;
      }
      this.#dp.flushEvents();
      await p.wait(-1);
      this.counters.wakeups++;
    }
    this.#tx.flush();
    this.#log.control(`${this.#dp.vrf}: I/O loop stopped`);
  }

  /** Stops the loop and releases the poller; resolves when it has returned. */
  async stop(): Promise<void> {
    this.#poller.stop();
    if (this.#running) await this.#running;
    this.#poller.close();
  }

  /**
   * One round: a batch from every TUN queue and every socket. Returns the
   * number of packets handled. Public for tests and benchmarks that drive
   * the loop by hand.
   */
  drainOnce(): number {
    let n = 0;
    const tuns = this.#tuns;
    for (let i = 0; i < tuns.length; i++) n += this.#readTun(tuns[i]!);
    const socks = this.#sockets;
    for (let i = 0; i < socks.length; i++) n += this.#readSocket(socks[i]!);
    return n;
  }

  #readTun(t: TunEntry): number {
    const bufs = this.#tunBufs;
    const lens = this.#tunLens;
    const n = t.tun.readBatch(bufs, lens, t.queue);
    if (n === 0) return 0;
    const c = this.counters;
    c.tunIn += n;
    const dp = this.#dp;
    const tx = this.#tx;
    for (let i = 0; i < n; i++) {
      const r = dp.outbound(bufs[i]!, t.ifaceId, tx.target(), lens[i]!);
      if (r.kind === "send") {
        const e = this.#socketOf(r);
        if (e === undefined) c.noSocket++;
        else tx.queue(e, r);
      } else if (r.kind === "icmp") {
        if (t.tun.write(r.offset === 0 ? r.buf : r.buf.subarray(r.offset), r.length, t.queue)) {
          c.icmpOut++;
        }
      }
    }
    tx.flush();
    return n;
  }

  /** The socket an SA's ESP leaves through (cached by the SA's local address object). */
  #socketOf(r: OutboundAction): SocketEntry | undefined {
    const local = r.local!;
    if (r.via === "udp") {
      let e = this.#udpOf.get(local);
      if (e === undefined) {
        e = this.#find(local, r.localPort);
        if (e === undefined || e.role !== "natt") return undefined;
        this.#udpOf.set(local, e);
      }
      return e;
    }
    let e = this.#rawOf.get(local);
    if (e === undefined) {
      e = this.#find(local, 0);
      if (e === undefined || e.role !== "raw") return undefined;
      this.#rawOf.set(local, e);
    }
    return e;
  }

  #readSocket(e: SocketEntry): number {
    const rx = this.#rx;
    const n = e.sock.recvBatch(rx);
    if (n === 0) return 0;
    const c = this.counters;
    if (e.role === "ike") {
      c.ikeIn += n;
      for (let i = 0; i < n; i++) this.#ike(e, i);
      return n;
    }
    const dp = this.#dp;
    const raw = e.role === "raw";
    if (raw) c.rawIn += n;
    else c.udpIn += n;
    for (let i = 0; i < n; i++) {
      const buf = rx.bufs[i]!;
      let len = rx.lens[i]!;
      if (rx.truncated(i)) {
        c.truncated++;
        continue;
      }
      if (raw && e.sock.family === 4) {
        // An IPv4 raw socket delivers the IP header too.
        const ihl = (buf[0]! & 0x0f) * 4;
        if (len < ihl) {
          c.truncated++;
          continue;
        }
        buf.copyWithin(0, ihl, len);
        len -= ihl;
      }
      const r = dp.inbound(buf, null, e.localBytes, 0, e.local.port, raw ? "raw" : "udp", len);
      if (r.kind === "tun") {
        const tun = r.ifaceId === null ? this.#policyTun : this.#svti.get(r.ifaceId);
        if (tun === undefined) c.noTun++;
        else if (tun.write(r.offset === 0 ? r.buf : r.buf.subarray(r.offset), r.length)) {
          c.tunOut++;
        } else c.tunWriteErrors++;
      } else if (r.kind === "ike") {
        c.ikeIn++;
        this.#ike(e, i);
      }
    }
    return n;
  }

  /** Hands datagram `i` of the receive batch to IKE (allocates: IKE only). */
  #ike(e: SocketEntry, i: number): void {
    const onIke = this.#onIke;
    const rx = this.#rx;
    const remote = rx.peerAddress(i);
    if (onIke === undefined || remote === undefined) return;
    try {
      onIke(rx.bufs[i]!.subarray(0, rx.lens[i]!), e.local, {
        address: remote,
        port: rx.peerPort(i),
      });
    } catch (err) {
      this.#log.error(`${this.#dp.vrf}: IKE receiver failed: ${(err as Error).stack ?? err}`);
    }
  }
}
