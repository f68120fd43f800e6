/**
 * Crash-safe file replacement: write a temporary file beside the target,
 * fsync it, rename it over the target, fsync the directory. A crash at any
 * instant leaves the old file or the new one, never a mix (rename(2) is
 * atomic; the directory fsync makes the rename itself durable).
 *
 * @module
 */

/** The suffix of temporary files; leftovers from a crash are removed by {@linkcode removeTemporaries}. */
export const TMP_MARK = ".tmp-";

function writeAll(f: Deno.FsFile, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += f.writeSync(data.subarray(off));
}

/** fsync of a directory (opened read-only, as POSIX allows). */
export function syncDirectory(dir: string): void {
  const d = Deno.openSync(dir, { read: true });
  try {
    d.syncSync();
  } finally {
    d.close();
  }
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Replaces `path` with `text` atomically and durably. */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}${TMP_MARK}${Deno.pid}`;
  const f = Deno.openSync(tmp, { write: true, create: true, truncate: true, mode });
  try {
    writeAll(f, new TextEncoder().encode(text));
    f.syncSync();
  } finally {
    f.close();
  }
  Deno.renameSync(tmp, path);
  syncDirectory(dirname(path));
}

/** Removes temporary files a crash left in `dir`. */
export function removeTemporaries(dir: string): void {
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile && e.name.includes(TMP_MARK)) Deno.removeSync(`${dir}/${e.name}`);
  }
}
