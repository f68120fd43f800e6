/**
 * The receive side of VRRP on one link and address family: one raw socket
 * for IP protocol 112 bound to the link (SO_BINDTODEVICE), member of
 * 224.0.0.18 / ff02::12 on it (RFC 5798 §5.1.1.2, §5.1.2.2), drained in
 * batches into the link's {@linkcode VrrpReceiver}, with the IP facts the
 * §7.1 checks need:
 *
 * - IPv4: the socket hands over the IP header; TTL, source and destination
 *   are read there, the VRRP message is the rest up to the total length.
 * - IPv6: only the payload arrives; the hop limit comes as IPV6_HOPLIMIT,
 *   the destination as IPV6_PKTINFO, the source as the peer address. The
 *   kernel verifies the checksum first (IPV6_CHECKSUM 6).
 *
 * Each message also carries its arrival time: the kernel's receive
 * timestamp (SO_TIMESTAMPNS) turned into the runtime clock's time, so the
 * Master_Down_Timer runs from when the advert arrived, not from when the
 * loop got to it (RFC 5798 §6.4.2; keepalived reads at once, a poll loop
 * on Deno's blocking pool wakes a fraction of a millisecond later).
 *
 * Per message it allocates only the source address (the instance keeps it
 * as the master's address); at most a few hundred adverts a second arrive
 * per link, so that is control-plane traffic, not a packet path.
 *
 * @module
 */
import { type IpAddress, ipFromBytes } from "../core/ip.ts";
import type { Clock } from "../core/clock.ts";
import { DatagramBatch, type Netns, RawSocket, realtimeMs } from "../kernel/mod.ts";
import { VRRP_GROUP_V4, VRRP_GROUP_V6, VRRP_PROTOCOL } from "./packet.ts";
import type { VrrpReceiver } from "./receiver.ts";

/** Datagrams per `recvmmsg`, and batches per drain before yielding. */
const BATCH = 16;
const MAX_BATCHES = 8;
/** Adverts are at most 8 + 255 × 16 bytes; with an IPv4 header (and options) this fits. */
const BUFFER = 4200;

/** Counters of a receive socket. */
export interface VrrpRxCounters {
  datagrams: number;
  /** IPv4 datagrams whose IP header did not make sense. */
  badHeader: number;
  truncated: number;
}

export class VrrpRxSocket {
  readonly counters: VrrpRxCounters = { datagrams: 0, badHeader: 0, truncated: 0 };
  readonly #sock: RawSocket;
  readonly #batch = new DatagramBatch(BATCH, BUFFER);
  readonly #dst6 = new Uint8Array(16);

  private constructor(
    sock: RawSocket,
    readonly link: string,
    readonly ifindex: number,
    readonly family: 4 | 6,
  ) {
    this.#sock = sock;
  }

  /**
   * Opens the socket in `ns` on link `link` (ifindex `ifindex`):
   * `socket(AF_INET*, SOCK_RAW, 112)`, SO_BINDTODEVICE, group membership.
   */
  static open(ns: Netns, link: string, ifindex: number, family: 4 | 6): VrrpRxSocket {
    const sock = RawSocket.open({ ns, family, protocol: VRRP_PROTOCOL, device: link });
    try {
      sock.setupVrrp(ifindex);
      sock.receiveTimestamps(true);
    } catch (e) {
      sock.close();
      throw e;
    }
    return new VrrpRxSocket(sock, link, ifindex, family);
  }

  get fd(): number {
    return this.#sock.fd;
  }

  /** Errors the socket layer counted (receive errors, last errno). */
  get socketCounters(): RawSocket["counters"] {
    return this.#sock.counters;
  }

  /**
   * Hands every queued advert to `rx` with its arrival time on `clock`;
   * returns how many datagrams were read.
   */
  drain(rx: VrrpReceiver, clock: Clock): number {
    const b = this.#batch;
    let total = 0;
    for (let round = 0; round < MAX_BATCHES; round++) {
      const n = this.#sock.recvBatch(b);
      if (n === 0) break;
      // One reading of both clocks per batch: arrival = now - (realtime now - kernel stamp).
      const now = clock.now();
      const real = realtimeMs();
      for (let i = 0; i < n; i++) {
        const age = real - b.timestamp(i);
        this.#one(rx, i, age >= 0 ? now - age : now);
      }
      total += n;
      if (n < b.capacity) break;
    }
    this.counters.datagrams += total;
    return total;
  }

  #one(rx: VrrpReceiver, i: number, at: number): void {
    const b = this.#batch;
    const buf = b.bufs[i]!;
    const len = b.lens[i]!;
    if (b.truncated(i)) {
      this.counters.truncated++;
      return;
    }
    if (this.family === 4) {
      // RFC 791 header: IHL, total length, TTL at 8, protocol at 9, addresses at 12 and 16.
      const ihl = (buf[0]! & 0x0f) * 4;
      const total = (buf[2]! << 8) | buf[3]!;
      if (len < 20 || buf[0]! >> 4 !== 4 || ihl < 20 || total > len || total < ihl) {
        this.counters.badHeader++;
        return;
      }
      const src = ipFromBytes(buf.slice(12, 16));
      const dst = isGroup4(buf) ? VRRP_GROUP_V4 : ipFromBytes(buf.slice(16, 20));
      rx.input(buf.subarray(ihl, total), src, dst, buf[8]!, at);
      return;
    }
    const src = b.peerAddress(i);
    if (!src) {
      this.counters.badHeader++;
      return;
    }
    b.localAddressInto(i, this.#dst6, 6);
    const dst: IpAddress = sameBytes(this.#dst6, VRRP_GROUP_V6.bytes)
      ? VRRP_GROUP_V6
      : ipFromBytes(this.#dst6.slice());
    rx.input(buf.subarray(0, len), src, dst, b.ttl(i), at);
  }

  close(): void {
    this.#sock.close();
  }
}

function isGroup4(ip: Uint8Array): boolean {
  return ip[16] === 224 && ip[17] === 0 && ip[18] === 0 && ip[19] === 18;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
