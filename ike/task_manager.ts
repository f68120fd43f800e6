/**
 * The task manager of one IKE SA: it only schedules. Message IDs (RFC 7296
 * §2.2, window size 1 each way), the retransmission of our requests with
 * exponential backoff and giving up (§2.1), answering a retransmitted
 * request from the cached response (§2.1: the responder retransmits the
 * response, never reprocesses), queues of pending initiator tasks, and
 * responder tasks that continue over several exchanges. What an exchange
 * contains is the tasks' business; encoding, protection and I/O are the
 * hooks' (the IKE SA layer).
 *
 * @module
 */
import type { Clock, Timer } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import type { RetransmitConfig } from "./config.ts";
import type { InMessage, OutMessage, Task, TaskStatus } from "./task.ts";
import { retransmitTimeout } from "./timing.ts";

export interface TaskManagerHooks<P> {
  /** Encodes, protects and sends; returns the datagrams (for retransmits), undefined on failure. */
  send(msg: OutMessage<P>, response: boolean): Uint8Array[] | undefined;
  /** Sends cached datagrams again. */
  resend(datagrams: readonly Uint8Array[]): void;
  /** Responder tasks for a request that starts a new exchange. */
  responderTasks(msg: InMessage<P>): Task<P>[];
  /** Whether a request outside the window is an RFC 6311 MID sync to process anyway. */
  isMidSync(msg: InMessage<P>): boolean;
  /** The IKE SA cannot continue (`timeout`: a request went unanswered). */
  fail(reason: string, timeout: boolean): void;
  /** An exchange completed (either direction): message IDs moved. */
  exchangeDone(): void;
}

/** What became of a received message (for counters). */
export type ReceiveOutcome =
  | "processed"
  | "retransmit-answered"
  | "unexpected-response"
  | "invalid-message-id"
  | "passive";

interface ActiveExchange<P> {
  tasks: Task<P>[];
  messageId: number;
  fixed: boolean;
  exchange: number;
  datagrams: Uint8Array[];
  attempt: number;
  timer: Timer | undefined;
}

export class TaskManager<P> {
  /** Message ID of our next request. */
  nextSend = 0;
  /** Message ID of the next request we expect from the peer. */
  expectRecv = 0;
  /** Clock time of the last authenticated message from the peer. */
  lastInbound: number | undefined;

  #queue: Task<P>[][] = [];
  #active: ActiveExchange<P> | undefined;
  /** Initiator tasks that returned `more`: they open the next exchange. */
  #continuing: Task<P>[] = [];
  /** Responder tasks that returned `more`: they take the next request. */
  #responding: Task<P>[] = [];
  #lastResponse: { messageId: number; datagrams: Uint8Array[] } | undefined;
  #passive = false;
  #kick: Timer | undefined;
  #dead = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retransmit: RetransmitConfig,
    private readonly hooks: TaskManagerHooks<P>,
  ) {}

  /** A passive (HA backup) manager neither initiates nor answers. */
  get passive(): boolean {
    return this.#passive;
  }

  setPassive(passive: boolean): void {
    this.#passive = passive;
    if (!passive) this.#schedule();
  }

  /** Queues tasks that run together in one exchange (or one multi-exchange sequence). */
  queue(...tasks: Task<P>[]): void {
    if (this.#dead || tasks.length === 0) return;
    this.#queue.push(tasks);
    this.#schedule();
  }

  /** Initiator tasks in the exchange in flight (for collision checks). */
  activeTasks(): readonly Task<P>[] {
    return [...(this.#active?.tasks ?? []), ...this.#continuing];
  }

  /** Queued initiator tasks, flattened. */
  queuedTasks(): readonly Task<P>[] {
    return this.#queue.flat();
  }

  /** Whether a request of ours is waiting for its response. */
  get busy(): boolean {
    return this.#active !== undefined;
  }

  /** Drops queued tasks matching `pred` (their `abort` is called). */
  dequeue(pred: (t: Task<P>) => boolean, reason: string): void {
    for (const group of this.#queue) {
      for (const t of group.filter(pred)) t.abort?.(reason);
    }
    this.#queue = this.#queue.map((g) => g.filter((t) => !pred(t))).filter((g) => g.length > 0);
  }

  #schedule(): void {
    if (this.#kick || this.#dead) return;
    this.#kick = this.clock.setTimer(0, () => {
      this.#kick = undefined;
      this.initiate();
    });
  }

  /** Starts the next exchange if none is in flight. */
  initiate(): void {
    if (this.#active || this.#passive || this.#dead) return;
    let tasks = this.#continuing;
    this.#continuing = [];
    if (tasks.length === 0) {
      const next = this.#queue.shift();
      if (!next) return;
      tasks = next;
    }
    const first = tasks[0]!;
    const fixedId = first.fixedMessageId?.();
    const msg: OutMessage<P> = {
      exchange: first.exchange(),
      messageId: fixedId ?? this.nextSend,
      payloads: [],
    };
    const keep: Task<P>[] = [];
    for (const t of tasks) {
      const st = t.build(msg);
      if (st === "failed") return this.#failTasks(tasks, `${t.name} failed to build`, false);
      if (st !== "done") keep.push(t);
    }
    if (keep.length === 0) return this.#schedule();
    const datagrams = this.hooks.send(msg, false);
    if (!datagrams) return this.#failTasks(keep, "cannot encode request", false);
    this.#active = {
      tasks: keep,
      messageId: msg.messageId,
      fixed: fixedId !== undefined,
      exchange: msg.exchange,
      datagrams,
      attempt: 0,
      timer: undefined,
    };
    this.#arm();
  }

  #arm(): void {
    const a = this.#active!;
    const wait = retransmitTimeout(this.retransmit, a.attempt)!;
    a.timer = this.clock.setTimer(wait, () => this.#onTimeout(a));
  }

  #onTimeout(a: ActiveExchange<P>): void {
    if (this.#active !== a) return;
    a.attempt++;
    if (retransmitTimeout(this.retransmit, a.attempt) === undefined) {
      this.log.control(`giving up on message ID ${a.messageId} after ${a.attempt - 1} retransmits`);
      this.#active = undefined;
      return this.#failTasks(a.tasks, "peer not responding", true);
    }
    this.log.control(`retransmit ${a.attempt} of request with message ID ${a.messageId}`);
    this.hooks.resend(a.datagrams);
    this.#arm();
  }

  #failTasks(tasks: Task<P>[], reason: string, timeout: boolean): void {
    for (const t of tasks) t.abort?.(reason);
    this.hooks.fail(reason, timeout);
  }

  /**
   * Whether a message would be processed as new: the request in the window or
   * the response we wait for; not a retransmit, a replay or a stray answer.
   */
  accepts(messageId: number, response: boolean, exchange: number): boolean {
    if (this.#dead || this.#passive) return false;
    if (!response) return messageId === this.expectRecv;
    return this.#active?.messageId === messageId && this.#active.exchange === exchange;
  }

  /** Whether `messageId` is that of the request we answered last (a retransmit). */
  isRetransmit(messageId: number): boolean {
    return this.#lastResponse?.messageId === messageId && messageId !== this.expectRecv;
  }

  /** Answers a retransmitted request from the cache (§2.1). */
  resendResponse(): void {
    if (this.#lastResponse) this.hooks.resend(this.#lastResponse.datagrams);
  }

  /** Handles a decrypted, reassembled message of this SA. */
  receive(msg: InMessage<P>): ReceiveOutcome {
    if (this.#dead) return "invalid-message-id";
    if (this.#passive) return "passive";
    return msg.response ? this.#onResponse(msg) : this.#onRequest(msg);
  }

  #onResponse(msg: InMessage<P>): ReceiveOutcome {
    const a = this.#active;
    if (!a || msg.messageId !== a.messageId || msg.exchange !== a.exchange) {
      return "unexpected-response";
    }
    this.lastInbound = this.clock.now();
    a.timer?.cancel();
    this.#active = undefined;
    const keep: Task<P>[] = [];
    let restart = false;
    for (const t of a.tasks) {
      const st: TaskStatus = t.process(msg);
      if (st === "failed") {
        this.#failTasks(a.tasks.filter((x) => x !== t), `${t.name} failed`, false);
        return "processed";
      }
      if (st === "restart") restart = true;
      if (st !== "done") keep.push(t);
    }
    if (restart) this.nextSend = 0;
    else if (!a.fixed) this.nextSend = (this.nextSend + 1) >>> 0;
    // A restarted exchange is built again by all its tasks, also those that were done
    // with it (NAT detection must go into the retried IKE_SA_INIT too).
    this.#continuing = restart ? a.tasks : keep;
    this.hooks.exchangeDone();
    this.initiate();
    return "processed";
  }

  #onRequest(msg: InMessage<P>): ReceiveOutcome {
    const midSync = msg.messageId !== this.expectRecv && this.hooks.isMidSync(msg);
    if (msg.messageId !== this.expectRecv && !midSync) {
      if (this.isRetransmit(msg.messageId)) {
        this.log.detail(`retransmitted request ${msg.messageId}: answering from cache`);
        this.resendResponse();
        return "retransmit-answered";
      }
      return "invalid-message-id";
    }
    this.lastInbound = this.clock.now();
    const tasks = this.#responding.length > 0 ? this.#responding : this.hooks.responderTasks(msg);
    this.#responding = [];
    const live: Task<P>[] = [];
    for (const t of tasks) {
      const st = t.process(msg);
      if (st === "failed") {
        this.#failTasks(tasks.filter((x) => x !== t), `${t.name} rejected the request`, false);
        return "processed";
      }
      live.push(t);
    }
    const out: OutMessage<P> = { exchange: msg.exchange, messageId: msg.messageId, payloads: [] };
    const keep: Task<P>[] = [];
    let fatal: string | undefined;
    for (const t of live) {
      const st = t.build(out);
      if (st === "failed") fatal ??= `${t.name} failed`;
      else if (st === "more") keep.push(t);
    }
    const datagrams = this.hooks.send(out, true) ?? [];
    if (!midSync) {
      this.#lastResponse = { messageId: msg.messageId, datagrams };
      this.expectRecv = (this.expectRecv + 1) >>> 0;
    }
    this.#responding = fatal ? [] : keep;
    this.hooks.exchangeDone();
    if (fatal) this.#failTasks(keep, fatal, false);
    return "processed";
  }

  /** Stops everything: timers, queued and active tasks (their `abort` runs). */
  flush(reason: string): void {
    this.#kick?.cancel();
    this.#kick = undefined;
    this.#active?.timer?.cancel();
    const all = [
      ...(this.#active?.tasks ?? []),
      ...this.#continuing,
      ...this.#responding,
      ...this.#queue.flat(),
    ];
    this.#active = undefined;
    this.#continuing = [];
    this.#responding = [];
    this.#queue = [];
    for (const t of all) t.abort?.(reason);
  }

  /** Like {@linkcode flush}, and refuses all further work. */
  destroy(reason: string): void {
    this.flush(reason);
    this.#dead = true;
    this.#lastResponse = undefined;
  }
}
