/**
 * An ICMP echo prober for failover benchmarks: sends an echo request to
 * one address every millisecond from a namespace and records every reply
 * with the kernel's receive timestamp (CLOCK_REALTIME, the clock tcpdump
 * and `realtimeMs()` use). iputils `ping -i 0.002` slows to one request
 * per 10 ms while replies are missing, which is exactly the failover gap
 * this measures.
 *
 * @module
 */
import { formatIp, parseIp } from "../core/ip.ts";
import { DatagramBatch, Netns, Poller, RawSocket, TimerFd } from "../kernel/mod.ts";

/** One echo reply: its kernel receive time (epoch ms) and sequence number. */
export interface EchoReply {
  readonly t: number;
  readonly seq: number;
}

const ICMP = 1;

function checksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export class IcmpProber {
  readonly replies: EchoReply[] = [];
  readonly #sock: RawSocket;
  readonly #target;
  readonly #id = Deno.pid & 0xffff;
  readonly #poller = new Poller();
  readonly #timer = TimerFd.open();
  readonly #out = new Uint8Array(64);
  readonly #in = new DatagramBatch(32, 256);
  #seq = 0;
  #loop: Promise<void> = Promise.resolve();

  constructor(ns: string, target: string, readonly intervalMs = 1) {
    this.#target = parseIp(target);
    this.#sock = RawSocket.open({ ns: Netns.named(ns), family: 4, protocol: ICMP });
    this.#sock.receiveTimestamps(true);
    this.#poller.add(this.#sock.fd);
    this.#poller.add(this.#timer.fd);
  }

  /** Starts sending and recording. */
  start(): void {
    this.#timer.arm(0);
    this.#loop = this.#run();
  }

  /** Replies received after `t` (epoch ms). */
  since(t: number): EchoReply[] {
    return this.replies.filter((r) => r.t > t);
  }

  async stop(): Promise<void> {
    this.#poller.stop();
    await this.#loop;
    this.#poller.close();
    this.#timer.close();
    this.#sock.close();
  }

  async #run(): Promise<void> {
    while (!this.#poller.stopped) {
      if (this.#timer.clear()) {
        this.#send();
        this.#timer.arm(this.intervalMs);
      }
      this.#receive();
      await this.#poller.wait(-1);
    }
  }

  #send(): void {
    const b = this.#out;
    b.fill(0);
    const seq = this.#seq = (this.#seq + 1) & 0xffff;
    b[0] = 8; // echo request
    b[4] = this.#id >> 8;
    b[5] = this.#id & 0xff;
    b[6] = seq >> 8;
    b[7] = seq & 0xff;
    const c = checksum(b);
    b[2] = c >> 8;
    b[3] = c & 0xff;
    this.#sock.sendTo(b, b.length, this.#target);
  }

  #receive(): void {
    for (;;) {
      const n = this.#sock.recvBatch(this.#in);
      for (let i = 0; i < n; i++) {
        const p = this.#in.bufs[i]!;
        const ihl = (p[0]! & 15) * 4;
        const from = formatIp({ family: 4, bytes: p.subarray(12, 16) });
        const id = (p[ihl + 4]! << 8) | p[ihl + 5]!;
        if (p[ihl] !== 0 || id !== this.#id || from !== formatIp(this.#target)) continue;
        this.replies.push({ t: this.#in.timestamp(i), seq: (p[ihl + 6]! << 8) | p[ihl + 7]! });
      }
      if (n < this.#in.capacity) return;
    }
  }
}
