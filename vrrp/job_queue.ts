/**
 * A queue that runs jobs one after another, for a VRRP port whose
 * synchronous interface (the state machine's) drives asynchronous kernel
 * changes (netlink): a job pushed while the queue is idle starts at once
 * (a synchronous one completes before `push` returns); one pushed while
 * busy waits for everything before it. A job that throws is reported and
 * the queue carries on.
 *
 * @module
 */

/** A change to make: synchronous, or awaited before the next one starts. */
export type Job = () => void | Promise<void>;

/** Runs jobs one after another; sync jobs pushed on an idle queue run at once. */
export class JobQueue {
  #jobs: Job[] = [];
  #running = false;
  #waiters: (() => void)[] = [];

  constructor(readonly onError: (e: unknown) => void) {}

  get busy(): boolean {
    return this.#running || this.#jobs.length > 0;
  }

  push(job: Job): void {
    this.#jobs.push(job);
    if (!this.#running) void this.#run();
  }

  /** Resolves once every job pushed so far has run. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async #run(): Promise<void> {
    this.#running = true;
    for (let job = this.#jobs.shift(); job; job = this.#jobs.shift()) {
      try {
        // Only a promise is awaited: a queue of synchronous jobs drains within push().
        const r = job();
        if (r instanceof Promise) await r;
      } catch (e) {
        this.onError(e);
      }
    }
    this.#running = false;
    for (const w of this.#waiters.splice(0)) w();
  }
}
