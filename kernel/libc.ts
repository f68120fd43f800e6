/**
 * The libc bindings. Every syscall the appliance makes goes through
 * {@linkcode libc}; everything else in `kernel/` builds on it. The only
 * other `Deno.dlopen` in Tandem is `libcrypto.ts` beside this file (OpenSSL
 * for the ESP ciphers; no syscalls).
 *
 * - Loaded lazily on first use from an absolute path (so a scoped
 *   `--allow-ffi=/lib/x86_64-linux-gnu/libc.so.6` grant works), trying the
 *   usual glibc locations in order.
 * - `ssize_t` results are declared `i32`: plain numbers, -1 stays -1, exact
 *   for any size below 2 GiB. `size_t`/`unsigned long` parameters are
 *   declared `usize`/`u64`; the {@linkcode Libc} interface types them as
 *   `number`. On the packet path (`read`, `write`, `sendto`, `recvfrom`,
 *   `memcpy`) the size goes through {@linkcode sizeArg}: a plain number
 *   given to a 64-bit parameter makes V8 deoptimise every caller ("not a
 *   BigInt"), and declaring the parameter 32-bit instead would leave the
 *   upper half of the register to chance, so sizes up to 64 KiB come from a
 *   table of ready BigInts (as fast as a 32-bit argument, measured).
 * - errno is thread-local: {@linkcode errno} reads it through
 *   `__errno_location()` and is only meaningful right after a synchronous
 *   call on the same thread. `pollAsync` (a `nonblocking: true` `poll`) runs
 *   on Deno's blocking pool; its errno cannot be read, only its result.
 *
 * @module
 */
import { KernelError } from "./errno.ts";
import { CLOCK_REALTIME } from "./linux.ts";

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  pollAsync: {
    name: "poll",
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  timerfd_create: { parameters: ["i32", "i32"], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  nanosleep: { parameters: ["buffer", "pointer"], result: "i32" },
  timerfd_settime: { parameters: ["i32", "i32", "buffer", "pointer"], result: "i32" },
  setns: { parameters: ["i32", "i32"], result: "i32" },
  unshare: { parameters: ["i32"], result: "i32" },
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "pointer"], result: "i32" },
  umount2: { parameters: ["buffer", "i32"], result: "i32" },
  mkdir: { parameters: ["buffer", "u32"], result: "i32" },
  unlink: { parameters: ["buffer"], result: "i32" },
  access: { parameters: ["buffer", "i32"], result: "i32" },
  readlink: { parameters: ["buffer", "buffer", "usize"], result: "i32" },
  realpath: { parameters: ["buffer", "pointer"], result: "pointer" },
  free: { parameters: ["pointer"], result: "void" },
  opendir: { parameters: ["buffer"], result: "pointer" },
  readdir: { parameters: ["pointer"], result: "pointer" },
  closedir: { parameters: ["pointer"], result: "i32" },
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "i32" },
  recvfrom: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"], result: "i32" },
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
  sendmmsg: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  __errno_location: { parameters: [], result: "pointer" },
  memcpyFrom: { name: "memcpy", parameters: ["buffer", "pointer", "usize"], result: "pointer" },
  addressOf: { name: "memset", parameters: ["buffer", "i32", "usize"], result: "usize" },
  strlen: { parameters: ["pointer"], result: "usize" },
  gettid: { parameters: [], result: "i32" },
} as const;

type Buf = ArrayBufferView | null;
type Ptr = Deno.PointerValue;

/** The bound functions, with C names and plain-number sizes. */
export interface Libc {
  open(path: Buf, flags: number, mode: number): number;
  close(fd: number): number;
  read(fd: number, buf: Buf, count: number): number;
  write(fd: number, buf: Buf, count: number): number;
  ioctl(fd: number, request: number, arg: Buf): number;
  fcntl(fd: number, cmd: number, arg: number): number;
  poll(fds: Buf, nfds: number, timeoutMs: number): number;
  /** `poll` on Deno's blocking pool: the JS thread keeps running while it waits. */
  pollAsync(fds: Buf, nfds: number, timeoutMs: number): Promise<number>;
  eventfd(initval: number, flags: number): number;
  timerfd_create(clockid: number, flags: number): number;
  clock_gettime(clockid: number, ts: Buf): number;
  nanosleep(req: Buf, rem: Ptr): number;
  timerfd_settime(fd: number, flags: number, value: Buf, old: Ptr): number;
  setns(fd: number, nstype: number): number;
  unshare(flags: number): number;
  mount(source: Buf, target: Buf, fstype: Buf, flags: number, data: Ptr): number;
  umount2(target: Buf, flags: number): number;
  mkdir(path: Buf, mode: number): number;
  unlink(path: Buf): number;
  access(path: Buf, mode: number): number;
  readlink(path: Buf, buf: Buf, size: number): number;
  realpath(path: Buf, resolved: Ptr): Ptr;
  free(p: Ptr): void;
  opendir(path: Buf): Ptr;
  readdir(dir: Ptr): Ptr;
  closedir(dir: Ptr): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buf, len: number): number;
  connect(fd: number, addr: Buf, len: number): number;
  setsockopt(fd: number, level: number, name: number, val: Buf, len: number): number;
  getsockopt(fd: number, level: number, name: number, val: Buf, len: Buf): number;
  getsockname(fd: number, addr: Buf, len: Buf): number;
  sendto(fd: number, buf: Buf, len: number, flags: number, addr: Buf, alen: number): number;
  recvfrom(fd: number, buf: Buf, len: number, flags: number, addr: Buf, alen: Buf): number;
  recvmmsg(fd: number, vec: Buf, vlen: number, flags: number, timeout: Ptr): number;
  sendmmsg(fd: number, vec: Buf, vlen: number, flags: number): number;
  if_nametoindex(name: Buf): number;
  gettid(): number;
  __errno_location(): Ptr;
  /** `memcpy(dst, src, n)`: copies C memory into a JS buffer. */
  memcpyFrom(dst: Buf, src: Ptr, n: number): Ptr;
  /** `memset(buf, c, 0)`, which returns `buf`: the address of a buffer. */
  addressOf(buf: Buf, c: number, n: number): bigint;
  strlen(s: Ptr): bigint;
}

/** Where glibc lives on the systems we run on; the first that loads wins. */
export const LIBC_PATHS = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/usr/lib/x86_64-linux-gnu/libc.so.6",
  "/lib64/libc.so.6",
  "/usr/lib64/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
];

/** Ready BigInts for the sizes the packet path passes (one datagram at most). */
const SIZE_TABLE_MAX = 65536;
let sizeTable: bigint[] = [];

function fillSizeTable(): void {
  if (sizeTable.length === 0) {
    sizeTable = Array.from({ length: SIZE_TABLE_MAX + 1 }, (_, i) => BigInt(i));
  }
}

/** `n` as the BigInt a `size_t` parameter wants, without allocating for n <= 64 KiB. */
export function sizeArg(n: number): bigint {
  fillSizeTable();
  return n >= 0 && n <= SIZE_TABLE_MAX ? sizeTable[n]! : BigInt(n);
}

type RawLibc = Omit<Libc, "read" | "write" | "sendto" | "recvfrom" | "memcpyFrom"> & {
  read(fd: number, buf: Buf, count: bigint): number;
  write(fd: number, buf: Buf, count: bigint): number;
  sendto(fd: number, buf: Buf, len: bigint, flags: number, addr: Buf, alen: number): number;
  recvfrom(fd: number, buf: Buf, len: bigint, flags: number, addr: Buf, alen: Buf): number;
  memcpyFrom(dst: Buf, src: Ptr, n: bigint): Ptr;
};

/** The raw symbols with the packet-path sizes converted by {@linkcode sizeArg}. */
function withSizeArgs(raw: RawLibc): Libc {
  return Object.assign(Object.create(null), raw, {
    read: (fd: number, buf: Buf, n: number) => raw.read(fd, buf, sizeArg(n)),
    write: (fd: number, buf: Buf, n: number) => raw.write(fd, buf, sizeArg(n)),
    sendto: (fd: number, buf: Buf, n: number, flags: number, addr: Buf, alen: number) =>
      raw.sendto(fd, buf, sizeArg(n), flags, addr, alen),
    recvfrom: (fd: number, buf: Buf, n: number, flags: number, addr: Buf, alen: Buf) =>
      raw.recvfrom(fd, buf, sizeArg(n), flags, addr, alen),
    memcpyFrom: (dst: Buf, src: Ptr, n: number) => raw.memcpyFrom(dst, src, sizeArg(n)),
  });
}

let bound: Libc | undefined;
let errnoPtr: Deno.PointerValue = null;
const errnoBuf = new Int32Array(1);
let loadedFrom = "";

function load(): Libc {
  const failures: string[] = [];
  for (const path of LIBC_PATHS) {
    try {
      fillSizeTable();
      const lib = withSizeArgs(Deno.dlopen(path, SYMBOLS).symbols as unknown as RawLibc);
      errnoPtr = lib.__errno_location();
      if (errnoPtr === null) throw new Error("__errno_location returned NULL");
      loadedFrom = path;
      return lib;
    } catch (e) {
      failures.push(`${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`Cannot load libc: ${failures.join("; ")}`);
}

/** The bound libc, loaded on first use. */
export function libc(): Libc {
  return bound ??= load();
}

/** The path libc was loaded from ("" before first use). */
export function libcPath(): string {
  return loadedFrom;
}

/**
 * errno of the last synchronous call made on this thread. Read with
 * `memcpy`, not `Deno.UnsafePointerView`: the pointer helpers of Deno
 * demand an unscoped `--allow-ffi`, plain calls do not.
 */
export function errno(): number {
  libc().memcpyFrom(errnoBuf, errnoPtr, 4);
  return errnoBuf[0]!;
}

const timespec = new BigInt64Array(2);

/**
 * CLOCK_REALTIME in milliseconds since the epoch (microsecond resolution):
 * the clock the kernel stamps received datagrams with (SO_TIMESTAMPNS).
 */
export function realtimeMs(): number {
  libc().clock_gettime(CLOCK_REALTIME, timespec);
  return Number(timespec[0]!) * 1000 + Number(timespec[1]!) / 1e6;
}

/** Copies `len` bytes at C pointer `ptr` into `out`. */
export function copyFromPointer(ptr: Deno.PointerObject, out: Uint8Array, len: number): void {
  libc().memcpyFrom(out, ptr, len);
}

/** The NUL-terminated string at C pointer `ptr`. */
export function cStringAt(ptr: Deno.PointerObject): string {
  const n = Number(libc().strlen(ptr));
  const b = new Uint8Array(n);
  if (n > 0) libc().memcpyFrom(b, ptr, n);
  return new TextDecoder().decode(b);
}

/** The address of a buffer's first byte (stable for ArrayBuffer-backed arrays). */
export function addressOf(buf: Uint8Array): bigint {
  return libc().addressOf(buf, 0, 0);
}

/** Throws a {@linkcode KernelError} for `operation` with the current errno. */
export function fail(operation: string): never {
  throw new KernelError(operation, errno());
}

/** Returns `r` when it is not negative; otherwise throws for `operation`. */
export function check(r: number, operation: string): number {
  if (r < 0) fail(operation);
  return r;
}

const encoder = new TextEncoder();

/** A NUL-terminated C string. */
export function cstr(s: string): Uint8Array {
  const b = new Uint8Array(s.length * 3 + 1);
  const { written } = encoder.encodeInto(s, b);
  return b.subarray(0, written + 1);
}

/** Closes an fd, ignoring errors (cleanup paths). */
export function closeQuietly(fd: number): void {
  if (fd >= 0) libc().close(fd);
}

/** An int option value for setsockopt. */
export function intArg(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}
