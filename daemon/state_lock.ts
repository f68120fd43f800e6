/**
 * One daemon per state directory: an exclusive lock on `daemon.lock`
 * (flock; the kernel drops it when the process dies, so a killed daemon
 * never blocks the next one) and `daemon.json` saying which process holds
 * it and where its socket is (`tandem cli` reads it, `daemon_socket.ts`).
 *
 * @module
 */
import { writeFileAtomic } from "../config/atomic_write.ts";
import {
  DAEMON_LOCK,
  DAEMON_RECORD,
  daemonHolding,
  type DaemonRecord,
} from "../cli/daemon_socket.ts";

/** The held lock of a state directory. */
export class StateLock {
  #file: Deno.FsFile | undefined;

  private constructor(readonly dir: string, file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Takes the lock and writes the record; throws `Cannot start: …` when
   * another daemon holds it.
   */
  static acquire(dir: string, record: DaemonRecord): StateLock {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = Deno.openSync(`${dir}/${DAEMON_LOCK}`, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    if (!file.tryLockSync(true)) {
      file.close();
      const other = daemonHolding(dir);
      const who = other?.pid
        ? ` (pid ${other.pid}${other.socket ? `, socket "${other.socket}"` : ""})`
        : "";
      throw new Error(
        `Cannot start: the state directory "${dir}" is in use by another daemon${who}`,
      );
    }
    writeFileAtomic(`${dir}/${DAEMON_RECORD}`, JSON.stringify(record) + "\n", 0o644);
    return new StateLock(dir, file);
  }

  release(): void {
    const f = this.#file;
    if (!f) return;
    this.#file = undefined;
    try {
      Deno.removeSync(`${this.dir}/${DAEMON_RECORD}`);
    } catch { /* already gone */ }
    f.unlockSync();
    f.close();
  }
}
