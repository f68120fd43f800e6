/**
 * Test helper: an ESP relay in the middle namespace of a static pair
 * (`esp_static_fixture.ts`). Each gateway's SAs point at the relay's
 * address facing it; the relay receives every ESP packet (UDP 4500 or raw
 * protocol 50) and sends it on to the other gateway, through an optional
 * impairment function per direction that may drop, hold, duplicate,
 * reorder or corrupt real packets.
 *
 * @module
 */
import type { IpAddress } from "../core/ip.ts";
import { IPPROTO_ESP } from "../kernel/linux.ts";
import { DatagramBatch } from "../kernel/msg_batch.ts";
import type { Netns } from "../kernel/netns.ts";
import { Poller } from "../kernel/poller.ts";
import type { IpSocket } from "../kernel/socket_base.ts";
import { RawSocket } from "../kernel/socket_raw.ts";
import { UdpSocket } from "../kernel/socket_udp.ts";

export type RelayDirection = "a->b" | "b->a";

/** What to send on for one received ESP packet (a private copy): zero, one or more packets. */
export type Impairment = (esp: Uint8Array) => Uint8Array[];

export interface RelayOptions {
  readonly ns: Netns;
  readonly via: "udp" | "raw";
  /** The relay's address facing gateway A, and A's address; the same for B. */
  readonly a: { readonly local: IpAddress; readonly peer: IpAddress };
  readonly b: { readonly local: IpAddress; readonly peer: IpAddress };
}

interface Leg {
  readonly sock: IpSocket;
  readonly peer: IpAddress;
}

export class EspRelay {
  /** ESP packets received per direction. */
  readonly seen: Record<RelayDirection, number> = { "a->b": 0, "b->a": 0 };
  readonly #via: "udp" | "raw";
  readonly #a: Leg;
  readonly #b: Leg;
  readonly #poller = new Poller();
  readonly #rx = new DatagramBatch(32, 4096, { control: false });
  readonly #impair: Partial<Record<RelayDirection, Impairment>> = {};
  #running: Promise<void> | undefined;

  private constructor(via: "udp" | "raw", a: Leg, b: Leg) {
    this.#via = via;
    this.#a = a;
    this.#b = b;
    this.#poller.add(a.sock.fd);
    this.#poller.add(b.sock.fd);
  }

  static open(o: RelayOptions): EspRelay {
    const open = (local: IpAddress): IpSocket =>
      o.via === "udp"
        ? UdpSocket.open({ ns: o.ns, address: local, port: 4500 })
        : RawSocket.open({ ns: o.ns, family: local.family, protocol: IPPROTO_ESP, address: local });
    const a = open(o.a.local);
    try {
      const b = open(o.b.local);
      return new EspRelay(o.via, { sock: a, peer: o.a.peer }, { sock: b, peer: o.b.peer });
    } catch (e) {
      a.close();
      throw e;
    }
  }

  /** Sets (or clears) what happens to the packets going `dir` from now on. */
  impair(dir: RelayDirection, fn: Impairment | undefined): void {
    if (fn) this.#impair[dir] = fn;
    else delete this.#impair[dir];
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  async #loop(): Promise<void> {
    while (!this.#poller.stopped) {
      this.#forward(this.#a, this.#b, "a->b");
      this.#forward(this.#b, this.#a, "b->a");
      await this.#poller.wait(-1);
    }
  }

  #forward(from: Leg, to: Leg, dir: RelayDirection): void {
    const rx = this.#rx;
    for (let n = from.sock.recvBatch(rx); n > 0; n = from.sock.recvBatch(rx)) {
      for (let i = 0; i < n; i++) {
        let pkt = rx.bufs[i]!.slice(0, rx.lens[i]!);
        if (this.#via === "raw" && from.sock.family === 4) pkt = pkt.slice((pkt[0]! & 0x0f) * 4);
        this.seen[dir]++;
        const fn = this.#impair[dir];
        for (const p of fn ? fn(pkt) : [pkt]) {
          to.sock.sendTo(p, p.length, to.peer, this.#via === "udp" ? 4500 : 0);
        }
      }
    }
  }

  async close(): Promise<void> {
    this.#poller.stop();
    await this.#running;
    this.#poller.close();
    this.#a.sock.close();
    this.#b.sock.close();
  }
}
