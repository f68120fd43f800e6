/**
 * Link, address and route change events from rtnetlink multicast groups
 * (`ip monitor link address route`), as an async iterator or a callback.
 * The socket is drained synchronously; waiting is one {@linkcode Poller}
 * wait, so {@linkcode RtnlEvents.close} ends iteration at once.
 *
 * When the kernel drops events (the socket buffer overflowed), an
 * `overrun` event is delivered: the listener must re-read the full state.
 *
 * A component with its own {@linkcode Poller} loop (VRRP's receive loop)
 * adds {@linkcode RtnlEvents.fd} to it and calls {@linkcode RtnlEvents.drain}
 * when the fd is readable instead of iterating.
 *
 * @module
 */
import { Netns } from "../netns.ts";
import { Poller } from "../poller.ts";
import { type Address, decodeAddress, RTM_DELADDR, RTM_NEWADDR } from "./addr.ts";
import { decodeLink, type Link, RTM_DELLINK, RTM_NEWLINK } from "./link_info.ts";
import { decodeRoute, type Route, RTM_DELROUTE, RTM_NEWROUTE } from "./route.ts";
import { NetlinkSocket } from "./socket.ts";
import type { NlMessage } from "./wire.ts";

/** What to subscribe to. */
export type RtnlTopic = "link" | "addr" | "route";

// RTNLGRP_* numbers from <linux/rtnetlink.h>.
const GROUPS: Record<RtnlTopic, number[]> = {
  link: [1],
  addr: [5, 9],
  route: [7, 11],
};

/** One change. */
export type RtnlEvent =
  | { readonly kind: "link"; readonly action: "new" | "del"; readonly link: Link }
  | { readonly kind: "addr"; readonly action: "new" | "del"; readonly addr: Address }
  | { readonly kind: "route"; readonly action: "new" | "del"; readonly route: Route }
  | { readonly kind: "overrun" };

/** Decodes an rtnetlink notification; undefined for other messages. */
export function decodeEvent(m: NlMessage): RtnlEvent | undefined {
  const t = m.type;
  if (t === RTM_NEWLINK || t === RTM_DELLINK) {
    const d = decodeLink(m.body);
    return d.ok
      ? { kind: "link", action: t === RTM_NEWLINK ? "new" : "del", link: d.value }
      : undefined;
  }
  if (t === RTM_NEWADDR || t === RTM_DELADDR) {
    const d = decodeAddress(m.body);
    return d.ok
      ? { kind: "addr", action: t === RTM_NEWADDR ? "new" : "del", addr: d.value }
      : undefined;
  }
  if (t === RTM_NEWROUTE || t === RTM_DELROUTE) {
    const d = decodeRoute(m.body);
    return d.ok
      ? { kind: "route", action: t === RTM_NEWROUTE ? "new" : "del", route: d.value }
      : undefined;
  }
  return undefined;
}

/** A subscription to rtnetlink changes in one namespace. */
export class RtnlEvents implements AsyncIterable<RtnlEvent> {
  readonly #sock: NetlinkSocket;
  readonly #poller = new Poller();
  #queue: RtnlEvent[] = [];
  #closed = false;
  #iterating = false;

  private constructor(sock: NetlinkSocket) {
    this.#sock = sock;
    this.#poller.add(sock.fd);
  }

  /** Subscribes in `ns` to `topics`: `ip -n <ns> monitor link address route`. */
  static open(
    ns: Netns = Netns.home(),
    topics: readonly RtnlTopic[] = ["link", "addr"],
  ): RtnlEvents {
    return new RtnlEvents(NetlinkSocket.open(ns, topics.flatMap((t) => GROUPS[t])));
  }

  #fill(): void {
    const r = this.#sock.drain((m) => {
      const ev = decodeEvent(m);
      if (ev) this.#queue.push(ev);
    });
    if (r === "overrun") this.#queue.push({ kind: "overrun" });
  }

  /** The subscription's socket, for a caller's own {@linkcode Poller}. */
  get fd(): number {
    return this.#sock.fd;
  }

  /**
   * Hands every event queued now to `fn` without waiting, in order (for
   * callers that wait on {@linkcode fd} themselves; not together with
   * iteration). Returns how many there were.
   */
  drain(fn: (ev: RtnlEvent) => void): number {
    if (this.#closed) return 0;
    this.#fill();
    let n = 0;
    for (let ev = this.#queue.shift(); ev; ev = this.#queue.shift()) {
      n++;
      fn(ev);
    }
    return n;
  }

  /** The next event, or undefined once closed. */
  async next(): Promise<RtnlEvent | undefined> {
    while (!this.#closed) {
      if (this.#queue.length === 0) this.#fill();
      const ev = this.#queue.shift();
      if (ev) return ev;
      await this.#poller.wait(-1);
    }
    return undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RtnlEvent> {
    if (this.#iterating) throw new Error("Cannot iterate over rtnetlink events twice");
    this.#iterating = true;
    try {
      for (;;) {
        const ev = await this.next();
        if (!ev) return;
        yield ev;
      }
    } finally {
      this.#iterating = false;
    }
  }

  /**
   * Calls `fn` for every event until closed; the returned promise settles
   * when the loop ends (rejects if `fn` throws).
   */
  async listen(fn: (ev: RtnlEvent) => void): Promise<void> {
    for await (const ev of this) fn(ev);
  }

  /** Ends iteration (a pending `next()` resolves undefined) and closes the socket. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#poller.close();
    this.#sock.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
