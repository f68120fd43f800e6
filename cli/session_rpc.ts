/**
 * A {@linkcode Session} carried as JSON requests and responses, so that the
 * shell can run in another process than the datastore: the daemon answers
 * requests with {@linkcode serveSessionRequest} over its control socket,
 * and `tandem cli --socket` builds an {@linkcode RpcSession} on a function
 * that sends one request and waits for its response. The transport (e.g.
 * one JSON object per line on a Unix socket) is the daemon's.
 *
 * @module
 */
import type { CommitResult } from "../config/datastore.ts";
import type { CommitMeta } from "../config/store.ts";
import type { TreeObject } from "../config/tree.ts";
import type { OperationalInfo } from "./operational.ts";
import type { OperationalResult, RunningConfig, Session } from "./session.ts";

export const SESSION_METHODS = [
  "running",
  "validate",
  "commit",
  "history",
  "historyConfig",
  "operational",
  "runOperational",
  "completeOperational",
] as const;
export type SessionMethod = typeof SESSION_METHODS[number];

export interface SessionRequest {
  readonly id: number;
  readonly method: SessionMethod;
  readonly params: readonly unknown[];
}

export type SessionResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** Answers one request on a local session (the daemon's side). */
export async function serveSessionRequest(
  session: Session,
  req: SessionRequest,
): Promise<SessionResponse> {
  if (!(SESSION_METHODS as readonly string[]).includes(req.method)) {
    return { id: req.id, ok: false, error: `Cannot serve "${String(req.method)}": unknown method` };
  }
  try {
    const fn = session[req.method] as (...a: unknown[]) => Promise<unknown>;
    const result = await fn.apply(session, [...req.params]);
    return { id: req.id, ok: true, result: result === undefined ? null : result };
  } catch (e) {
    return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** A session whose calls go through `send` (the client's side). */
export class RpcSession implements Session {
  #next = 1;

  constructor(
    readonly send: (req: SessionRequest) => Promise<SessionResponse>,
    readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {}

  async #call<T>(method: SessionMethod, ...params: unknown[]): Promise<T> {
    const r = await this.send({ id: this.#next++, method, params });
    if (!r.ok) throw new Error(r.error);
    return r.result as T;
  }

  running(): Promise<RunningConfig> {
    return this.#call("running");
  }
  validate(candidate: TreeObject): Promise<string[]> {
    return this.#call("validate", candidate);
  }
  commit(
    candidate: TreeObject,
    opts: { baseVersion: number; comment?: string },
  ): Promise<CommitResult> {
    return this.#call("commit", candidate, opts);
  }
  history(): Promise<CommitMeta[]> {
    return this.#call("history");
  }
  async historyConfig(index: number): Promise<TreeObject | undefined> {
    return (await this.#call<TreeObject | null>("historyConfig", index)) ?? undefined;
  }
  operational(): Promise<OperationalInfo[]> {
    return this.#call("operational");
  }
  runOperational(words: string[]): Promise<OperationalResult> {
    return this.#call("runOperational", words);
  }
  completeOperational(words: string[]): Promise<string[]> {
    return this.#call("completeOperational", words);
  }
  close(): Promise<void> {
    return this.onClose();
  }
}
