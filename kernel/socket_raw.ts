/**
 * Raw IP sockets over FFI for one IP protocol in a VRF: ESP (protocol 50,
 * RFC 4303) without UDP encapsulation, and VRRP (protocol 112, RFC 5798)
 * with its multicast group 224.0.0.18 / ff02::12, TTL/hop limit 255 and
 * the received TTL checked by the caller (§7.1).
 *
 * IPv4 raw sockets receive the IP header in front of the payload (read TTL
 * and addresses there) and send without it (the kernel adds one). IPv6 raw
 * sockets receive the payload only; the hop limit and destination come as
 * ancillary data ({@linkcode RawSocket.receiveTtl},
 * {@linkcode RawSocket.receivePacketInfo}).
 *
 * @module
 */
import { type IpAddress, parseIp } from "../core/ip.ts";
import { closeQuietly } from "./libc.ts";
import { IPPROTO_IPV6, IPV6_CHECKSUM, SOCK_RAW } from "./linux.ts";
import { Netns } from "./netns.ts";
import { IpSocket, openSocket } from "./socket_base.ts";

/** VRRP's IPv4 group (RFC 5798 §5.1.1.2). */
export const VRRP_GROUP_V4: IpAddress = parseIp("224.0.0.18");
/** VRRP's IPv6 group (RFC 5798 §5.1.2.2). */
export const VRRP_GROUP_V6: IpAddress = parseIp("ff02::12");

/** Options of {@linkcode RawSocket.open}. */
export interface RawOptions {
  ns?: Netns;
  family: 4 | 6;
  /** IP protocol number: 50 ESP, 112 VRRP, … */
  protocol: number;
  /** SO_BINDTODEVICE to this link. */
  device?: string;
  /** Bind to a local address (the source of what is sent). */
  address?: IpAddress;
  /** With an IPv6 link-local `address`: its link's ifindex. */
  scopeId?: number;
}

/** A non-blocking raw socket for one IP protocol. */
export class RawSocket extends IpSocket {
  /** Opens a raw socket: what `ip netns exec <vrf> …` tools get with `socket(AF_INET*, SOCK_RAW, proto)`. */
  static open(opts: RawOptions): RawSocket {
    const ns = opts.ns ?? Netns.home();
    const label = `raw IPv${opts.family} socket for protocol ${opts.protocol}`;
    const fd = openSocket(ns, opts.family, SOCK_RAW, opts.protocol, label);
    const s = new RawSocket(fd, opts.family, ns, label);
    try {
      if (opts.device !== undefined) s.bindToDevice(opts.device);
      if (opts.address) s.bindAddress(opts.address, 0, opts.scopeId ?? 0);
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
    return s;
  }

  /**
   * IPv6 only: the kernel computes and checks the checksum at `offset` in
   * the payload (VRRP: 6, RFC 5798 §5.2.8) using the IPv6 pseudo-header.
   */
  setChecksumOffset(offset: number): void {
    if (this.family !== 6) throw new Error(`Cannot set IPV6_CHECKSUM on ${this.label}`);
    this.setIntOption(IPPROTO_IPV6, IPV6_CHECKSUM, offset, "IPV6_CHECKSUM");
  }

  /**
   * Sets up VRRP multicast on link `ifindex`: joins the group, sends out of
   * that link with TTL/hop limit 255, does not loop our own adverts back,
   * and reports the TTL/hop limit of what arrives. Over IPv6 the source
   * must be the link's link-local address (RFC 5798 §5.1.2.1): open the
   * socket with `address` and `scopeId` set, the kernel may pick a global
   * one otherwise.
   */
  setupVrrp(ifindex: number): void {
    this.joinGroup(this.family === 4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6, ifindex);
    this.setMulticastInterface(ifindex);
    this.setMulticastTtl(255);
    this.setMulticastLoop(false);
    this.receiveTtl(true);
    if (this.family === 6) {
      this.setChecksumOffset(6);
      this.receivePacketInfo(true);
    }
  }
}
