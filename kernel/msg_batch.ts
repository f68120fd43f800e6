/**
 * A preallocated batch of datagrams for `recvmmsg(2)`/`sendmmsg(2)`:
 * one arena holds the `mmsghdr` array, the iovecs, a socket address and a
 * control buffer per slot, and the payload buffers. Pointers into the
 * arena are written once at construction; afterwards receiving or sending
 * a batch is one syscall and allocates nothing.
 *
 * ```
 *  mmsghdr (64 bytes, LP64)             iovec (16)       cmsghdr (16 + data)
 *   0 msg_name      ptr                  0 iov_base ptr    0 cmsg_len   u64
 *   8 msg_namelen   u32                  8 iov_len  u64    8 cmsg_level i32
 *  16 msg_iov       ptr                                   12 cmsg_type  i32
 *  24 msg_iovlen    u64                                   16 data, 8-aligned
 *  32 msg_control   ptr
 *  40 msg_controllen u64
 *  48 msg_flags     i32
 *  56 msg_len       u32 (bytes received / sent)
 * ```
 *
 * The arena is an ArrayBuffer, whose backing store V8 never moves; it is
 * kept alive by the batch, so the kernel's pointers stay valid.
 *
 * @module
 */
import { type IpAddress, ipFromBytes } from "../core/ip.ts";
import {
  IP_PKTINFO,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_HOPLIMIT,
  IPV6_PKTINFO,
  MSG_TRUNC,
  SO_TIMESTAMPNS,
  SOL_SOCKET,
} from "./linux.ts";
import { addressOf } from "./libc.ts";
import {
  encodeSockaddr,
  SOCKADDR_MAX,
  sockaddrAddressInto,
  sockaddrFamily,
  sockaddrPort,
} from "./sockaddr.ts";

const MMSGHDR = 64;
const IOVEC = 16;
const NAME = 32;
const CONTROL = 128;

/** Options of a {@linkcode DatagramBatch}. */
export interface BatchOptions {
  /** Room for ancillary data (TTL/hop limit, packet info); default true. */
  control?: boolean;
}

/** Datagrams received or to be sent in one syscall. */
export class DatagramBatch {
  /** Payload buffers, `bufferSize` bytes each; slot `i` is `bufs[i]`. */
  readonly bufs: Uint8Array[];
  /** Payload length per slot: set by a receive, set by the caller before a send. */
  readonly lens: Int32Array;
  /** Slots filled by the last receive. */
  count = 0;
  readonly #arena: Uint8Array;
  readonly #dv: DataView;
  readonly #control: boolean;
  readonly #nameOff: number;
  readonly #ctlOff: number;
  readonly #ttl: Int16Array;
  readonly #stamp: Float64Array;
  readonly #ifindex: Int32Array;
  readonly #local: Uint8Array;

  constructor(readonly capacity: number, readonly bufferSize: number, opts: BatchOptions = {}) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1024) {
      throw new Error(`Cannot make a datagram batch of ${capacity}: use 1..1024 slots`);
    }
    this.#control = opts.control ?? true;
    const iovOff = capacity * MMSGHDR;
    this.#nameOff = iovOff + capacity * IOVEC;
    this.#ctlOff = this.#nameOff + capacity * NAME;
    const dataOff = this.#ctlOff + (this.#control ? capacity * CONTROL : 0);
    const stride = (bufferSize + 63) & ~63;
    this.#arena = new Uint8Array(new ArrayBuffer(dataOff + capacity * stride));
    this.#dv = new DataView(this.#arena.buffer);
    const base = addressOf(this.#arena);
    this.bufs = [];
    for (let i = 0; i < capacity; i++) {
      const h = i * MMSGHDR;
      const iov = iovOff + i * IOVEC;
      const data = dataOff + i * stride;
      this.#dv.setBigUint64(h, base + BigInt(this.#nameOff + i * NAME), true);
      this.#dv.setBigUint64(h + 16, base + BigInt(iov), true);
      this.#dv.setBigUint64(h + 24, 1n, true);
      if (this.#control) {
        this.#dv.setBigUint64(h + 32, base + BigInt(this.#ctlOff + i * CONTROL), true);
      }
      this.#dv.setBigUint64(iov, base + BigInt(data), true);
      this.bufs.push(this.#arena.subarray(data, data + bufferSize));
    }
    this.lens = new Int32Array(capacity);
    this.#ttl = new Int16Array(capacity);
    this.#stamp = new Float64Array(capacity);
    this.#ifindex = new Int32Array(capacity);
    this.#local = new Uint8Array(capacity * 16);
  }

  /** The `mmsghdr` array from slot `from` on (for the syscall). */
  headers(from = 0): Uint8Array {
    return from === 0 ? this.#arena : this.#arena.subarray(from * MMSGHDR);
  }

  /** Resets slots `0..n` for a receive (the kernel overwrote the lengths last time). */
  prepareReceive(n = this.capacity): void {
    const dv = this.#dv;
    const iovOff = this.capacity * MMSGHDR;
    for (let i = 0; i < n; i++) {
      const h = i * MMSGHDR;
      dv.setUint32(h + 8, SOCKADDR_MAX, true);
      dv.setUint32(h + 40, this.#control ? CONTROL : 0, true);
      dv.setUint32(h + 44, 0, true);
      dv.setInt32(h + 48, 0, true);
      dv.setUint32(iovOff + i * IOVEC + 8, this.bufferSize, true);
    }
  }

  /** After a receive of `n` datagrams: lengths and ancillary data into the slots. */
  completeReceive(n: number): void {
    this.count = n;
    for (let i = 0; i < n; i++) {
      this.lens[i] = this.#dv.getUint32(i * MMSGHDR + 56, true);
      this.#ttl[i] = -1;
      this.#stamp[i] = NaN;
      this.#ifindex[i] = 0;
      if (this.#control) this.#parseControl(i);
    }
  }

  #parseControl(i: number): void {
    const dv = this.#dv;
    const start = this.#ctlOff + i * CONTROL;
    const end = start + Math.min(dv.getUint32(i * MMSGHDR + 40, true), CONTROL);
    let o = start;
    while (o + 16 <= end) {
      const len = dv.getUint32(o, true);
      if (len < 16 || o + len > end) break;
      const level = dv.getInt32(o + 8, true);
      const type = dv.getInt32(o + 12, true);
      const d = o + 16;
      if (level === IPPROTO_IP && type === IP_TTL && len >= 20) {
        this.#ttl[i] = dv.getInt32(d, true);
      } else if (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT && len >= 20) {
        this.#ttl[i] = dv.getInt32(d, true);
      } else if (level === SOL_SOCKET && type === SO_TIMESTAMPNS && len >= 32) {
        // struct timespec { i64 tv_sec; i64 tv_nsec; }
        this.#stamp[i] = Number(dv.getBigInt64(d, true)) * 1000 +
          Number(dv.getBigInt64(d + 8, true)) / 1e6;
      } else if (level === IPPROTO_IP && type === IP_PKTINFO && len >= 28) {
        // struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
        this.#ifindex[i] = dv.getInt32(d, true);
        this.#local.set(this.#arena.subarray(d + 8, d + 12), i * 16);
      } else if (level === IPPROTO_IPV6 && type === IPV6_PKTINFO && len >= 36) {
        // struct in6_pktinfo { in6_addr addr; int ifindex; }
        this.#local.set(this.#arena.subarray(d, d + 16), i * 16);
        this.#ifindex[i] = dv.getInt32(d + 16, true);
      }
      o += (len + 7) & ~7;
    }
  }

  /** Sets up slots `0..n` for a send: payload lengths from {@linkcode lens}, no control data. */
  prepareSend(n: number): void {
    const dv = this.#dv;
    const iovOff = this.capacity * MMSGHDR;
    for (let i = 0; i < n; i++) {
      const h = i * MMSGHDR;
      dv.setUint32(h + 40, 0, true);
      dv.setUint32(h + 44, 0, true);
      dv.setUint32(iovOff + i * IOVEC + 8, this.lens[i]!, true);
    }
  }

  /** The family of slot `i`'s peer (source after a receive, destination for a send). */
  peerFamily(i: number): 0 | 4 | 6 {
    return sockaddrFamily(this.#arena, this.#nameOff + i * NAME);
  }

  /** The peer's port of slot `i`. */
  peerPort(i: number): number {
    return sockaddrPort(this.#arena, this.#nameOff + i * NAME);
  }

  /** Copies the peer's address bytes of slot `i` into `out`; returns 4, 16 or 0. */
  peerAddressInto(i: number, out: Uint8Array): number {
    return sockaddrAddressInto(this.#arena, out, this.#nameOff + i * NAME);
  }

  /** The peer's address of slot `i` (allocates; control plane). */
  peerAddress(i: number): IpAddress | undefined {
    const off = this.#nameOff + i * NAME;
    const f = sockaddrFamily(this.#arena, off);
    if (f === 0) return undefined;
    return ipFromBytes(this.#arena.subarray(off + (f === 4 ? 4 : 8), off + (f === 4 ? 8 : 24)));
  }

  /** Sets the destination of slot `i` for a send; `undefined` for a connected socket. */
  setPeer(i: number, ip: IpAddress | undefined, port = 0): void {
    const h = i * MMSGHDR;
    if (!ip) {
      this.#dv.setUint32(h + 8, 0, true);
      return;
    }
    this.#dv.setUint32(
      h + 8,
      encodeSockaddr(ip, port, this.#arena, this.#nameOff + i * NAME),
      true,
    );
  }

  /** Copies slot `j`'s peer of `other` (e.g. a received datagram's source) to slot `i`. */
  copyPeer(i: number, other: DatagramBatch, j: number): void {
    const src = other.#nameOff + j * NAME;
    this.#arena.set(other.#arena.subarray(src, src + NAME), this.#nameOff + i * NAME);
    this.#dv.setUint32(i * MMSGHDR + 8, other.#dv.getUint32(j * MMSGHDR + 8, true), true);
  }

  /** TTL (IPv4) or hop limit (IPv6) of slot `i` when the socket asked for it; -1 otherwise. */
  ttl(i: number): number {
    return this.#ttl[i]!;
  }

  /**
   * When the kernel received slot `i`'s datagram, CLOCK_REALTIME ms since
   * the epoch (timestamps enabled; compare with `realtimeMs()`); NaN otherwise.
   */
  timestamp(i: number): number {
    return this.#stamp[i]!;
  }

  /** The ifindex the datagram of slot `i` arrived on (packet info enabled); 0 otherwise. */
  ifindex(i: number): number {
    return this.#ifindex[i]!;
  }

  /** Copies the local (destination) address of slot `i` into `out` (packet info enabled). */
  localAddressInto(i: number, out: Uint8Array, family: 4 | 6): void {
    out.set(this.#local.subarray(i * 16, i * 16 + (family === 4 ? 4 : 16)));
  }

  /** Whether slot `i`'s datagram was longer than the buffer (MSG_TRUNC). */
  truncated(i: number): boolean {
    return (this.#dv.getInt32(i * MMSGHDR + 48, true) & MSG_TRUNC) !== 0;
  }
}
