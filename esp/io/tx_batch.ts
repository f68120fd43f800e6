/**
 * The send side of the I/O loop: ESP packets go out in one `sendmmsg` per
 * batch, and consecutive equal-sized packets to the same peer are
 * coalesced into UDP GSO datagrams (`UDP_SEGMENT`, Linux 4.18+): the
 * kernel routes, filters and queues one large datagram and cuts it into
 * `gso` -byte datagrams only at the end of the path (the peer receives
 * ordinary datagrams). A bulk TCP flow through a tunnel is a stream of
 * same-size ESP packets, so most packets share a traversal of the stack.
 *
 * ```
 * slot 0: [ESP 1438][ESP 1438][ESP 1438][ESP 98]  -> peer P, UDP_SEGMENT 1438 (closed by the short one)
 * slot 1: [ESP 1438][ESP 1438]                    -> peer P (open)
 * ```
 *
 * Rules (the kernel's): every segment of a GSO datagram but the last has
 * exactly the socket's segment size; the last may be shorter; a datagram
 * no longer than the segment size is sent as is. The segment size is a
 * socket option here (the batch has no per-message control data), so the
 * queue changes it only between sends: when a slot needs another size, the
 * slots before it are sent first. Raw protocol-50 sockets (no GSO) and
 * sockets where the option is refused get one packet per slot.
 *
 * The dataplane builds each packet directly at {@linkcode EspTx.target};
 * a packet is copied only when it cannot join the slot it was built in
 * (another peer, or larger than the slot's segments).
 *
 * @module
 */
import type { IpAddress } from "../../core/ip.ts";
import { DatagramBatch } from "../../kernel/msg_batch.ts";
import type { IpSocket } from "../../kernel/socket_base.ts";
import type { OutboundAction } from "../actions.ts";
import type { IoCounters } from "./counters.ts";

const SOL_UDP = 17;
const UDP_SEGMENT = 103;
/** The kernel's UDP_MAX_SEGMENTS (64 before Linux 6.2). */
const MAX_SEGMENTS = 64;
/** Largest UDP payload over IPv4 (65535 - 20 - 8), the slot size. */
const SLOT_BYTES = 65507;

/** A socket ESP leaves through, with its current UDP segment size (-1: no GSO). */
export interface TxSocket {
  readonly sock: IpSocket;
  readonly role: "ike" | "natt" | "raw";
  gso: number;
}

/** Probes UDP GSO on `s` (sets segment size 0, i.e. off); the value for {@linkcode TxSocket.gso}. */
export function probeGso(s: IpSocket, role: TxSocket["role"]): number {
  if (role !== "natt") return -1;
  try {
    s.setIntOption(SOL_UDP, UDP_SEGMENT, 0, "UDP_SEGMENT");
    return 0;
  } catch {
    return -1;
  }
}

/** See the module doc. */
export class EspTx {
  readonly #tx: DatagramBatch;
  readonly #c: IoCounters;
  /** Room a slot must keep to take one more packet (the largest ESP packet). */
  readonly #reserve: number;
  readonly #packets: Int32Array;
  /** Slots in use; the last is open while `#open`. */
  #count = 0;
  #open = false;
  #sock: TxSocket | undefined;
  #peer: IpAddress | null = null;
  #port = 0;
  #seg = 0;

  constructor(capacity: number, maxPacket: number, counters: IoCounters) {
    this.#tx = new DatagramBatch(capacity, SLOT_BYTES, { control: false });
    this.#c = counters;
    this.#reserve = maxPacket;
    this.#packets = new Int32Array(capacity);
  }

  /** The socket of the queued slots (one per batch). */
  get socket(): TxSocket | undefined {
    return this.#count > 0 ? this.#sock : undefined;
  }

  /** Where the dataplane builds the next ESP packet. */
  target(): Uint8Array {
    if (this.#open) {
      const i = this.#count - 1;
      return this.#tx.bufs[i]!.subarray(this.#tx.lens[i]!);
    }
    return this.#tx.bufs[this.#count]!;
  }

  /** Queues the packet the dataplane just built at {@linkcode target}, for socket `e`. */
  queue(e: TxSocket, r: OutboundAction): void {
    const tx = this.#tx;
    const len = r.length;
    const remote = r.remote!;
    if (this.#open) {
      const i = this.#count - 1;
      const off = tx.lens[i]!;
      if (
        e === this.#sock && remote === this.#peer && r.remotePort === this.#port && len <= this.#seg
      ) {
        tx.lens[i] = off + len;
        const n = ++this.#packets[i]!;
        if (len < this.#seg || n >= MAX_SEGMENTS || off + len + this.#reserve > SLOT_BYTES) {
          this.#open = false;
        }
        if (e.gso !== this.#seg) this.#resize(i, this.#seg);
        else if (!this.#open) this.#advance();
        return;
      }
      // Built in the open slot but belongs elsewhere: close it, move the packet to a new one.
      this.#open = false;
      const j = this.#advance();
      if (j < 0) {
        // The batch was full and has been sent: the packet's bytes are still in slot i.
        tx.bufs[0]!.set(tx.bufs[i]!.subarray(off, off + len));
      } else tx.bufs[j]!.set(tx.bufs[i]!.subarray(off, off + len));
    }
    let i = this.#count;
    if (this.#sock !== e && i > 0) {
      this.flush();
      tx.bufs[0]!.set(tx.bufs[i]!.subarray(0, len));
      i = 0;
    }
    this.#sock = e;
    this.#peer = remote;
    this.#port = r.remotePort;
    this.#seg = len;
    tx.lens[i] = len;
    tx.setPeer(i, remote, r.remotePort);
    this.#packets[i] = 1;
    this.#count = i + 1;
    this.#open = e.gso >= 0 && len + this.#reserve <= SLOT_BYTES;
    // A single datagram longer than the segment size would be cut: adjust first.
    if (e.gso > 0 && len > e.gso) this.#resize(i, len);
    if (!this.#open) this.#advance();
  }

  /** After closing a slot: sends the batch when full. Returns the next free slot, -1 if it sent. */
  #advance(): number {
    if (this.#count < this.#tx.capacity) return this.#count;
    this.flush();
    return -1;
  }

  /** Slot `i` needs segment size `seg`: sends the slots before it, moves it to slot 0, sets the option. */
  #resize(i: number, seg: number): void {
    const tx = this.#tx;
    const e = this.#sock!;
    const open = this.#open;
    if (i > 0) {
      const len = tx.lens[i]!;
      const packets = this.#packets[i]!;
      this.#open = false;
      this.#count = i;
      this.flush();
      tx.bufs[0]!.set(tx.bufs[i]!.subarray(0, len));
      tx.copyPeer(0, tx, i);
      tx.lens[0] = len;
      this.#packets[0] = packets;
      this.#count = 1;
      this.#sock = e;
      this.#open = open;
    }
    try {
      e.sock.setIntOption(SOL_UDP, UDP_SEGMENT, seg, "UDP_SEGMENT");
      e.gso = seg;
      this.#c.gsoChanges++;
    } catch {
      // Refused after all: no more GSO on this socket; this slot holds one packet or is dropped.
      e.gso = -1;
      this.#open = false;
      if (this.#packets[0]! > 1) {
        this.#c.sendDropped += this.#packets[0]!;
        this.#count = 0;
      }
    }
    if (!this.#open) this.#advance();
  }

  /** Sends every queued slot with one `sendmmsg`. */
  flush(): void {
    const n = this.#count;
    const e = this.#sock;
    this.#count = 0;
    this.#open = false;
    if (n === 0 || e === undefined) return;
    const sent = e.sock.sendBatch(this.#tx, n);
    let ok = 0, all = 0;
    for (let i = 0; i < n; i++) {
      all += this.#packets[i]!;
      if (i < sent) ok += this.#packets[i]!;
    }
    const c = this.#c;
    if (e.role === "raw") c.rawOut += ok;
    else c.udpOut += ok;
    c.sendDropped += all - ok;
    c.txDatagrams += sent;
  }
}
