/**
 * One event-loop-friendly waiter over a set of fds (DENO-FACTS §3, the
 * poll-async pattern): a dataplane drains its non-blocking fds
 * synchronously, then awaits {@linkcode Poller.wait}, which is a single
 * `poll(2)` run as a `nonblocking: true` FFI call on Deno's blocking pool.
 * One thread hop per wakeup, none per packet; the JS thread keeps running
 * timers and signal handlers meanwhile.
 *
 * An eventfd is always part of the set, so {@linkcode Poller.wake} and
 * {@linkcode Poller.stop} interrupt a wait at once (e.g. from a SIGTERM
 * handler). Changes to the fd set made during a wait take effect at the
 * next wait (the pool thread is reading the pollfd array); removing an fd
 * wakes the waiter, so remove before close.
 *
 * ```ts
 * const poller = new Poller();
 * poller.add(tun.fd); poller.add(udp.fd);
 * while (!poller.stopped) {
 *   drainAll();                  // synchronous, O_NONBLOCK, until EAGAIN
 *   await poller.wait(1000);
 * }
 * poller.close();
 * ```
 *
 * @module
 */
import { KernelError } from "./errno.ts";
import { EFD_CLOEXEC, EFD_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLNVAL } from "./linux.ts";
import { errno, libc } from "./libc.ts";
import { assertOutsideNetns } from "./netns.ts";

const POLLFD_SIZE = 8;

/** Waits on many fds with one nonblocking `poll`. */
export class Poller {
  readonly #wakeFd: number;
  #fds: number[] = [];
  #events: number[] = [];
  #pfd = new Uint8Array(POLLFD_SIZE * 8);
  #dv = new DataView(this.#pfd.buffer);
  #count = 0;
  #dirty = true;
  #waiting = false;
  #stopped = false;
  #closeRequested = false;
  #closed = false;
  #sink = new Uint8Array(8);
  #one = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);
  /** Completed waits (for counters). */
  wakeups = 0;

  constructor() {
    const fd = libc().eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) throw new KernelError("create an eventfd for the poller", errno());
    this.#wakeFd = fd;
  }

  /** Adds `fd` (or changes its events); POLLIN by default. */
  add(fd: number, events = POLLIN): void {
    const i = this.#fds.indexOf(fd);
    if (i >= 0) this.#events[i] = events;
    else {
      this.#fds.push(fd);
      this.#events.push(events);
    }
    this.#changed();
  }

  /** Removes `fd`; a running wait is woken so the fd can be closed safely after it resolves. */
  remove(fd: number): void {
    const i = this.#fds.indexOf(fd);
    if (i < 0) return;
    this.#fds.splice(i, 1);
    this.#events.splice(i, 1);
    this.#changed();
  }

  /** The fds being watched. */
  get fds(): readonly number[] {
    return this.#fds;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  #changed(): void {
    this.#dirty = true;
    if (this.#waiting) this.wake();
  }

  #rebuild(): void {
    const n = this.#fds.length + 1;
    if (this.#pfd.length < n * POLLFD_SIZE) {
      this.#pfd = new Uint8Array(n * 2 * POLLFD_SIZE);
      this.#dv = new DataView(this.#pfd.buffer);
    }
    this.#pfd.fill(0);
    this.#dv.setInt32(0, this.#wakeFd, true);
    this.#dv.setInt16(4, POLLIN, true);
    for (let i = 0; i < this.#fds.length; i++) {
      this.#dv.setInt32((i + 1) * POLLFD_SIZE, this.#fds[i]!, true);
      this.#dv.setInt16((i + 1) * POLLFD_SIZE + 4, this.#events[i]!, true);
    }
    this.#count = n;
    this.#dirty = false;
  }

  /**
   * Waits until an fd is ready, {@linkcode wake} is called, or `timeoutMs`
   * passes (-1: forever). Resolves with the number of ready fds (0 on
   * timeout or wake-up); after `stop()`, resolves 0 at once.
   */
  async wait(timeoutMs = -1): Promise<number> {
    if (this.#stopped) return 0;
    if (this.#waiting) throw new Error("Cannot wait on a poller twice at the same time");
    assertOutsideNetns("wait on a poller");
    if (this.#dirty) this.#rebuild();
    for (let i = 0; i < this.#count; i++) this.#dv.setInt16(i * POLLFD_SIZE + 6, 0, true);
    this.#waiting = true;
    let r: number;
    try {
      r = await libc().pollAsync(this.#pfd, this.#count, timeoutMs);
    } finally {
      this.#waiting = false;
    }
    this.wakeups++;
    if (this.#closeRequested) this.#finishClose();
    if (r <= 0) return 0;
    if (this.#dv.getInt16(6, true) !== 0) {
      libc().read(this.#wakeFd, this.#sink, 8);
      r--;
    }
    return r;
  }

  /**
   * The events `fd` reported at the last wait (POLLIN, POLLERR, …; 0 when
   * not ready or not watched then).
   */
  revents(fd: number): number {
    for (let i = 1; i < this.#count; i++) {
      if (this.#dv.getInt32(i * POLLFD_SIZE, true) === fd) {
        return this.#dv.getInt16(i * POLLFD_SIZE + 6, true);
      }
    }
    return 0;
  }

  /** Whether `fd` was readable (or in error/hang-up, which a read reports) at the last wait. */
  readable(fd: number): boolean {
    return (this.revents(fd) & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) !== 0;
  }

  /** Interrupts the current (or next) wait. Safe from signal handlers and timers. */
  wake(): void {
    if (this.#closed) return;
    libc().write(this.#wakeFd, this.#one, 8);
  }

  /** Makes every current and later wait resolve at once. */
  stop(): void {
    this.#stopped = true;
    this.wake();
  }

  /** Stops and releases the eventfd (after a running wait has returned). */
  close(): void {
    this.stop();
    this.#closeRequested = true;
    if (!this.#waiting) this.#finishClose();
  }

  #finishClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    libc().close(this.#wakeFd);
  }
}
