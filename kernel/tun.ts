/**
 * TUN devices (Linux `Documentation/networking/tuntap.rst`): layer-3
 * devices whose packets a process reads and writes through an fd. The
 * dataplane's plaintext side (SVTI, GRE, the ESP SPD) is a TUN.
 *
 * - Created in a namespace: the device lives where the thread was when it
 *   opened /dev/net/tun (DENO-FACTS §4), so creation runs inside
 *   `Netns.run`.
 * - IFF_TUN | IFF_NO_PI: every read/write is one bare IP packet.
 * - Optionally IFF_MULTI_QUEUE: more fds (queues) on the same device, e.g.
 *   one per Worker; the kernel spreads flows over the queues.
 * - Every fd is O_NONBLOCK. {@linkcode Tun.readBatch} fills caller-owned
 *   buffers until the queue is empty and never allocates; errors are
 *   counted, never thrown, on the packet path.
 * - The device disappears when its last fd is closed.
 *
 * @module
 */
import { EAGAIN, EINTR, KernelError } from "./errno.ts";
import {
  IFF_MULTI_QUEUE,
  IFF_NO_PI,
  IFF_TUN,
  IFNAMSIZ,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDWR,
  TUNSETIFF,
} from "./linux.ts";
import { closeQuietly, cstr, errno, libc } from "./libc.ts";
import type { Netns } from "./netns.ts";

const TUN_DEVICE = "/dev/net/tun";
const IFREQ_SIZE = 40;

/** Options of {@linkcode Tun.create}. */
export interface TunOptions {
  /** Number of queues (fds) to open now; default 1. */
  queues?: number;
  /** Create a multi-queue device (implied by `queues > 1`) so more queues can be added later. */
  multiQueue?: boolean;
}

/** Packet-path counters of one TUN. */
export interface TunCounters {
  readErrors: number;
  writeErrors: number;
  /** errno of the last failed read or write (0: none). */
  lastErrno: number;
}

/** An open TUN device and its queue fds. */
export class Tun {
  readonly #fds: number[];
  readonly #flags: number;
  #closed = false;
  readonly counters: TunCounters = { readErrors: 0, writeErrors: 0, lastErrno: 0 };

  private constructor(
    readonly ns: Netns,
    readonly name: string,
    readonly ifindex: number,
    fds: number[],
    flags: number,
  ) {
    this.#fds = fds;
    this.#flags = flags;
  }

  /**
   * Creates (or attaches to) TUN `name` in `ns`:
   * `ip -n <ns> tuntap add dev <name> mode tun [multi_queue]`, owned by
   * this process. `name` may hold `%d` for the kernel to number it.
   */
  static create(ns: Netns, name: string, opts: TunOptions = {}): Tun {
    const queues = opts.queues ?? 1;
    if (!Number.isInteger(queues) || queues < 1) {
      throw new Error(`Cannot create TUN "${name}": ${queues} queues is not a positive integer`);
    }
    const multi = opts.multiQueue ?? queues > 1;
    if (!multi && queues > 1) {
      throw new Error(`Cannot create TUN "${name}": more than one queue needs multiQueue`);
    }
    const flags = IFF_TUN | IFF_NO_PI | (multi ? IFF_MULTI_QUEUE : 0);
    const fds: number[] = [];
    try {
      const first = openQueue(ns, name, flags);
      fds.push(first.fd);
      for (let i = 1; i < queues; i++) fds.push(openQueue(ns, first.name, flags).fd);
      const ifindex = ns.run(() => libc().if_nametoindex(cstr(first.name)));
      if (ifindex === 0) throw new KernelError(`find TUN "${first.name}"`, errno());
      return new Tun(ns, first.name, ifindex, fds, flags);
    } catch (e) {
      for (const fd of fds) closeQuietly(fd);
      throw e;
    }
  }

  /** Queue fds, index = queue number. */
  get fds(): readonly number[] {
    return this.#fds;
  }

  /** The fd of queue 0. */
  get fd(): number {
    return this.#fds[0]!;
  }

  get multiQueue(): boolean {
    return (this.#flags & IFF_MULTI_QUEUE) !== 0;
  }

  /** Opens one more queue on a multi-queue device; returns its number. */
  addQueue(): number {
    if (!this.multiQueue) {
      throw new Error(`Cannot add a queue to TUN "${this.name}": it is not multi-queue`);
    }
    this.#fds.push(openQueue(this.ns, this.name, this.#flags).fd);
    return this.#fds.length - 1;
  }

  /**
   * Reads one packet into `buf`. Returns its length, 0 when the queue is
   * empty, -1 on another error (counted in {@linkcode counters}).
   */
  read(buf: Uint8Array, queue = 0): number {
    const n = libc().read(this.#fds[queue]!, buf, buf.length);
    if (n >= 0) return n;
    const e = errno();
    if (e === EAGAIN || e === EINTR) return 0;
    this.counters.readErrors++;
    this.counters.lastErrno = e;
    return -1;
  }

  /**
   * Reads up to `max` packets into `bufs[0..]`, their lengths into
   * `lens[0..]`, until the queue is empty. Returns how many were read.
   */
  readBatch(bufs: readonly Uint8Array[], lens: Int32Array, queue = 0, max = bufs.length): number {
    const L = libc();
    const fd = this.#fds[queue]!;
    let i = 0;
    for (; i < max; i++) {
      const b = bufs[i]!;
      const n = L.read(fd, b, b.length);
      if (n < 0) {
        const e = errno();
        if (e !== EAGAIN && e !== EINTR) {
          this.counters.readErrors++;
          this.counters.lastErrno = e;
        }
        break;
      }
      lens[i] = n;
    }
    return i;
  }

  /** Writes one packet (`len` bytes of `buf`) to the kernel; false on error (counted). */
  write(buf: Uint8Array, len: number, queue = 0): boolean {
    if (libc().write(this.#fds[queue]!, buf, len) >= 0) return true;
    this.counters.writeErrors++;
    this.counters.lastErrno = errno();
    return false;
  }

  /** Writes `count` packets (`bufs[i]`, `lens[i]` bytes); returns how many the kernel took. */
  writeBatch(bufs: readonly Uint8Array[], lens: Int32Array, count: number, queue = 0): number {
    const L = libc();
    const fd = this.#fds[queue]!;
    let ok = 0;
    for (let i = 0; i < count; i++) {
      if (L.write(fd, bufs[i]!, lens[i]!) >= 0) ok++;
      else {
        this.counters.writeErrors++;
        this.counters.lastErrno = errno();
      }
    }
    return ok;
  }

  /** Closes every queue; the device goes away with the last one. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fd of this.#fds) closeQuietly(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function openQueue(ns: Netns, name: string, flags: number): { fd: number; name: string } {
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.length === 0 || nameBytes.length >= IFNAMSIZ) {
    throw new Error(`Cannot create TUN "${name}": a link name has 1 to 15 bytes`);
  }
  const where = ns.isHome ? "" : ` in network namespace ${ns.label}`;
  return ns.run(() => {
    const L = libc();
    const fd = L.open(cstr(TUN_DEVICE), O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
    if (fd < 0) throw new KernelError(`create TUN "${name}"${where}`, errno());
    const ifr = new Uint8Array(IFREQ_SIZE);
    ifr.set(nameBytes);
    new DataView(ifr.buffer).setInt16(IFNAMSIZ, flags, true);
    if (L.ioctl(fd, TUNSETIFF, ifr) < 0) {
      const e = errno();
      L.close(fd);
      throw new KernelError(`create TUN "${name}"${where}`, e);
    }
    const nul = ifr.indexOf(0);
    return { fd, name: new TextDecoder().decode(ifr.subarray(0, nul < 0 ? IFNAMSIZ : nul)) };
  });
}
