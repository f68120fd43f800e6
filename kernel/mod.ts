/**
 * The kernel layer: the only code in Tandem that calls FFI or makes
 * syscalls. Everything else gets kernel objects from `main.ts`.
 *
 * What lives where:
 *
 * | file | concern |
 * | --- | --- |
 * | `libc.ts` | the `Deno.dlopen` of glibc (absolute path), errno, `poll` as a nonblocking call, packet-path size arguments |
 * | `libcrypto.ts` | the `Deno.dlopen` of OpenSSL 3's libcrypto for the `openssl` crypto provider (handed over by `gateway/openssl.ts`) |
 * | `errno.ts` | errno names, {@linkcode KernelError} (`Cannot <op>: EEXIST (File exists)`) |
 * | `linux.ts` | UAPI constants |
 * | `files.ts` | /proc, /sys, /dev, /run reads and writes through FFI (no `--allow-all`) |
 * | `netns.ts` | namespaces the iproute2 way (/run/netns bind mounts), {@linkcode Netns.run} |
 * | `vrf.ts` | VRF names ↔ namespaces with a prefix; `main` = the daemon's own |
 * | `sysctl.ts` | per-VRF sysctls (forwarding, rp_filter, accept_dad, …) |
 * | `netlink/wire.ts` | netlink message/attribute codec |
 * | `netlink/socket.ts` | request/ack/dump with sequence numbers, events draining |
 * | `netlink/link_info.ts` | the {@linkcode Link} record and its decoder |
 * | `netlink/link.ts`, `addr.ts`, `route.ts` | links, addresses, routes (each op names its `ip` command) |
 * | `netlink/rtnl.ts` | {@linkcode Rtnl}: one handle per VRF with `.links`, `.addrs`, `.routes` |
 * | `netlink/events.ts` | {@linkcode RtnlEvents}: link/address/route changes, async iterable |
 * | `poller.ts` | {@linkcode Poller}: one nonblocking `poll` over many fds, wake/stop |
 * | `timerfd.ts` | {@linkcode TimerFd}: a deadline with ns precision a Poller can wait on; `sleepSync` |
 * | `tun.ts` | TUN devices in a VRF, multi-queue, batch read/write |
 * | `msg_batch.ts` | {@linkcode DatagramBatch}: preallocated `recvmmsg`/`sendmmsg` arena |
 * | `sockaddr.ts` | sockaddr_in/in6/ll codecs into caller buffers |
 * | `socket_base.ts` | what UDP and raw sockets share: options, multicast, batches |
 * | `socket_udp.ts` | {@linkcode UdpSocket} (NAT-T 4500, HA sync) |
 * | `socket_raw.ts` | {@linkcode RawSocket} (ESP 50, VRRP 112 with its multicast setup) |
 * | `socket_packet.ts` | {@linkcode PacketSocket}: whole Ethernet frames out of a link (GARP, NA) |
 * | `datagram.ts` | `Deno.listenDatagram` inside a VRF (IKE 500), SO_BINDTODEVICE via its fd |
 * | `sysfs.ts`, `port.ts` | `port pci-b0s3` → kernel link; sysfs counters |
 *
 * Rules for callers: create sockets, TUNs and netlink handles with the
 * `ns` they belong to (creation runs synchronously inside that namespace);
 * never await inside `Netns.run`; packet-path methods (`read*`, `recv*`,
 * `send*`, `write*`) return counts and never throw, control-plane
 * methods throw {@linkcode KernelError}.
 *
 * Deno permissions: `--allow-ffi` (scoped works:
 * `--allow-ffi=/lib/x86_64-linux-gnu/libc.so.6`), `--allow-net` for
 * {@linkcode listenDatagramIn}, and `Deno.listenDatagram` needs the `net`
 * unstable flag (set in deno.json). Root (CAP_NET_ADMIN, CAP_NET_RAW,
 * CAP_SYS_ADMIN for namespaces and mounts).
 *
 * @module
 */
export * from "./errno.ts";
export { libc, libcPath, realtimeMs } from "./libc.ts";
export { libcrypto, libcryptoError } from "./libcrypto.ts";
export {
  createNetns,
  deleteNetns,
  inNetns,
  insideNetns,
  listNetns,
  Netns,
  NETNS_RUN_DIR,
  validateNetnsName,
} from "./netns.ts";
export { MAIN_VRF, validateVrfName, Vrfs } from "./vrf.ts";
export * from "./sysctl.ts";
export { Rtnl } from "./netlink/rtnl.ts";
export {
  type AddrGenMode,
  type LinkOps,
  type LinkRef,
  type MacvlanMode,
  type SimpleKind,
} from "./netlink/link.ts";
export {
  formatMac,
  type Link,
  type LinkStats,
  type OperState,
  parseMac,
} from "./netlink/link_info.ts";
export {
  type AddAddressOptions,
  type Address,
  type AddrOps,
  IFA_F_DADFAILED,
  IFA_F_NODAD,
  IFA_F_PERMANENT,
  IFA_F_TENTATIVE,
} from "./netlink/addr.ts";
export {
  describeRoute,
  type Route,
  type RouteOps,
  type RouteSpec,
  type RouteType,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  RTPROT_BOOT,
  RTPROT_KERNEL,
  RTPROT_STATIC,
} from "./netlink/route.ts";
export { type RtnlEvent, RtnlEvents, type RtnlTopic } from "./netlink/events.ts";
export { Poller } from "./poller.ts";
export { sleepSync, TimerFd } from "./timerfd.ts";
export { Tun, type TunCounters, type TunOptions } from "./tun.ts";
export { type BatchOptions, DatagramBatch } from "./msg_batch.ts";
export { bindFdToDevice, IpSocket, type SocketCounters } from "./socket_base.ts";
export { type UdpOptions, UdpSocket } from "./socket_udp.ts";
export { type RawOptions, RawSocket } from "./socket_raw.ts";
export { PacketSocket } from "./socket_packet.ts";
export {
  boundDevice,
  type DatagramExtras,
  listenDatagramIn,
  type VrfDatagram,
} from "./datagram.ts";
export { pciAddressOfLink, sysfsHasLink, sysfsLinkNames, sysfsLinkStats } from "./sysfs.ts";
export {
  findPortLink,
  listPorts,
  parsePort,
  pciAddress,
  type Port,
  portOfPciAddress,
} from "./port.ts";
export { IPPROTO_ESP, IPPROTO_VRRP } from "./linux.ts";
