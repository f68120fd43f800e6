/**
 * Deno's own UDP sockets (`Deno.listenDatagram`) in a VRF: IKE on port 500
 * uses them (DENO-FACTS §5: they receive on the event loop with no thread
 * hop and answer requests fastest). The socket is created synchronously
 * inside `Netns.run`, so it lives in that namespace for good.
 *
 * Deno exposes no fd and no setsockopt; to apply SO_BINDTODEVICE we find
 * the socket's fd ourselves: the socket fds that appeared in
 * /proc/self/fd (read through FFI, so no `--allow-all` is needed) while
 * it was created, matched by `getsockname`.
 *
 * @module
 */
import { KernelError } from "./errno.ts";
import { listDir, readLink } from "./files.ts";
import { SO_BINDTODEVICE, SOL_SOCKET } from "./linux.ts";
import { errno, libc } from "./libc.ts";
import type { Netns } from "./netns.ts";
import { decodeSockaddr, SOCKADDR_MAX } from "./sockaddr.ts";
import { bindFdToDevice } from "./socket_base.ts";

/** Options of {@linkcode listenDatagramIn} besides Deno's own. */
export interface DatagramExtras {
  /** SO_BINDTODEVICE to this link (in the socket's namespace). */
  device?: string;
}

/** A Deno UDP socket and the fd behind it. */
export interface VrfDatagram {
  readonly conn: Deno.DatagramConn;
  readonly fd: number;
}

function socketFds(): Set<number> {
  const out = new Set<number>();
  for (const name of listDir("/proc/self/fd")) {
    try {
      if (readLink(`/proc/self/fd/${name}`).startsWith("socket:")) out.add(Number(name));
    } catch {
      // The directory's own fd, or an fd closed meanwhile.
    }
  }
  return out;
}

function boundPort(fd: number): number | undefined {
  const sa = new Uint8Array(SOCKADDR_MAX);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, SOCKADDR_MAX, true);
  if (libc().getsockname(fd, sa, len) < 0) return undefined;
  return decodeSockaddr(sa)?.port;
}

/**
 * `Deno.listenDatagram(opts)` inside `ns`, optionally bound to a link:
 * `ip netns exec <vrf> …` for Deno's UDP socket. Needs `--allow-net`.
 */
export function listenDatagramIn(
  ns: Netns,
  opts: Deno.UdpListenOptions & { transport: "udp" },
  extras: DatagramExtras = {},
): VrfDatagram {
  const label = `UDP socket ${opts.hostname ?? "0.0.0.0"}:${opts.port}`;
  const before = socketFds();
  const conn = ns.run(() => Deno.listenDatagram(opts));
  try {
    const port = (conn.addr as Deno.NetAddr).port;
    const fresh = [...socketFds()].filter((fd) => !before.has(fd) && boundPort(fd) === port);
    if (fresh.length !== 1) {
      throw new Error(`Cannot find the fd of ${label}: ${fresh.length} candidates`);
    }
    const fd = fresh[0]!;
    if (extras.device !== undefined) bindFdToDevice(fd, extras.device, label);
    return { conn, fd };
  } catch (e) {
    conn.close();
    throw e;
  }
}

/** Reads SO_BINDTODEVICE back from a socket fd ("" when unbound). */
export function boundDevice(fd: number): string {
  const buf = new Uint8Array(16);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, 16, true);
  if (libc().getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, buf, len) < 0) {
    throw new KernelError(`read the device of socket fd ${fd}`, errno());
  }
  const n = new DataView(len.buffer).getUint32(0, true);
  const nul = buf.indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, Math.min(n, nul < 0 ? 16 : nul)));
}
