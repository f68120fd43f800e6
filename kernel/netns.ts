/**
 * Network namespaces, the kernel side of Tandem's VRFs, managed the way
 * iproute2 manages them (so `ip netns exec <name> …` works on the
 * appliance) but without spawning `ip`:
 *
 * - a named namespace is the bind mount `/run/netns/<name>` of a namespace
 *   file; `/run/netns` is made a shared mount first (turned into a mount
 *   point by binding it onto itself when it is not one yet), so unmounts
 *   propagate to other mount namespaces;
 * - the namespace is born by `unshare(CLONE_NEWNET)` on the JS thread,
 *   bound from `/proc/thread-self/ns/net`, and the thread goes back home
 *   with `setns` at once.
 *
 * `setns`/`unshare` change only the calling thread. {@linkcode Netns.run}
 * moves the JS thread into a namespace, runs a callback synchronously and
 * moves it back. Only synchronous calls may run inside (DENO-FACTS §4):
 * anything that goes through Deno's blocking pool (nonblocking FFI, async
 * file APIs, DNS, node:dgram binds) would run on another thread, in the
 * wrong namespace, and a pool thread spawned meanwhile would stay in the
 * namespace for good. `run` therefore rejects callbacks that return a
 * promise, and the asynchronous kernel APIs (poller, netlink requests)
 * refuse to start while the thread is inside (see
 * {@linkcode assertOutsideNetns}).
 *
 * @module
 */
import { EINVAL, KernelError } from "./errno.ts";
import { closeQuietly, ensureDir, listDir, openReadOnly, pathExists, readLink } from "./files.ts";
import {
  CLONE_NEWNET,
  MNT_DETACH,
  MS_BIND,
  MS_REC,
  MS_SHARED,
  O_CLOEXEC,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
} from "./linux.ts";
import { cstr, errno, libc } from "./libc.ts";

/** Where iproute2 keeps named namespaces. */
export const NETNS_RUN_DIR = "/run/netns";
const THREAD_NS = "/proc/thread-self/ns/net";
const F_DUPFD_CLOEXEC = 1030;

let depth = 0;
let homeFd = -1;

function homeNsFd(): number {
  if (homeFd < 0) {
    if (depth > 0) throw new Error("Cannot find the home namespace while inside another one");
    homeFd = openReadOnly(THREAD_NS, "the home network namespace");
  }
  return homeFd;
}

/** Whether the JS thread is currently inside {@linkcode Netns.run}. */
export function insideNetns(): boolean {
  return depth > 0;
}

/**
 * Throws when called inside {@linkcode Netns.run}: for operations that
 * would hand work to another thread (which would run in the wrong
 * namespace, or leave a pool thread behind in it).
 */
export function assertOutsideNetns(what: string): void {
  if (depth > 0) {
    throw new Error(
      `Cannot ${what} inside Netns.run: only synchronous calls may run in another namespace`,
    );
  }
}

function isThenable(v: unknown): boolean {
  return typeof v === "object" && v !== null &&
    typeof (v as { then?: unknown }).then === "function";
}

function enter(target: number, label: string): number {
  const L = libc();
  const prev = depth === 0 ? homeNsFd() : openReadOnly(THREAD_NS, "the current network namespace");
  if (L.setns(target, CLONE_NEWNET) < 0) {
    const e = errno();
    if (prev !== homeFd) closeQuietly(prev);
    throw new KernelError(`enter network namespace ${label}`, e);
  }
  depth++;
  return prev;
}

function leave(prev: number): void {
  depth--;
  const r = libc().setns(prev, CLONE_NEWNET);
  const e = errno();
  if (prev !== homeFd) closeQuietly(prev);
  // Carrying on in the wrong namespace would put every later socket there.
  if (r < 0) throw new KernelError("return to the previous network namespace", e);
}

/** A network namespace: the daemon's home (`vrf main`) or a named one under /run/netns. */
export class Netns {
  static #home: Netns | undefined;

  private constructor(readonly name: string | undefined) {}

  /** The namespace the daemon started in. */
  static home(): Netns {
    homeNsFd();
    return Netns.#home ??= new Netns(undefined);
  }

  /** The named namespace `/run/netns/<name>` (it need not exist yet). */
  static named(name: string): Netns {
    validateNetnsName(name);
    return new Netns(name);
  }

  /** Whether this is the home namespace. */
  get isHome(): boolean {
    return this.name === undefined;
  }

  /** For messages: `"hasync"` or `home`. */
  get label(): string {
    return this.name === undefined ? "home" : `"${this.name}"`;
  }

  /** The bind-mount path (`/run/netns/<name>`); undefined for home. */
  get path(): string | undefined {
    return this.name === undefined ? undefined : `${NETNS_RUN_DIR}/${this.name}`;
  }

  /** Whether the namespace exists (home always does). */
  exists(): boolean {
    return this.name === undefined || pathExists(this.path!);
  }

  /**
   * A new fd referring to the namespace (for `IFLA_NET_NS_FD`, `setns`).
   * The caller closes it.
   */
  openFd(): number {
    if (this.name === undefined) {
      const fd = libc().fcntl(homeNsFd(), F_DUPFD_CLOEXEC, 0);
      if (fd < 0) throw new KernelError("duplicate the home namespace fd", errno());
      return fd;
    }
    return openReadOnly(this.path!, `network namespace ${this.label}`);
  }

  /**
   * Runs `fn` synchronously with the JS thread inside this namespace:
   * `ip netns exec <name> …` for the calling thread only. Sockets, TUNs and
   * netlink sockets created inside stay in the namespace for their whole
   * life. `fn` must not return a promise, must not await, and must not
   * start anything asynchronous.
   */
  run<T>(fn: () => T): T {
    if (this.name === undefined && depth === 0) {
      const r = fn();
      if (isThenable(r)) throw asyncCallbackError(this.label);
      return r;
    }
    const target = this.name === undefined ? homeNsFd() : this.openFd();
    let prev: number;
    try {
      prev = enter(target, this.label);
    } finally {
      if (target !== homeFd) closeQuietly(target);
    }
    let r: T;
    try {
      r = fn();
    } finally {
      leave(prev);
    }
    if (isThenable(r)) throw asyncCallbackError(this.label);
    return r;
  }

  /** The kernel's identity of the namespace, `net:[4026531840]` (equal ids = same namespace). */
  id(): string {
    return this.run(() => readLink(THREAD_NS));
  }
}

/** `ns.run(fn)`: runs `fn` synchronously with the JS thread inside `ns` (see {@linkcode Netns.run}). */
export function inNetns<T>(ns: Netns, fn: () => T): T {
  return ns.run(fn);
}

function asyncCallbackError(label: string): Error {
  return new Error(
    `Cannot run an async callback in network namespace ${label}: only synchronous calls may run inside`,
  );
}

/** Checks an iproute2 namespace name (a file name under /run/netns). */
export function validateNetnsName(name: string): void {
  if (!/^[A-Za-z0-9_.:@+-]{1,200}$/.test(name) || name === "." || name === "..") {
    throw new Error(
      `Cannot use "${name}" as a namespace name: use 1-200 letters, digits or _.:@+-`,
    );
  }
}

/** Makes /run/netns a shared mount point, as iproute2 does before every `ip netns add`. */
function shareRunDir(): void {
  const L = libc();
  const dir = cstr(NETNS_RUN_DIR);
  const none = cstr("none");
  const empty = cstr("");
  let madeMountPoint = false;
  while (L.mount(empty, dir, none, MS_SHARED | MS_REC, null) < 0) {
    const e = errno();
    if (e !== EINVAL || madeMountPoint) {
      throw new KernelError(`make ${NETNS_RUN_DIR} a shared mount`, e);
    }
    if (L.mount(dir, dir, none, MS_BIND | MS_REC, null) < 0) {
      throw new KernelError(`bind ${NETNS_RUN_DIR} onto itself`, errno());
    }
    madeMountPoint = true;
  }
}

/**
 * Creates a named namespace: `ip netns add <name>`. Throws a
 * {@linkcode KernelError} with EEXIST when it already exists. Its `lo` is
 * down, as with iproute2.
 */
export function createNetns(name: string): Netns {
  validateNetnsName(name);
  const L = libc();
  const ns = Netns.named(name);
  const path = ns.path!;
  const op = `create network namespace "${name}"`;
  ensureDir(NETNS_RUN_DIR);
  shareRunDir();
  const fd = L.open(cstr(path), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) throw new KernelError(op, errno());
  L.close(fd);
  const prev = depth === 0 ? homeNsFd() : openReadOnly(THREAD_NS, "the current network namespace");
  let failure = 0;
  if (L.unshare(CLONE_NEWNET) < 0) {
    failure = errno();
  } else {
    if (L.mount(cstr(THREAD_NS), cstr(path), cstr("none"), MS_BIND, null) < 0) failure = errno();
    const back = L.setns(prev, CLONE_NEWNET);
    const e = errno();
    if (back < 0) {
      if (prev !== homeFd) closeQuietly(prev);
      throw new KernelError(`return home after creating network namespace "${name}"`, e);
    }
  }
  if (prev !== homeFd) closeQuietly(prev);
  if (failure !== 0) {
    L.unlink(cstr(path));
    throw new KernelError(op, failure);
  }
  return ns;
}

/** Deletes a named namespace: `ip netns del <name>`. ENOENT when there is none. */
export function deleteNetns(name: string): void {
  validateNetnsName(name);
  const L = libc();
  const path = cstr(`${NETNS_RUN_DIR}/${name}`);
  L.umount2(path, MNT_DETACH);
  if (L.unlink(path) < 0) throw new KernelError(`delete network namespace "${name}"`, errno());
}

/** Names of the named namespaces: `ip netns list`. */
export function listNetns(): string[] {
  if (!pathExists(NETNS_RUN_DIR)) return [];
  return listDir(NETNS_RUN_DIR).sort();
}
