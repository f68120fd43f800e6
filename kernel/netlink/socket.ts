/**
 * An rtnetlink socket (RFC 3549, `netlink(7)`): requests with sequence
 * numbers, acknowledgements, dumps, and multicast event delivery.
 *
 * The socket is non-blocking and acts on the namespace it was created in.
 * Waiting for a reply is one `poll` on Deno's blocking pool (the JS thread
 * keeps running); replies are drained with MSG_DONTWAIT. Requests on one
 * socket are serialized, so callers may issue them concurrently.
 *
 * @module
 */
import { EAGAIN, EINTR, EMSGSIZE, ENOBUFS, ETIMEDOUT, KernelError } from "../errno.ts";
import {
  AF_NETLINK,
  MSG_DONTWAIT,
  MSG_TRUNC,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  POLLIN,
  SO_RCVBUFFORCE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_NETLINK,
  SOL_SOCKET,
} from "../linux.ts";
import { closeQuietly, errno, intArg, libc } from "../libc.ts";
import { assertOutsideNetns, Netns } from "../netns.ts";
import {
  attrStr,
  decodeAttrs,
  decodeMessages,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  type NlMessage,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MSG,
  NlWriter,
} from "./wire.ts";

const NETLINK_ROUTE = 0;
const RECV_BUFFER = 1 << 17;
const DUMP_RETRIES = 5;

/** How long a request waits for its answer by default. */
export const REQUEST_TIMEOUT_MS = 5000;

/** Builds the family header and attributes of a request. */
export type RequestBody = (w: NlWriter) => void;

/** What a drain saw besides messages. */
export type DrainResult = "ok" | "overrun";

/** A non-blocking NETLINK_ROUTE socket bound in one namespace. */
export class NetlinkSocket {
  readonly fd: number;
  readonly ns: Netns;
  #seq: number;
  #buf = new Uint8Array(RECV_BUFFER);
  #writer = new NlWriter();
  #pfd = new Uint8Array(8);
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(fd: number, ns: Netns) {
    this.fd = fd;
    this.ns = ns;
    this.#seq = 0;
    const dv = new DataView(this.#pfd.buffer);
    dv.setInt32(0, fd, true);
    dv.setInt16(4, POLLIN, true);
  }

  /**
   * Opens a socket in `ns`, subscribed to the rtnetlink multicast `groups`
   * (RTNLGRP_* numbers) if any.
   */
  static open(ns: Netns = Netns.home(), groups: readonly number[] = []): NetlinkSocket {
    const L = libc();
    const where = ns.isHome ? "" : ` in network namespace ${ns.label}`;
    const fd = ns.run(() => {
      const s = L.socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
      if (s < 0) throw new KernelError(`open a netlink socket${where}`, errno());
      return s;
    });
    try {
      const sa = new Uint8Array(12);
      new DataView(sa.buffer).setUint16(0, AF_NETLINK, true);
      if (L.bind(fd, sa, sa.length) < 0) throw new KernelError("bind a netlink socket", errno());
      L.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, intArg(1), 4);
      L.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, intArg(1), 4);
      for (const g of groups) {
        if (L.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, intArg(g), 4) < 0) {
          throw new KernelError(`join rtnetlink group ${g}`, errno());
        }
      }
      // Event sockets must not overflow under a burst of changes; best effort.
      if (groups.length) L.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, intArg(4 << 20), 4);
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
    return new NetlinkSocket(fd, ns);
  }

  /**
   * Sends one request and collects its answer: with NLM_F_DUMP every
   * message up to NLMSG_DONE; with NLM_F_ACK nothing (resolves on the
   * ACK). A negative ACK throws a {@linkcode KernelError} for `operation`.
   * Returned messages are copies.
   */
  request(
    operation: string,
    type: number,
    flags: number,
    body: RequestBody,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<NlMessage[]> {
    assertOutsideNetns(operation);
    const run = async () => {
      for (let attempt = 0;; attempt++) {
        const r = await this.#exchange(operation, type, flags, body, timeoutMs);
        if (r !== "interrupted") return r;
        if (attempt >= DUMP_RETRIES) {
          throw new Error(`Cannot ${operation}: the dump kept changing (NLM_F_DUMP_INTR)`);
        }
      }
    };
    const p = this.#queue.then(run, run);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  /** A dump request (`NLM_F_DUMP`). */
  dump(operation: string, type: number, body: RequestBody): Promise<NlMessage[]> {
    return this.request(operation, type, NLM_F_DUMP, body);
  }

  /** A change request acknowledged by the kernel (`NLM_F_ACK` plus `flags`). */
  async ack(operation: string, type: number, flags: number, body: RequestBody): Promise<void> {
    await this.request(operation, type, flags | NLM_F_ACK, body);
  }

  /**
   * Sends a request without asking for an acknowledgement and returns at
   * once: the kernel applies an rtnetlink change while it takes the
   * message, so the change is made when this returns, inside a
   * synchronous call. A failure is answered with an error message that the
   * next exchange on this socket skips (another sequence number); confirm
   * with a normal request where it matters. False when the send failed.
   */
  sendOnly(type: number, flags: number, body: RequestBody): boolean {
    if (this.#closed) return false;
    const seq = this.#seq = (this.#seq + 1) >>> 0;
    const w = this.#writer.begin(type, flags | NLM_F_REQUEST, seq);
    body(w);
    const msg = w.finish();
    return libc().sendto(this.fd, msg, msg.length, 0, null, 0) >= 0;
  }

  async #exchange(
    operation: string,
    type: number,
    flags: number,
    body: RequestBody,
    timeoutMs: number,
  ): Promise<NlMessage[] | "interrupted"> {
    if (this.#closed) throw new Error(`Cannot ${operation}: the netlink socket is closed`);
    const L = libc();
    const seq = this.#seq = (this.#seq + 1) >>> 0;
    const w = this.#writer.begin(type, flags | NLM_F_REQUEST, seq);
    body(w);
    const msg = w.finish();
    if (L.sendto(this.fd, msg, msg.length, 0, null, 0) < 0) {
      throw new KernelError(operation, errno());
    }
    const replies: NlMessage[] = [];
    let interrupted = false;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let finished = false;
      let failure: KernelError | undefined;
      const r = this.drain((m) => {
        if (m.seq !== seq || finished) return;
        if (m.flags & NLM_F_DUMP_INTR) interrupted = true;
        if (m.type === NLMSG_ERROR) {
          const err = m.body.length >= 4
            ? new DataView(m.body.buffer, m.body.byteOffset).getInt32(0, true)
            : 0;
          if (err !== 0) {
            failure = new KernelError(operation, -err, extAckMessage(m, 4 + NLMSG_HDRLEN));
          }
          finished = true;
        } else if (m.type === NLMSG_DONE) {
          // A dump that failed midway ends with a negative errno in NLMSG_DONE.
          const err = m.body.length >= 4
            ? new DataView(m.body.buffer, m.body.byteOffset).getInt32(0, true)
            : 0;
          if (err < 0) failure = new KernelError(operation, -err, extAckMessage(m, 4));
          finished = true;
        } else {
          replies.push({ ...m, body: m.body.slice() });
          if (!(m.flags & NLM_F_MULTI) && !(flags & NLM_F_ACK)) finished = true;
        }
      });
      if (r === "overrun") throw new KernelError(operation, ENOBUFS);
      if (failure) throw failure;
      if (finished) return interrupted ? "interrupted" : replies;
      const left = Math.ceil(deadline - performance.now());
      if (left <= 0 || await L.pollAsync(this.#pfd, 1, left) === 0) {
        throw new KernelError(operation, ETIMEDOUT, "no answer from the kernel");
      }
    }
  }

  /**
   * Reads every queued datagram without blocking and hands each message to
   * `onMessage` (its body is a view, valid only during the call). Returns
   * "overrun" when the kernel dropped messages (ENOBUFS): event listeners
   * must then re-read the full state.
   */
  drain(onMessage: (m: NlMessage) => void): DrainResult {
    const L = libc();
    let result: DrainResult = "ok";
    for (;;) {
      const n = L.recvfrom(
        this.fd,
        this.#buf,
        this.#buf.length,
        MSG_DONTWAIT | MSG_TRUNC,
        null,
        null,
      );
      if (n < 0) {
        const e = errno();
        if (e === EAGAIN) return result;
        if (e === EINTR) continue;
        if (e === ENOBUFS) {
          result = "overrun";
          continue;
        }
        throw new KernelError("receive from a netlink socket", e);
      }
      if (n > this.#buf.length) throw new KernelError("receive a netlink reply", EMSGSIZE);
      const d = decodeMessages(this.#buf.subarray(0, n));
      if (!d.ok) {
        throw new Error(`Cannot decode a netlink reply: ${d.reason} at offset ${d.offset}`);
      }
      for (const m of d.value) onMessage(m);
    }
  }

  /** Waits until the socket is readable or `timeoutMs` passes; true when readable. */
  async readable(timeoutMs: number): Promise<boolean> {
    assertOutsideNetns("wait on a netlink socket");
    return await libc().pollAsync(this.#pfd, 1, timeoutMs) > 0;
  }

  /** Closes the socket. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    libc().close(this.fd);
  }
}

/**
 * The kernel's extended-ack text (NETLINK_EXT_ACK): attributes after the
 * error code (NLMSG_DONE) or after it and the echoed request header
 * (NLMSG_ERROR with NETLINK_CAP_ACK).
 */
function extAckMessage(m: NlMessage, offset: number): string | undefined {
  if (!(m.flags & NLM_F_ACK_TLVS)) return undefined;
  const a = decodeAttrs(m.body, offset);
  return a.ok ? attrStr(a.value, NLMSGERR_ATTR_MSG) : undefined;
}
