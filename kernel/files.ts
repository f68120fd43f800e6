/**
 * Small file helpers over FFI for /proc, /sys, /dev and /run: Deno's own
 * file APIs on /proc and /dev demand `--allow-all`, FFI needs only
 * `--allow-ffi`, so the appliance reads and writes these through here.
 *
 * Beware: /proc/sys/net and /proc/thread-self/net show the network
 * namespace of the calling thread (call inside `Netns.run`), while
 * /sys/class/net shows the namespace sysfs was mounted in, whatever the
 * thread's namespace.
 *
 * @module
 */
import { KernelError } from "./errno.ts";
import { F_OK, O_CLOEXEC, O_DIRECTORY, O_RDONLY, O_TRUNC, O_WRONLY } from "./linux.ts";
import {
  check,
  closeQuietly,
  copyFromPointer,
  cstr,
  cStringAt,
  errno,
  fail,
  libc,
} from "./libc.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Reads a whole (small) file as text: `cat path`. */
export function readTextFile(path: string, maxBytes = 1 << 20): string {
  const L = libc();
  const fd = check(L.open(cstr(path), O_RDONLY | O_CLOEXEC, 0), `open "${path}"`);
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(65536, maxBytes - total + 1));
      const n = L.read(fd, buf, buf.length);
      if (n < 0) fail(`read "${path}"`);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new Error(`Cannot read "${path}": larger than ${maxBytes} bytes`);
    }
    const all = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    return decoder.decode(all);
  } finally {
    L.close(fd);
  }
}

/** Writes text to an existing file (a sysctl or sysfs knob): `echo text > path`. */
export function writeTextFile(path: string, text: string): void {
  const L = libc();
  const fd = check(L.open(cstr(path), O_WRONLY | O_TRUNC | O_CLOEXEC, 0), `open "${path}"`);
  try {
    const data = encoder.encode(text);
    const n = L.write(fd, data, data.length);
    if (n < 0) fail(`write "${text}" to "${path}"`);
    if (n !== data.length) {
      throw new Error(`Cannot write "${text}" to "${path}": short write (${n} bytes)`);
    }
  } finally {
    L.close(fd);
  }
}

/** Whether a path exists: `test -e path`. */
export function pathExists(path: string): boolean {
  return libc().access(cstr(path), F_OK) === 0;
}

// struct dirent (glibc, LP64): d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name.
const DIRENT_NAME = 19;
const DIRENT_MAX = 280;

/** Names in a directory, without `.` and `..`: `ls -a path`. */
export function listDir(path: string): string[] {
  const L = libc();
  const dir = L.opendir(cstr(path));
  if (dir === null) fail(`list directory "${path}"`);
  try {
    const out: string[] = [];
    const ent = new Uint8Array(DIRENT_MAX);
    for (;;) {
      const p = L.readdir(dir);
      if (p === null) break;
      copyFromPointer(p, ent, DIRENT_NAME);
      const reclen = Math.min(ent[16]! | (ent[17]! << 8), DIRENT_MAX);
      copyFromPointer(p, ent, reclen);
      const end = ent.indexOf(0, DIRENT_NAME);
      const name = decoder.decode(ent.subarray(DIRENT_NAME, end < 0 ? reclen : end));
      if (name !== "." && name !== "..") out.push(name);
    }
    return out;
  } finally {
    L.closedir(dir);
  }
}

/** Target of a symbolic link: `readlink path`. */
export function readLink(path: string): string {
  const buf = new Uint8Array(4096);
  const n = libc().readlink(cstr(path), buf, buf.length);
  if (n < 0) fail(`read link "${path}"`);
  return decoder.decode(buf.subarray(0, n));
}

/** Canonical absolute path with every link resolved: `realpath path`. */
export function realPath(path: string): string {
  const L = libc();
  const p = L.realpath(cstr(path), null);
  if (p === null) fail(`resolve path "${path}"`);
  try {
    return cStringAt(p);
  } finally {
    L.free(p);
  }
}

/** Creates a directory unless it exists: `mkdir -p` for one level. */
export function ensureDir(path: string, mode = 0o755): void {
  if (libc().mkdir(cstr(path), mode) < 0) {
    const e = errno();
    if (e !== 17 /* EEXIST */) throw new KernelError(`create directory "${path}"`, e);
  }
}

/** Opens a path read-only and returns the fd (e.g. a namespace file); the caller closes it. */
export function openReadOnly(path: string, what: string, directory = false): number {
  return check(
    libc().open(cstr(path), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0), 0),
    `open ${what}`,
  );
}

export { closeQuietly };
