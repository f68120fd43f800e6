/**
 * An AF_PACKET socket that sends whole Ethernet frames out of one link
 * (`packet(7)`), and the neighbour announcements a VRRP master sends
 * with it: gratuitous ARP for IPv4 addresses, unsolicited Neighbor
 * Advertisements for IPv6 ones (frames from `neigh_packets.ts`).
 *
 * @module
 */
import { formatIp, type IpAddress } from "../core/ip.ts";
import { KernelError } from "./errno.ts";
import { AF_PACKET, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW } from "./linux.ts";
import { closeQuietly, errno, libc } from "./libc.ts";
import { parseMac } from "./netlink/link.ts";
import { encodeGratuitousArp, encodeUnsolicitedNa, NA_FRAME_LEN } from "./neigh_packets.ts";
import type { Netns } from "./netns.ts";
import { encodeSockaddrLl, SOCKADDR_LL_SIZE } from "./sockaddr.ts";

/** A send-only packet socket on one link. */
export class PacketSocket {
  readonly #sll = new Uint8Array(SOCKADDR_LL_SIZE);
  readonly #frame = new Uint8Array(128);
  #closed = false;

  private constructor(readonly fd: number, readonly ns: Netns, readonly ifindex: number) {}

  /** Opens a packet socket in `ns` for sending on link `ifindex` (protocol 0: receives nothing). */
  static open(ns: Netns, ifindex: number): PacketSocket {
    const where = ns.isHome ? "" : ` in network namespace ${ns.label}`;
    const fd = ns.run(() => libc().socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd < 0) throw new KernelError(`open a packet socket${where}`, errno());
    return new PacketSocket(fd, ns, ifindex);
  }

  /** Sends `len` bytes of a complete Ethernet frame out of the link. */
  sendFrame(frame: Uint8Array, len: number, what = "a frame"): void {
    const dst = frame.subarray(0, 6);
    const type = (frame[12]! << 8) | frame[13]!;
    encodeSockaddrLl(this.ifindex, type, dst, this.#sll);
    if (libc().sendto(this.fd, frame, len, 0, this.#sll, SOCKADDR_LL_SIZE) < 0) {
      throw new KernelError(`send ${what} on link #${this.ifindex}`, errno());
    }
  }

  /**
   * Announces that `ip` is at `mac`: a gratuitous ARP (IPv4) or an
   * unsolicited Neighbor Advertisement with the Override flag (IPv6;
   * `router` sets R): `arping -U -I <link> <ip>` / `ndsend <ip> <link>`.
   */
  announce(
    ip: IpAddress,
    mac: string | Uint8Array,
    opts: { router?: boolean; source?: IpAddress } = {},
  ): void {
    const m = typeof mac === "string" ? parseMac(mac) : mac;
    if (ip.family === 4) {
      const n = encodeGratuitousArp(this.#frame, m, ip);
      this.sendFrame(this.#frame, n, `a gratuitous ARP for ${formatIp(ip)}`);
      return;
    }
    const na: { router?: boolean; source?: IpAddress } = {};
    if (opts.router !== undefined) na.router = opts.router;
    if (opts.source !== undefined) na.source = opts.source;
    const n = encodeUnsolicitedNa(this.#frame, m, ip, na);
    if (n !== NA_FRAME_LEN) throw new Error("Cannot build a Neighbor Advertisement");
    this.sendFrame(this.#frame, n, `a Neighbor Advertisement for ${formatIp(ip)}`);
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
