/**
 * A one-shot timer as a file descriptor (`timerfd_create(2)` on
 * CLOCK_MONOTONIC, the clock behind `performance.now()`): armed with
 * nanosecond precision and readable once it expires, so a
 * {@linkcode Poller} loop waits for its sockets and its next deadline in
 * the same `poll`. Deno's own `setTimeout` works in whole milliseconds and
 * fires 1–2 ms late (about 2 ms for anything under a millisecond); a
 * timerfd wakes the poll within the kernel's timer slack (50 µs).
 *
 * ```ts
 * const t = TimerFd.open();
 * poller.add(t.fd);
 * t.arm(360.9375);                 // ms from now
 * await poller.wait(-1);
 * if (t.clear()) runDueTimers();
 * ```
 *
 * @module
 */
import { KernelError } from "./errno.ts";
import { CLOCK_MONOTONIC, TFD_CLOEXEC, TFD_NONBLOCK } from "./linux.ts";
import { closeQuietly, errno, libc } from "./libc.ts";

const sleepSpec = new BigInt64Array(2);

/**
 * Blocks the calling thread for `ms` (`nanosleep`, within the kernel's
 * timer slack). For the last fraction of a millisecond before a deadline
 * only: the JS event loop stands still meanwhile. Returns at once for
 * `ms` ≤ 0; an interrupted sleep returns early.
 */
export function sleepSync(ms: number): void {
  if (!(ms > 0)) return;
  const ns = Math.ceil(ms * 1e6);
  sleepSpec[0] = BigInt(Math.floor(ns / 1e9));
  sleepSpec[1] = BigInt(ns % 1e9);
  libc().nanosleep(sleepSpec, null);
}

/** A non-blocking CLOCK_MONOTONIC timerfd. */
export class TimerFd {
  // struct itimerspec { timespec it_interval; timespec it_value; }, 64-bit fields.
  readonly #spec = new BigInt64Array(4);
  readonly #count = new Uint8Array(8);
  #closed = false;

  private constructor(readonly fd: number) {}

  /** `timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)`. */
  static open(): TimerFd {
    const fd = libc().timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) throw new KernelError("create a timerfd", errno());
    return new TimerFd(fd);
  }

  /** Expires once, `ms` from now (rounded up to the nanosecond: never early; ≤ 0: at once). */
  arm(ms: number): void {
    const ns = Math.max(1, Math.ceil(ms * 1e6));
    this.#set(BigInt(Math.floor(ns / 1e9)), BigInt(ns % 1e9), "arm");
  }

  /** Stops the timer (an expiry not yet read stays readable until {@linkcode clear}). */
  disarm(): void {
    this.#set(0n, 0n, "disarm");
  }

  /** Reads the expiry count without blocking; true when the timer had expired. */
  clear(): boolean {
    return libc().read(this.fd, this.#count, 8) === 8;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #set(sec: bigint, nsec: bigint, what: string): void {
    this.#spec[2] = sec;
    this.#spec[3] = nsec;
    if (libc().timerfd_settime(this.fd, 0, this.#spec, null) < 0) {
      throw new KernelError(`${what} a timerfd`, errno());
    }
  }
}
