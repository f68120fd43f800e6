/**
 * What the shell talks to. The shell keeps the candidate and the context
 * itself (it parses with the schema it shares with the daemon) and asks its
 * session only for what lives with the datastore: the running
 * configuration, commits, the commit history, and the operational commands
 * other subsystems registered. Every argument and result is plain JSON
 * data, so a remote session (`tandem cli --socket`) is a transport away:
 * see `session_rpc.ts`.
 *
 * {@linkcode LocalSession} serves a datastore in the same process: the
 * daemon's control socket uses it on its side, and `tandem cli` uses it on a
 * state directory until a daemon runs.
 *
 * @module
 */
import type { CommitMeta } from "../config/store.ts";
import type { CommitResult, Datastore } from "../config/datastore.ts";
import type { TreeObject } from "../config/tree.ts";
import { type OperationalInfo, OperationalRegistry } from "./operational.ts";

/** The running configuration a candidate starts from. */
export interface RunningConfig {
  readonly tree: TreeObject;
  readonly version: number;
}

/** The result of an operational command: its output, or an error message. */
export type OperationalResult = { readonly ok: true; readonly output: string } | {
  readonly ok: false;
  readonly error: string;
};

export interface Session {
  running(): Promise<RunningConfig>;
  /** Validation messages of a candidate (empty when it would commit). */
  validate(candidate: TreeObject): Promise<string[]>;
  commit(
    candidate: TreeObject,
    opts: { baseVersion: number; comment?: string },
  ): Promise<CommitResult>;
  /** Kept commits, newest first; index 0 is the running configuration. */
  history(): Promise<CommitMeta[]>;
  /** The configuration of history entry `index`, or undefined. */
  historyConfig(index: number): Promise<TreeObject | undefined>;
  /** The registered operational commands (help and completion metadata). */
  operational(): Promise<OperationalInfo[]>;
  runOperational(words: string[]): Promise<OperationalResult>;
  /** Completions for the word after `words` of an operational command. */
  completeOperational(words: string[]): Promise<string[]>;
  close(): Promise<void>;
}

/** A session on a datastore in this process. */
export class LocalSession implements Session {
  readonly registry: OperationalRegistry;
  readonly user: string | undefined;

  constructor(
    readonly datastore: Datastore,
    opts: { registry?: OperationalRegistry; user?: string } = {},
  ) {
    this.registry = opts.registry ?? new OperationalRegistry();
    this.user = opts.user;
  }

  running(): Promise<RunningConfig> {
    return Promise.resolve({ tree: this.datastore.running, version: this.datastore.version });
  }

  validate(candidate: TreeObject): Promise<string[]> {
    return Promise.resolve(this.datastore.validate(candidate));
  }

  commit(
    candidate: TreeObject,
    opts: { baseVersion: number; comment?: string },
  ): Promise<CommitResult> {
    return this.datastore.commit(candidate, {
      baseVersion: opts.baseVersion,
      ...(opts.comment ? { comment: opts.comment } : {}),
      ...(this.user ? { user: this.user } : {}),
    });
  }

  history(): Promise<CommitMeta[]> {
    return Promise.resolve(this.datastore.history());
  }

  historyConfig(index: number): Promise<TreeObject | undefined> {
    return Promise.resolve(this.datastore.historyTree(index));
  }

  operational(): Promise<OperationalInfo[]> {
    return Promise.resolve(this.registry.info());
  }

  runOperational(words: string[]): Promise<OperationalResult> {
    return this.registry.run(words);
  }

  completeOperational(words: string[]): Promise<string[]> {
    return this.registry.complete(words);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
