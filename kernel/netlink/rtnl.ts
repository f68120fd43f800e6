/**
 * One rtnetlink handle per namespace (VRF): links, addresses and routes
 * over a single request socket, the counterpart of `ip -n <vrf> …`.
 *
 * @module
 */
import { Netns } from "../netns.ts";
import { AddrOps } from "./addr.ts";
import { LinkOps } from "./link.ts";
import { RouteOps } from "./route.ts";
import { NetlinkSocket } from "./socket.ts";

/** Links, addresses and routes of one namespace. */
export class Rtnl {
  readonly links: LinkOps;
  readonly addrs: AddrOps;
  readonly routes: RouteOps;

  private constructor(readonly socket: NetlinkSocket) {
    this.links = new LinkOps(socket);
    this.addrs = new AddrOps(socket, this.links);
    this.routes = new RouteOps(socket, this.links);
  }

  /** Opens a handle acting on `ns` (default: the daemon's home namespace). */
  static open(ns: Netns = Netns.home()): Rtnl {
    return new Rtnl(NetlinkSocket.open(ns));
  }

  /** The namespace this handle manages. */
  get ns(): Netns {
    return this.socket.ns;
  }

  close(): void {
    this.socket.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
