/**
 * An AF_PACKET socket that sends whole Ethernet frames out of one link
 * (`packet(7)`): what a VRRP master uses for its gratuitous ARPs and
 * unsolicited Neighbor Advertisements (frames built by `vrrp/announce.ts`),
 * whose source MAC is the virtual router MAC, not the link's.
 *
 * @module
 */
import { KernelError } from "./errno.ts";
import { AF_PACKET, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW } from "./linux.ts";
import { closeQuietly, errno, libc } from "./libc.ts";
import type { Netns } from "./netns.ts";
import { encodeSockaddrLl, SOCKADDR_LL_SIZE } from "./sockaddr.ts";

/** A send-only packet socket on one link. */
export class PacketSocket {
  readonly #sll = new Uint8Array(SOCKADDR_LL_SIZE);
  #closed = false;

  private constructor(readonly fd: number, readonly ns: Netns, readonly ifindex: number) {}

  /** Opens a packet socket in `ns` for sending on link `ifindex` (protocol 0: receives nothing). */
  static open(ns: Netns, ifindex: number): PacketSocket {
    const where = ns.isHome ? "" : ` in network namespace ${ns.label}`;
    const fd = ns.run(() => {
      const s = libc().socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (s < 0) throw new KernelError(`open a packet socket${where}`, errno());
      return s;
    });
    return new PacketSocket(fd, ns, ifindex);
  }

  /**
   * Sends `len` bytes (default: all) of a complete Ethernet frame out of the
   * link, as built: destination, source MAC and ethertype are the frame's.
   */
  sendFrame(frame: Uint8Array, len = frame.length, what = "a frame"): void {
    const dst = frame.subarray(0, 6);
    const type = (frame[12]! << 8) | frame[13]!;
    encodeSockaddrLl(this.ifindex, type, dst, this.#sll);
    if (libc().sendto(this.fd, frame, len, 0, this.#sll, SOCKADDR_LL_SIZE) < 0) {
      throw new KernelError(`send ${what} on link #${this.ifindex}`, errno());
    }
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
