/**
 * The task contract (strongSwan's `task_t`): each IKE concern is a small
 * object that takes part in exchanges. An initiator task builds its part of
 * a request, then processes the response; a responder task processes the
 * request, then builds its part of the response. Every step returns a
 * {@linkcode TaskStatus}.
 *
 * @module
 */

/**
 * - `done`: the task is finished and leaves the exchange.
 * - `more`: the task takes part in the next exchange too (IKE_SA_INIT → IKE_AUTH).
 * - `failed`: the IKE SA cannot continue; the manager gives up on it.
 * - `restart`: start the exchange over with message ID 0 (COOKIE, INVALID_KE_PAYLOAD).
 */
export type TaskStatus = "done" | "more" | "failed" | "restart";

/** What a task sees of an outgoing message: it appends payloads. */
export interface OutMessage<P> {
  readonly exchange: number;
  readonly messageId: number;
  readonly payloads: P[];
}

/** What a task sees of an incoming message (decrypted and reassembled). */
export interface InMessage<P> {
  readonly exchange: number;
  readonly messageId: number;
  readonly response: boolean;
  readonly payloads: readonly P[];
}

/** Task names, for logs, collision checks and `listIkeSas()`. */
export type TaskName =
  | "ike-init"
  | "ike-natd"
  | "ike-auth"
  | "ike-config"
  | "ike-mid-sync"
  | "child-create"
  | "child-rekey"
  | "child-delete"
  | "ike-rekey"
  | "ike-delete"
  | "ike-dpd"
  | "ike-informational";

export interface Task<P> {
  readonly name: TaskName;
  /** Whether this task runs as initiator of its exchanges. */
  readonly initiator: boolean;
  /** The exchange type this initiator task wants next. */
  exchange(): number;
  /**
   * A message ID other than the next one in sequence (RFC 6311 uses 0).
   * Only consulted for initiator tasks; the ID counters are not advanced.
   */
  fixedMessageId?(): number | undefined;
  build(msg: OutMessage<P>): TaskStatus;
  process(msg: InMessage<P>): TaskStatus;
  /** The task is dropped unfinished (timeout, SA destroyed, superseded). */
  abort?(reason: string): void;
}
