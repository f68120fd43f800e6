/**
 * UDP sockets over FFI, bound in a VRF (namespace), optionally to one
 * link: the dataplane's NAT-T socket (RFC 3948, port 4500, shared with IKE
 * through the non-ESP marker) and the HA sync channel. Non-blocking;
 * receive and send in batches with the source of every datagram.
 *
 * @module
 */
import { type IpAddress, parseIp } from "../core/ip.ts";
import { closeQuietly } from "./libc.ts";
import {
  IPPROTO_IPV6,
  IPPROTO_UDP,
  IPV6_V6ONLY,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOL_SOCKET,
} from "./linux.ts";
import { Netns } from "./netns.ts";
import { endpointText, IpSocket, openSocket } from "./socket_base.ts";

/** Options of {@linkcode UdpSocket.open}. */
export interface UdpOptions {
  /** Namespace (VRF) to open in; default home. */
  ns?: Netns;
  /** Local address; default 0.0.0.0. Its family is the socket's. */
  address?: IpAddress | string;
  /** Local port; 0 picks one. */
  port: number;
  /** SO_BINDTODEVICE to this link (in the socket's namespace). */
  device?: string;
  reuseAddress?: boolean;
  reusePort?: boolean;
  /** IPv6 sockets: only IPv6 (default true, so an IPv4 socket can share the port). */
  v6Only?: boolean;
  /** Report arrival link and local address per datagram. */
  packetInfo?: boolean;
  /** Socket buffer sizes in bytes. */
  receiveBuffer?: number;
  sendBuffer?: number;
}

/** A non-blocking UDP socket made with FFI. */
export class UdpSocket extends IpSocket {
  /**
   * Opens and binds a UDP socket:
   * `ip netns exec <vrf> socat UDP-RECVFROM:<port>,bind=<addr>,so-bindtodevice=<dev>`.
   */
  static open(opts: UdpOptions): UdpSocket {
    const ns = opts.ns ?? Netns.home();
    const address = typeof opts.address === "string"
      ? parseIp(opts.address)
      : opts.address ?? parseIp("0.0.0.0");
    const label = `UDP socket ${endpointText(address, opts.port)}`;
    const fd = openSocket(ns, address.family, SOCK_DGRAM, IPPROTO_UDP, label);
    const s = new UdpSocket(fd, address.family, ns, label);
    try {
      if (opts.reuseAddress) s.setIntOption(SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
      if (opts.reusePort) s.setIntOption(SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
      if (address.family === 6) {
        s.setIntOption(IPPROTO_IPV6, IPV6_V6ONLY, opts.v6Only === false ? 0 : 1, "IPV6_V6ONLY");
      }
      if (opts.device !== undefined) s.bindToDevice(opts.device);
      if (opts.packetInfo) s.receivePacketInfo(true);
      const buffers: { receive?: number; send?: number } = {};
      if (opts.receiveBuffer !== undefined) buffers.receive = opts.receiveBuffer;
      if (opts.sendBuffer !== undefined) buffers.send = opts.sendBuffer;
      s.setBuffers(buffers);
      s.bindAddress(address, opts.port);
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
    return s;
  }
}
