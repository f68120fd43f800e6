/**
 * A fake Ethernet segment for VRRP under a fake clock: every advert a
 * node's port sends reaches every other attached node after a small
 * latency, as the multicast to 224.0.0.18 / ff02::12 would. Nodes can be
 * cut off (cable pulled, node crashed) and reattached. Test support only.
 *
 * @module
 */
import type { FakeClock } from "../core/clock.ts";
import { formatIp, type IpAddress } from "../core/ip.ts";
import { vrrpGroup } from "../vrrp/packet.ts";
import { RecordingPort } from "./vrrp_fakes.ts";

/** Anything that takes received VRRP messages (an instance or a receiver). */
export interface VrrpSink {
  receive(message: Uint8Array, src: IpAddress, dst: IpAddress, ttl: number): void;
}

/** One advert seen on the segment. */
export interface WireFrame {
  readonly at: number;
  readonly from: string;
  readonly src: string;
  readonly priority: number;
}

interface Node {
  readonly name: string;
  sink: VrrpSink | undefined;
  attached: boolean;
}

export class FakeLan {
  /** Every advert put on the wire by an attached node, in order. */
  readonly frames: WireFrame[] = [];
  #nodes = new Map<string, Node>();

  constructor(readonly clock: FakeClock, readonly latencyMs = 0.05) {}

  /** A port for node `name`; bind its instance with {@linkcode bind}. */
  port(name: string): RecordingPort {
    const port = new RecordingPort(this.clock);
    const node: Node = { name, sink: undefined, attached: true };
    this.#nodes.set(name, node);
    port.onSend = (message, src) => this.send(name, message, src);
    return port;
  }

  /** Where node `name` delivers what it receives. */
  bind(name: string, sink: VrrpSink): void {
    this.#nodes.get(name)!.sink = sink;
  }

  /** Puts `message` from node `from` on the wire (also used by scripted peers). */
  send(from: string, message: Uint8Array, src: IpAddress): void {
    const node = this.#nodes.get(from);
    if (node && !node.attached) return;
    this.frames.push({ at: this.clock.now(), from, src: formatIp(src), priority: message[2]! });
    const dst = vrrpGroup(src.family);
    this.clock.setTimer(this.latencyMs, () => {
      for (const n of this.#nodes.values()) {
        if (n.name === from || !n.attached || !n.sink) continue;
        n.sink.receive(message, src, dst, 255);
      }
    });
  }

  /** Adds a node that only listens or sends by script (a scripted peer). */
  listen(name: string, sink?: VrrpSink): void {
    this.#nodes.set(name, { name, sink, attached: true });
  }

  /** Cuts node `name` off the segment (it neither sends nor receives). */
  detach(name: string): void {
    this.#nodes.get(name)!.attached = false;
  }

  attach(name: string): void {
    this.#nodes.get(name)!.attached = true;
  }
}
