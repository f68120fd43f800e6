/**
 * Where committed configurations live. {@linkcode FileStore} keeps them in
 * a state directory: `config.txt` is the running configuration in the
 * `show config` text format (secrets included, mode 0600), preceded by `#`
 * header lines (commit number, time, user, comment); `history/<n>.txt`
 * keeps the last commits for `rollback`. Every file is replaced atomically
 * (`atomic_write.ts`); an exclusive lock serializes committers across
 * processes. {@linkcode MemoryStore} is the same without files.
 *
 * @module
 */
import { removeTemporaries, writeFileAtomic } from "./atomic_write.ts";

/** Metadata of one commit. */
export interface CommitMeta {
  readonly version: number;
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  readonly user?: string;
  readonly comment?: string;
}

/** A commit with its configuration text. */
export interface StoredCommit extends CommitMeta {
  readonly text: string;
}

export interface ConfigStore {
  /** The running configuration, or undefined before the first commit. */
  loadRunning(): StoredCommit | undefined;
  /** Records a new running configuration (and keeps it in the history). */
  saveRunning(commit: StoredCommit): void;
  /** The commits kept, newest first. */
  history(): CommitMeta[];
  loadCommit(version: number): StoredCommit | undefined;
  /** Takes the exclusive commit lock; resolves to the function releasing it. */
  lock(): Promise<() => void>;
}

/** The text of a stored file: header lines then the configuration. */
export function formatStored(c: StoredCommit): string {
  const head = [
    `# tandem configuration`,
    `# commit ${c.version}`,
    `# time ${new Date(c.time).toISOString()}`,
  ];
  if (c.user) head.push(`# user ${c.user}`);
  if (c.comment) head.push(`# comment ${c.comment.replace(/\n/g, " ")}`);
  return head.join("\n") + "\n" + c.text;
}

/** Reads a stored file's header; the whole file is the text (headers are comments). */
export function parseStored(file: string): StoredCommit {
  const meta: Record<string, string> = {};
  for (const line of file.split("\n")) {
    if (!line.startsWith("# ")) break;
    const m = /^# (\w+) (.*)$/.exec(line);
    if (m) meta[m[1]!] = m[2]!;
  }
  const version = Number(meta["commit"] ?? "0");
  const time = Date.parse(meta["time"] ?? "") || 0;
  return {
    version: Number.isSafeInteger(version) ? version : 0,
    time,
    ...(meta["user"] ? { user: meta["user"] } : {}),
    ...(meta["comment"] ? { comment: meta["comment"] } : {}),
    text: file,
  };
}

/** A store in a state directory. */
export class FileStore implements ConfigStore {
  readonly historyDir: string;

  constructor(readonly dir: string, readonly historySize = 20) {
    this.historyDir = `${dir}/history`;
    Deno.mkdirSync(this.historyDir, { recursive: true, mode: 0o700 });
    removeTemporaries(dir);
    removeTemporaries(this.historyDir);
  }

  get runningPath(): string {
    return `${this.dir}/config.txt`;
  }

  loadRunning(): StoredCommit | undefined {
    try {
      return parseStored(Deno.readTextFileSync(this.runningPath));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
  }

  saveRunning(c: StoredCommit): void {
    const text = formatStored(c);
    writeFileAtomic(`${this.historyDir}/${c.version}.txt`, text);
    writeFileAtomic(this.runningPath, text);
    const keep = new Set(this.#versions().slice(0, this.historySize));
    for (const v of this.#versions()) {
      if (!keep.has(v)) Deno.removeSync(`${this.historyDir}/${v}.txt`);
    }
  }

  #versions(): number[] {
    const out: number[] = [];
    for (const e of Deno.readDirSync(this.historyDir)) {
      const m = /^([0-9]+)\.txt$/.exec(e.name);
      if (e.isFile && m) out.push(Number(m[1]));
    }
    return out.sort((a, b) => b - a);
  }

  history(): CommitMeta[] {
    const running = this.loadRunning()?.version ?? 0;
    return this.#versions().filter((v) => v <= running).map((v) => {
      const { text: _text, ...meta } = this.loadCommit(v)!;
      return meta;
    });
  }

  loadCommit(version: number): StoredCommit | undefined {
    try {
      return parseStored(Deno.readTextFileSync(`${this.historyDir}/${version}.txt`));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
  }

  async lock(): Promise<() => void> {
    const f = await Deno.open(`${this.dir}/commit.lock`, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    await f.lock(true);
    return () => {
      f.unlockSync();
      f.close();
    };
  }
}

/** A store in memory (tests, or a daemon run without persistence). */
export class MemoryStore implements ConfigStore {
  #commits: StoredCommit[] = [];
  #locked: Promise<void> = Promise.resolve();

  constructor(readonly historySize = 20) {}

  loadRunning(): StoredCommit | undefined {
    return this.#commits[0];
  }
  saveRunning(c: StoredCommit): void {
    this.#commits = [c, ...this.#commits].slice(0, this.historySize);
  }
  history(): CommitMeta[] {
    return this.#commits.map(({ text: _text, ...meta }) => meta);
  }
  loadCommit(version: number): StoredCommit | undefined {
    return this.#commits.find((c) => c.version === version);
  }
  lock(): Promise<() => void> {
    let release!: () => void;
    const prev = this.#locked;
    this.#locked = new Promise((r) => (release = r));
    return prev.then(() => release);
  }
}
