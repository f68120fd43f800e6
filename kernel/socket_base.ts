/**
 * What UDP and raw IP sockets share: creation inside a namespace,
 * non-blocking fds, options (SO_BINDTODEVICE, buffers, multicast, TTL,
 * ancillary data), batch receive/send with `recvmmsg`/`sendmmsg`, and
 * single-datagram calls for the control plane. Packet-path methods never
 * throw: they return counts and bump {@linkcode SocketCounters}.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import { formatIp } from "../core/ip.ts";
import { EAGAIN, EINTR, KernelError } from "./errno.ts";
import {
  AF_INET,
  AF_INET6,
  IP_ADD_MEMBERSHIP,
  IP_DROP_MEMBERSHIP,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IP_PKTINFO,
  IP_RECVTTL,
  IP_TOS,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_JOIN_GROUP,
  IPV6_LEAVE_GROUP,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVPKTINFO,
  IPV6_TCLASS,
  IPV6_UNICAST_HOPS,
  MSG_DONTWAIT,
  SO_BINDTODEVICE,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SO_TIMESTAMPNS,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOL_SOCKET,
} from "./linux.ts";
import { closeQuietly, cstr, errno, intArg, libc } from "./libc.ts";
import type { DatagramBatch } from "./msg_batch.ts";
import type { Netns } from "./netns.ts";
import { decodeSockaddr, encodeSockaddr, SOCKADDR_MAX } from "./sockaddr.ts";

/** Packet-path counters of one socket. */
export interface SocketCounters {
  recvErrors: number;
  sendErrors: number;
  /** Datagrams not sent because the socket buffer was full. */
  sendBlocked: number;
  /** errno of the last failure (0: none). */
  lastErrno: number;
}

/** Opens a non-blocking socket inside `ns`. */
export function openSocket(
  ns: Netns,
  family: 4 | 6,
  type: number,
  protocol: number,
  what: string,
): number {
  const where = ns.isHome ? "" : ` in network namespace ${ns.label}`;
  return ns.run(() => {
    const fd = libc().socket(
      family === 4 ? AF_INET : AF_INET6,
      type | SOCK_NONBLOCK | SOCK_CLOEXEC,
      protocol,
    );
    if (fd < 0) throw new KernelError(`open ${what}${where}`, errno());
    return fd;
  });
}

/** A non-blocking IPv4 or IPv6 datagram socket (UDP or raw). */
export class IpSocket {
  readonly counters: SocketCounters = {
    recvErrors: 0,
    sendErrors: 0,
    sendBlocked: 0,
    lastErrno: 0,
  };
  #closed = false;
  readonly #name = new Uint8Array(SOCKADDR_MAX);
  readonly #nameLen = new Uint8Array(4);

  protected constructor(
    readonly fd: number,
    readonly family: 4 | 6,
    readonly ns: Netns,
    /** For messages: `UDP socket 10.0.0.1:4500`. */
    readonly label: string,
  ) {}

  /** Sets an int option; throws a {@linkcode KernelError} naming `what`. */
  setIntOption(level: number, name: number, value: number, what: string): void {
    if (libc().setsockopt(this.fd, level, name, intArg(value), 4) < 0) {
      throw new KernelError(`set ${what} on ${this.label}`, errno());
    }
  }

  #setBytes(level: number, name: number, value: Uint8Array, what: string): void {
    if (libc().setsockopt(this.fd, level, name, value, value.length) < 0) {
      throw new KernelError(`set ${what} on ${this.label}`, errno());
    }
  }

  /** `SO_BINDTODEVICE`: only traffic of link `name` (in the socket's namespace); "" unbinds. */
  bindToDevice(name: string): void {
    bindFdToDevice(this.fd, name, this.label);
  }

  /** Receive and send buffer sizes (the `FORCE` variants, as root, past the sysctl limits). */
  setBuffers(opts: { receive?: number; send?: number }): void {
    const L = libc();
    for (
      const [size, force, plain, what] of [
        [opts.receive, SO_RCVBUFFORCE, SO_RCVBUF, "receive buffer"],
        [opts.send, SO_SNDBUFFORCE, SO_SNDBUF, "send buffer"],
      ] as const
    ) {
      if (size === undefined) continue;
      if (L.setsockopt(this.fd, SOL_SOCKET, force, intArg(size), 4) < 0) {
        this.setIntOption(SOL_SOCKET, plain, size, what);
      }
    }
  }

  /** Unicast TTL / hop limit of what this socket sends. */
  setTtl(ttl: number): void {
    if (this.family === 4) this.setIntOption(IPPROTO_IP, IP_TTL, ttl, "IP_TTL");
    else this.setIntOption(IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS");
  }

  /** TOS byte (IPv4) / traffic class (IPv6) of what this socket sends (VRRP: 0xc0, as keepalived). */
  setTrafficClass(value: number): void {
    if (this.family === 4) this.setIntOption(IPPROTO_IP, IP_TOS, value, "IP_TOS");
    else this.setIntOption(IPPROTO_IPV6, IPV6_TCLASS, value, "IPV6_TCLASS");
  }

  /** Report the TTL / hop limit of each received datagram ({@linkcode DatagramBatch.ttl}). */
  receiveTtl(on = true): void {
    if (this.family === 4) this.setIntOption(IPPROTO_IP, IP_RECVTTL, on ? 1 : 0, "IP_RECVTTL");
    else this.setIntOption(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on ? 1 : 0, "IPV6_RECVHOPLIMIT");
  }

  /**
   * Report when the kernel received each datagram (SO_TIMESTAMPNS, CLOCK_REALTIME;
   * {@linkcode DatagramBatch.timestamp}), so a late reader knows how old it is.
   */
  receiveTimestamps(on = true): void {
    this.setIntOption(SOL_SOCKET, SO_TIMESTAMPNS, on ? 1 : 0, "SO_TIMESTAMPNS");
  }

  /** Report the arrival link and local address of each datagram (IP_PKTINFO / IPV6_RECVPKTINFO). */
  receivePacketInfo(on = true): void {
    if (this.family === 4) this.setIntOption(IPPROTO_IP, IP_PKTINFO, on ? 1 : 0, "IP_PKTINFO");
    else this.setIntOption(IPPROTO_IPV6, IPV6_RECVPKTINFO, on ? 1 : 0, "IPV6_RECVPKTINFO");
  }

  #mreq(group: IpAddress, ifindex: number): Uint8Array {
    if (group.family !== this.family) {
      throw new Error(`Cannot use group ${formatIp(group)} on an IPv${this.family} socket`);
    }
    if (this.family === 4) {
      // struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; }
      const b = new Uint8Array(12);
      b.set(group.bytes);
      new DataView(b.buffer).setInt32(8, ifindex, true);
      return b;
    }
    // struct ipv6_mreq { in6_addr multiaddr; int ifindex; }
    const b = new Uint8Array(20);
    b.set(group.bytes);
    new DataView(b.buffer).setInt32(16, ifindex, true);
    return b;
  }

  /** Joins multicast `group` on link `ifindex` (IP_ADD_MEMBERSHIP with ip_mreqn / IPV6_JOIN_GROUP). */
  joinGroup(group: IpAddress, ifindex: number): void {
    const what = `membership of ${formatIp(group)} on link #${ifindex}`;
    if (this.family === 4) {
      this.#setBytes(IPPROTO_IP, IP_ADD_MEMBERSHIP, this.#mreq(group, ifindex), what);
    } else this.#setBytes(IPPROTO_IPV6, IPV6_JOIN_GROUP, this.#mreq(group, ifindex), what);
  }

  /** Leaves multicast `group` on link `ifindex`. */
  leaveGroup(group: IpAddress, ifindex: number): void {
    const what = `leave of ${formatIp(group)} on link #${ifindex}`;
    if (this.family === 4) {
      this.#setBytes(IPPROTO_IP, IP_DROP_MEMBERSHIP, this.#mreq(group, ifindex), what);
    } else this.#setBytes(IPPROTO_IPV6, IPV6_LEAVE_GROUP, this.#mreq(group, ifindex), what);
  }

  /** The link multicast goes out of (IP_MULTICAST_IF with ip_mreqn / IPV6_MULTICAST_IF). */
  setMulticastInterface(ifindex: number): void {
    if (this.family === 6) {
      this.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
      return;
    }
    const b = new Uint8Array(12);
    new DataView(b.buffer).setInt32(8, ifindex, true);
    this.#setBytes(IPPROTO_IP, IP_MULTICAST_IF, b, "IP_MULTICAST_IF");
  }

  /** TTL / hop limit of multicast sent (VRRP: 255, RFC 5798 §5.1.1.3). */
  setMulticastTtl(ttl: number): void {
    if (this.family === 4) this.setIntOption(IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL");
    else this.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl, "IPV6_MULTICAST_HOPS");
  }

  /** Whether our own multicast is looped back to local listeners. */
  setMulticastLoop(on: boolean): void {
    const v = on ? 1 : 0;
    if (this.family === 4) this.setIntOption(IPPROTO_IP, IP_MULTICAST_LOOP, v, "IP_MULTICAST_LOOP");
    else this.setIntOption(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, v, "IPV6_MULTICAST_LOOP");
  }

  /** Binds to a local address (and port for UDP); IPv6 link-local needs `scopeId` (the ifindex). */
  bindAddress(ip: IpAddress, port = 0, scopeId = 0): void {
    const sa = new Uint8Array(SOCKADDR_MAX);
    const len = encodeSockaddr(ip, port, sa, 0, scopeId);
    if (libc().bind(this.fd, sa, len) < 0) {
      const where = endpointText(ip, port);
      // A UDP socket's label already names its address: say it once.
      const what = this.label.endsWith(` ${where}`)
        ? `bind ${this.label}`
        : `bind ${this.label} to ${where}`;
      throw new KernelError(what, errno());
    }
  }

  /** The bound local address and port (`getsockname`). */
  localAddress(): { address: IpAddress; port: number } {
    this.#nameLen.set(intArg(SOCKADDR_MAX));
    if (libc().getsockname(this.fd, this.#name, this.#nameLen) < 0) {
      throw new KernelError(`read the address of ${this.label}`, errno());
    }
    const d = decodeSockaddr(this.#name);
    if (!d) throw new Error(`Cannot read the address of ${this.label}: not an IP socket`);
    return d;
  }

  /**
   * Receives every queued datagram up to the batch's capacity with one
   * `recvmmsg` (MSG_DONTWAIT). Returns the count (0 when none).
   */
  recvBatch(batch: DatagramBatch): number {
    batch.prepareReceive();
    const n = libc().recvmmsg(this.fd, batch.headers(), batch.capacity, MSG_DONTWAIT, null);
    if (n < 0) {
      const e = errno();
      if (e !== EAGAIN && e !== EINTR) {
        this.counters.recvErrors++;
        this.counters.lastErrno = e;
      }
      batch.completeReceive(0);
      return 0;
    }
    batch.completeReceive(n);
    return n;
  }

  /**
   * Sends slots `0..count` of `batch` (lengths in `batch.lens`, peers set
   * with `setPeer`/`copyPeer`) with `sendmmsg`. A datagram the kernel
   * refuses is counted and skipped; a full socket buffer (EAGAIN) drops
   * the rest. Returns how many were sent.
   */
  sendBatch(batch: DatagramBatch, count: number): number {
    const L = libc();
    batch.prepareSend(count);
    let sent = 0;
    let at = 0;
    while (at < count) {
      const n = L.sendmmsg(this.fd, batch.headers(at), count - at, MSG_DONTWAIT);
      if (n > 0) {
        sent += n;
        at += n;
        continue;
      }
      const e = errno();
      this.counters.lastErrno = e;
      if (e === EAGAIN) {
        this.counters.sendBlocked += count - at;
        break;
      }
      if (e !== EINTR) {
        this.counters.sendErrors++;
        at++;
      }
    }
    return sent;
  }

  /** Receives one datagram into `buf`; its length, 0 when none queued, -1 on error (counted). */
  recv(buf: Uint8Array): number {
    const n = libc().recvfrom(this.fd, buf, buf.length, MSG_DONTWAIT, null, null);
    if (n >= 0) return n;
    const e = errno();
    if (e === EAGAIN || e === EINTR) return 0;
    this.counters.recvErrors++;
    this.counters.lastErrno = e;
    return -1;
  }

  /** Sends `len` bytes of `buf` to `ip`:`port` with one `sendto`; false on failure (counted). */
  sendTo(buf: Uint8Array, len: number, ip: IpAddress, port = 0): boolean {
    const salen = encodeSockaddr(ip, port, this.#name);
    if (libc().sendto(this.fd, buf, len, MSG_DONTWAIT, this.#name, salen) >= 0) return true;
    const e = errno();
    this.counters.lastErrno = e;
    if (e === EAGAIN) this.counters.sendBlocked++;
    else this.counters.sendErrors++;
    return false;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** `addr:port` (`[addr]:port` for IPv6), or the bare address without a port. */
export function endpointText(ip: IpAddress, port = 0): string {
  if (!port) return formatIp(ip);
  return `${ip.family === 6 ? `[${formatIp(ip)}]` : formatIp(ip)}:${port}`;
}

/** `SO_BINDTODEVICE` on any socket fd (also one Deno owns); "" unbinds. */
export function bindFdToDevice(fd: number, name: string, label: string): void {
  const b = cstr(name);
  if (libc().setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, b, b.length) < 0) {
    throw new KernelError(`bind ${label} to link "${name}"`, errno());
  }
}
