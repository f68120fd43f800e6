/**
 * The kernel side of one VRF's gateway: the policy TUN, SVTI TUNs, the
 * UDP 500/4500 and raw protocol-50 sockets of every local address, all
 * opened in the VRF's namespace (an SVTI's TUN in the namespace of the VRF
 * its interface lives in, the reference's `link-vrf` cross-VRF shape), and
 * the {@linkcode EspIoLoop} that moves their packets through the ESP
 * dataplane. TUN MTUs follow the SAs' overhead (`esp/mtu.ts`).
 *
 * ```
 * VrfIo.open()   -> TUN "ipsec0" (policy-based tunnels), per address: UDP 500, UDP 4500, raw 50
 * start()        -> links up, MTU, loop running
 * addSvti(id, …) -> TUN of a route-based tunnel, read by the same loop
 * close()        -> loop stopped, fds closed (TUNs vanish with them)
 * ```
 *
 * Sockets are bound to each address, so IKE knows its local endpoint and
 * ESP leaves with the right source. Binding needs the address to exist in
 * the namespace (or `net.ipv4.ip_nonlocal_bind=1` there, e.g. for an HA
 * backup without its virtual address yet).
 *
 * @module
 */
import { formatIp, type IpAddress, ipEqual } from "../core/ip.ts";
import type { Logger } from "../core/log.ts";
import type { Dataplane } from "../esp/dataplane.ts";
import { EspIoLoop, type IkeReceiver, type IoEndpoint } from "../esp/io/loop.ts";
import type { IoCounters } from "../esp/io/counters.ts";
import { tunMtu, WORST_CASE_OVERHEAD } from "../esp/mtu.ts";
import type { SecurityAssociation } from "../esp/sa.ts";
import { IPPROTO_ESP } from "../kernel/linux.ts";
import { Netns } from "../kernel/netns.ts";
import { Rtnl } from "../kernel/netlink/rtnl.ts";
import { RawSocket } from "../kernel/socket_raw.ts";
import type { IpSocket } from "../kernel/socket_base.ts";
import { UdpSocket } from "../kernel/socket_udp.ts";
import { Tun } from "../kernel/tun.ts";

export const IKE_PORT = 500;
export const NATT_PORT = 4500;

export interface VrfIoOptions {
  readonly vrf: string;
  /** The VRF's namespace; default the daemon's own. */
  readonly ns?: Netns;
  readonly dataplane: Dataplane;
  /** The `esp` logger (the loop) and the `knl` logger (links, MTUs). */
  readonly log: Logger;
  readonly knl: Logger;
  /** Local IKE/ESP addresses. */
  readonly addresses: readonly IpAddress[];
  /** Name of the policy TUN; null for none (route-based tunnels only). Default `ipsec0`. */
  readonly policyTun?: string | null;
  /** Open raw protocol-50 sockets for ESP without UDP encapsulation; default true. */
  readonly rawEsp?: boolean;
  /** MTU of the links toward peers; default 1500. */
  readonly linkMtu?: number;
  readonly onIke?: IkeReceiver;
  /** Socket buffers in bytes; default 4 MiB each (bursts of a busy tunnel). */
  readonly socketBuffer?: number;
  readonly batch?: number;
  /** Largest packet handled; default the link MTU + 256, at least 2048. */
  readonly slotSize?: number;
}

interface AddressSockets {
  readonly address: IpAddress;
  readonly sockets: IpSocket[];
}

interface Svti {
  readonly tun: Tun;
  readonly rtnl: Rtnl | undefined;
  mtu: number;
}

/** See the module doc. */
export class VrfIo {
  readonly vrf: string;
  readonly ns: Netns;
  readonly loop: EspIoLoop;
  readonly rtnl: Rtnl;
  readonly policyTun: Tun | undefined;
  readonly linkMtu: number;
  readonly #o: VrfIoOptions;
  readonly #addresses: AddressSockets[] = [];
  readonly #svti = new Map<number, Svti>();
  #policyMtu = 0;
  #running: Promise<void> | undefined;
  #closed = false;

  private constructor(o: VrfIoOptions, rtnl: Rtnl, policyTun: Tun | undefined) {
    this.#o = o;
    this.vrf = o.vrf;
    this.ns = o.ns ?? Netns.home();
    this.rtnl = rtnl;
    this.policyTun = policyTun;
    this.linkMtu = o.linkMtu ?? 1500;
    this.loop = new EspIoLoop({
      dataplane: o.dataplane,
      log: o.log,
      ...(o.onIke ? { onIke: o.onIke } : {}),
      ...(o.batch !== undefined ? { batch: o.batch } : {}),
      slotSize: o.slotSize ?? Math.max(2048, this.linkMtu + 256),
    });
    if (policyTun) this.loop.addTun(policyTun, null);
  }

  /** Opens the policy TUN and the sockets of every address (synchronous, inside the VRF). */
  static open(o: VrfIoOptions): VrfIo {
    const ns = o.ns ?? Netns.home();
    const rtnl = Rtnl.open(ns);
    let tun: Tun | undefined;
    try {
      const name = o.policyTun === undefined ? "ipsec0" : o.policyTun;
      if (name !== null) tun = Tun.create(ns, name);
      const io = new VrfIo(o, rtnl, tun);
      try {
        for (const a of o.addresses) io.addAddress(a);
      } catch (e) {
        io.#closeFds();
        throw e;
      }
      return io;
    } catch (e) {
      tun?.close();
      rtnl.close();
      throw e;
    }
  }

  /** Brings the TUNs up with their MTUs and starts the loop. */
  async start(): Promise<void> {
    if (this.policyTun) {
      await this.rtnl.links.setAddrGenMode(this.policyTun.name, "none").catch(() => {});
      await this.setPolicyMtu(tunMtu(this.linkMtu, WORST_CASE_OVERHEAD));
      await this.rtnl.links.setUp(this.policyTun.name);
    }
    this.#running ??= this.loop.run();
  }

  // ---- addresses ---------------------------------------------------------

  /** Local addresses with sockets. */
  get addresses(): IpAddress[] {
    return this.#addresses.map((a) => a.address);
  }

  /** Opens UDP 500, UDP 4500 (and raw 50) on `address`. */
  addAddress(address: IpAddress): void {
    if (this.#addresses.some((a) => ipEqual(a.address, address))) return;
    const o = this.#o;
    const buf = o.socketBuffer ?? 4 << 20;
    const sockets: IpSocket[] = [];
    const add = (s: IpSocket, role: "ike" | "natt" | "raw", port: number) => {
      sockets.push(s);
      this.loop.addSocket(s, role, { address, port });
    };
    try {
      for (const [port, role] of [[IKE_PORT, "ike"], [NATT_PORT, "natt"]] as const) {
        add(
          UdpSocket.open({
            ns: this.ns,
            address,
            port,
            receiveBuffer: buf,
            sendBuffer: buf,
          }),
          role,
          port,
        );
      }
      if (o.rawEsp ?? true) {
        const raw = RawSocket.open({
          ns: this.ns,
          family: address.family,
          protocol: IPPROTO_ESP,
          address,
        });
        raw.setBuffers({ receive: buf, send: buf });
        add(raw, "raw", 0);
      }
    } catch (e) {
      for (const s of sockets) {
        this.loop.removeSocket(s);
        s.close();
      }
      throw e;
    }
    this.#addresses.push({ address, sockets });
    this.#o.knl.control(`${this.vrf}: IKE/ESP sockets open on ${formatIp(address)}`);
  }

  /** Closes the sockets of `address`. */
  removeAddress(address: IpAddress): void {
    const i = this.#addresses.findIndex((a) => ipEqual(a.address, address));
    if (i < 0) return;
    const [a] = this.#addresses.splice(i, 1);
    for (const s of a!.sockets) {
      this.loop.removeSocket(s);
      s.close();
    }
  }

  /** Sends an IKE datagram from `local` (see {@linkcode EspIoLoop.sendIke}). */
  sendIke(local: IoEndpoint, remote: IoEndpoint, data: Uint8Array): boolean {
    return this.loop.sendIke(local, remote, data);
  }

  // ---- TUNs --------------------------------------------------------------

  /**
   * Creates the TUN of SVTI `id` named `name` in namespace `ns` (default
   * this VRF's: the interface may live in another VRF, its ESP leaves from
   * this one), up, with the worst-case MTU until an SA is bound to it.
   */
  async addSvti(id: number, name: string, ns: Netns = this.ns): Promise<Tun> {
    if (this.#svti.has(id)) throw new Error(`Cannot add SVTI ${id}: it exists in ${this.vrf}`);
    const tun = Tun.create(ns, name);
    const rtnl = ns.name === this.ns.name ? undefined : Rtnl.open(ns);
    const s: Svti = { tun, rtnl, mtu: 0 };
    this.#svti.set(id, s);
    this.loop.addTun(tun, id);
    try {
      const links = (rtnl ?? this.rtnl).links;
      await links.setAddrGenMode(name, "none").catch(() => {});
      await this.#setSvtiMtu(s, tunMtu(this.linkMtu, WORST_CASE_OVERHEAD));
      await links.setUp(name);
    } catch (e) {
      this.removeSvti(id);
      throw e;
    }
    return tun;
  }

  /** Closes the TUN of SVTI `id`. */
  removeSvti(id: number): void {
    const s = this.#svti.get(id);
    if (!s) return;
    this.#svti.delete(id);
    this.loop.removeTun(s.tun);
    s.tun.close();
    s.rtnl?.close();
  }

  async #setSvtiMtu(s: Svti, mtu: number): Promise<void> {
    if (s.mtu === mtu) return;
    s.mtu = mtu;
    await (s.rtnl ?? this.rtnl).links.setMtu(s.tun.name, mtu);
    this.#o.knl.control(`${this.vrf}: MTU of ${s.tun.name} set to ${mtu}`);
  }

  /** Sets the policy TUN's MTU (no-op when unchanged). */
  async setPolicyMtu(mtu: number): Promise<void> {
    if (!this.policyTun || this.#policyMtu === mtu) return;
    this.#policyMtu = mtu;
    await this.rtnl.links.setMtu(this.policyTun.name, mtu);
    this.#o.knl.control(`${this.vrf}: MTU of ${this.policyTun.name} set to ${mtu}`);
  }

  /**
   * MTUs from the installed outbound SAs: an SVTI gets its SA's largest
   * inner packet, the policy TUN the smallest over its tunnel-mode SAs (the
   * worst case for the link when it has none). The dataplane answers
   * larger packets with ICMP "too big" anyway; the MTU spares that round.
   */
  async updateMtus(sas: readonly SecurityAssociation[]): Promise<void> {
    let policy = Infinity;
    const svti = new Map<number, number>();
    for (const sa of sas) {
      if (sa.direction !== "out" || sa.state !== "live" || sa.mode !== "tunnel") continue;
      if (sa.ifaceId !== undefined) {
        svti.set(sa.ifaceId, Math.min(svti.get(sa.ifaceId) ?? Infinity, sa.maxInner));
      } else if (sa.reqid !== undefined) policy = Math.min(policy, sa.maxInner);
    }
    const fallback = tunMtu(this.linkMtu, WORST_CASE_OVERHEAD);
    await this.setPolicyMtu(Number.isFinite(policy) ? policy : fallback);
    for (const [id, s] of this.#svti) await this.#setSvtiMtu(s, svti.get(id) ?? fallback);
  }

  // ---- counters and shutdown ---------------------------------------------

  counters(): IoCounters & { socketErrors: number; sendBlocked: number; tunErrors: number } {
    let socketErrors = 0, sendBlocked = 0, tunErrors = 0;
    for (const a of this.#addresses) {
      for (const s of a.sockets) {
        socketErrors += s.counters.recvErrors + s.counters.sendErrors;
        sendBlocked += s.counters.sendBlocked;
      }
    }
    for (const t of [this.policyTun, ...[...this.#svti.values()].map((s) => s.tun)]) {
      if (t) tunErrors += t.counters.readErrors + t.counters.writeErrors;
    }
    return { ...this.loop.counters, socketErrors, sendBlocked, tunErrors };
  }

  /** Stops the loop and closes every fd (the TUNs disappear). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.loop.stop();
    this.#closeFds();
  }

  #closeFds(): void {
    for (const a of this.#addresses.splice(0)) for (const s of a.sockets) s.close();
    for (const id of [...this.#svti.keys()]) this.removeSvti(id);
    this.policyTun?.close();
    this.rtnl.close();
  }
}
