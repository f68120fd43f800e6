/**
 * The configuration datastore: the running configuration, its commit
 * number, the history to roll back to, and `commit`: validate the whole
 * candidate, hand the difference to the appliers in order (reverting them
 * all if one fails), persist atomically, and only then make the candidate
 * the running configuration. Commits are serialized, in-process and (with
 * a `FileStore`) across processes.
 *
 * This is the API the daemon uses: {@linkcode Datastore.open},
 * {@linkcode Datastore.registerApplier}, {@linkcode Datastore.applyRunning}
 * at start, {@linkcode Datastore.typed} to read the configuration.
 *
 * @module
 */
import { type Clock, systemClock } from "../core/clock.ts";
import { type Logger, quietLogger } from "../core/log.ts";
import { type Applier, ApplierRegistry, ApplyError } from "./appliers.ts";
import { ALL_CHECKS } from "./checks.ts";
import { parseConfigText } from "./editor.ts";
import { ROOT, type TandemConfig } from "./root_schema.ts";
import type { InnerNode } from "./schema.ts";
import { type CommitMeta, type ConfigStore, MemoryStore } from "./store.ts";
import { renderConfig } from "./text_format.ts";
import {
  deepFreeze,
  normalize,
  treeEqual,
  type TreeObject,
  type TreeValue,
  withDefaults,
} from "./tree.ts";
import { type Check, type Issue, issueMessage, validateTree } from "./validate.ts";

/** The outcome of a commit. */
export type CommitResult =
  | { readonly ok: true; readonly version: number; readonly changed: boolean }
  | { readonly ok: false; readonly errors: readonly string[] };

export interface CommitOptions {
  /** The commit the candidate was started from; a commit made since then refuses this one. */
  readonly baseVersion?: number;
  readonly user?: string;
  readonly comment?: string;
}

export interface DatastoreOptions {
  readonly store?: ConfigStore;
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly root?: InnerNode;
  readonly checks?: readonly Check<TandemConfig>[];
}

/** Renders a tree as the file text (no defaults, secrets in clear). */
export function configText(root: InnerNode, tree: TreeObject): string {
  return renderConfig(root, tree, [], { defaults: false, secrets: true }).join("\n") + "\n";
}

export class Datastore {
  readonly root: InnerNode;
  readonly store: ConfigStore;
  readonly log: Logger;
  readonly appliers: ApplierRegistry;
  #clock: Clock;
  #checks: Check<TandemConfig>[];
  #running: TreeObject = deepFreeze({});
  #typed: TandemConfig;
  #version = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #listeners: Array<(old: TandemConfig, now: TandemConfig, version: number) => void> = [];
  /** Problems found in the configuration loaded at start (it is still used). */
  readonly loadIssues: readonly Issue[];

  private constructor(opts: DatastoreOptions) {
    this.root = opts.root ?? ROOT;
    this.store = opts.store ?? new MemoryStore();
    this.log = opts.log ?? quietLogger("cfg");
    this.#clock = opts.clock ?? systemClock;
    this.#checks = [...(opts.checks ?? ALL_CHECKS)];
    this.appliers = new ApplierRegistry(this.root);
    this.#typed = this.#makeTyped(this.#running);
    this.loadIssues = this.#reload();
  }

  /** Opens a datastore on a store, loading its running configuration. */
  static open(opts: DatastoreOptions = {}): Datastore {
    return new Datastore(opts);
  }

  /** The running configuration, normalized and frozen. */
  get running(): TreeObject {
    return this.#running;
  }

  /** The commit number of the running configuration (0: never committed). */
  get version(): number {
    return this.#version;
  }

  /** The running configuration, typed, defaults filled in, frozen. */
  typed(): TandemConfig {
    return this.#typed;
  }

  /** Adds a cross-check run by every validation. */
  addCheck(check: Check<TandemConfig>): void {
    this.#checks.push(check);
  }

  /** See {@linkcode ApplierRegistry.register}. */
  registerApplier<T = TreeValue>(
    pattern: string,
    applier: Applier<T, TandemConfig>,
    opts: { name?: string; order?: number } = {},
  ): () => void {
    return this.appliers.register(pattern, applier, opts);
  }

  /** Called after every successful commit with the old and new typed configurations. */
  onCommit(fn: (old: TandemConfig, now: TandemConfig, version: number) => void): () => void {
    this.#listeners.push(fn);
    return () => {
      this.#listeners = this.#listeners.filter((f) => f !== fn);
    };
  }

  /** Validates a candidate; the messages are in the project's voice. */
  validate(candidate: TreeObject): string[] {
    return validateTree(this.root, normalize(this.root, candidate), this.#checks).map(issueMessage);
  }

  /** Applies the running configuration from nothing (the daemon at start). */
  applyRunning(): Promise<void> {
    return this.#serial(async () => {
      await this.appliers.apply(
        this.#makeTypedTree({}),
        this.#makeTypedTree(this.#running),
        this.log,
      );
    });
  }

  /** The commits kept for rollback, newest first (the first is the running one). */
  history(): CommitMeta[] {
    return this.store.history();
  }

  /** The configuration of a kept commit, by position in {@linkcode history} (0 = running). */
  historyTree(index: number): TreeObject | undefined {
    const meta = this.history()[index];
    const stored = meta && this.store.loadCommit(meta.version);
    return stored ? parseConfigText(this.root, stored.text) : undefined;
  }

  /** Commits a candidate (see the module comment). */
  commit(candidate: TreeObject, opts: CommitOptions = {}): Promise<CommitResult> {
    return this.#serial(async (): Promise<CommitResult> => {
      const release = await this.store.lock();
      try {
        this.#reload();
        if (opts.baseVersion !== undefined && opts.baseVersion !== this.#version) {
          return {
            ok: false,
            errors: [
              `Cannot commit: the running configuration is now commit ${this.#version}, ` +
              `not ${opts.baseVersion} which this candidate started from (discard and edit again)`,
            ],
          };
        }
        const tree = normalize(this.root, candidate);
        if (treeEqual(tree, this.#running)) {
          return { ok: true, version: this.#version, changed: false };
        }
        const errors = validateTree(this.root, tree, this.#checks).map(issueMessage);
        if (errors.length) return { ok: false, errors };
        const oldTyped = this.#makeTypedTree(this.#running);
        const newTyped = this.#makeTypedTree(tree);
        try {
          await this.appliers.apply(oldTyped, newTyped, this.log);
        } catch (e) {
          if (e instanceof ApplyError) return { ok: false, errors: [e.message] };
          throw e;
        }
        const version = this.#version + 1;
        try {
          this.store.saveRunning({
            version,
            time: this.#clock.wallNow(),
            text: configText(this.root, tree),
            ...(opts.user ? { user: opts.user } : {}),
            ...(opts.comment ? { comment: opts.comment } : {}),
          });
        } catch (e) {
          await this.appliers.apply(newTyped, oldTyped, this.log).catch((r) =>
            this.log.error(`reverting after a failed save: ${String(r)}`)
          );
          return {
            ok: false,
            errors: [`Cannot commit: saving the configuration failed: ${String(e)}`],
          };
        }
        const old = this.#typed;
        this.#set(tree, version);
        this.log.audit(`commit ${version}${opts.user ? ` by ${opts.user}` : ""}`);
        for (const fn of this.#listeners) fn(old, this.#typed, version);
        return { ok: true, version, changed: true };
      } finally {
        release();
      }
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Loads the store's running configuration if it is newer than ours (another process committed). */
  #reload(): Issue[] {
    const stored = this.store.loadRunning();
    if (!stored || stored.version === this.#version) return [];
    const tree = parseConfigText(this.root, stored.text);
    this.#set(tree, stored.version);
    return validateTree(this.root, tree, this.#checks);
  }

  #set(tree: TreeObject, version: number): void {
    this.#running = deepFreeze(tree);
    this.#version = version;
    this.#typed = this.#makeTyped(tree);
  }

  #makeTypedTree(tree: TreeObject): TreeObject {
    return deepFreeze(withDefaults(this.root, tree) as TreeObject);
  }

  #makeTyped(tree: TreeObject): TandemConfig {
    return this.#makeTypedTree(tree) as unknown as TandemConfig;
  }
}
