import { parseIp } from "../../core/ip.ts";
import { DatagramBatch } from "../../kernel/msg_batch.ts";
import { UdpSocket } from "../../kernel/socket_udp.ts";
import { assert, assertEquals } from "../../tests/assert.ts";
import { OutboundAction } from "../actions.ts";
import { newIoCounters } from "./counters.ts";
import { EspTx, probeGso, type TxSocket } from "./tx_batch.ts";

const LO = parseIp("127.0.0.1");

/** A sender socket and two receivers on loopback (no root needed). */
function sockets() {
  const tx = UdpSocket.open({ address: LO, port: 0 });
  const r1 = UdpSocket.open({ address: LO, port: 0 });
  const r2 = UdpSocket.open({ address: LO, port: 0 });
  return { tx, r1, r2, close: () => [tx, r1, r2].forEach((s) => s.close()) };
}

/** Every datagram queued at `s`: [length, first byte]. */
function drain(s: UdpSocket): [number, number][] {
  const b = new DatagramBatch(64, 4096, { control: false });
  const out: [number, number][] = [];
  for (let n = s.recvBatch(b); n > 0; n = s.recvBatch(b)) {
    for (let i = 0; i < n; i++) out.push([b.lens[i]!, b.bufs[i]![0]!]);
  }
  return out;
}

/** Builds `len` bytes marked `mark` at the target, then queues them for `port`. */
function send(t: EspTx, e: TxSocket, len: number, mark: number, port: number, r: OutboundAction) {
  const at = t.target();
  at.fill(mark, 0, len);
  r.length = len;
  r.remote = LO;
  r.remotePort = port;
  t.queue(e, r);
}

Deno.test("esp tx: equal-sized packets to one peer share UDP GSO datagrams; the peer sees each packet", () => {
  const s = sockets();
  try {
    const gso = probeGso(s.tx, "natt");
    if (gso < 0) {
      console.error("SKIP: UDP GSO not available here");
      return;
    }
    const c = newIoCounters();
    const t = new EspTx(16, 2048, c);
    const e: TxSocket = { sock: s.tx, role: "natt", gso };
    const r = new OutboundAction();
    const p1 = s.r1.localAddress().port, p2 = s.r2.localAddress().port;
    const plan: [number, number, number][] = [
      // [length, mark, port]
      [1000, 1, p1],
      [1000, 2, p1],
      [1000, 3, p1],
      [300, 4, p1], // shorter: ends the GSO datagram
      [1000, 5, p1],
      [1000, 6, p1],
      [1200, 7, p1], // larger: a new datagram (copied out of the open one)
      [1200, 8, p1],
      [500, 9, p2], // another peer
      [1200, 10, p1],
    ];
    for (const [len, mark, port] of plan) send(t, e, len, mark, port, r);
    t.flush();
    const got1 = drain(s.r1);
    const got2 = drain(s.r2);
    assertEquals(got1, plan.filter((x) => x[2] === p1).map(([l, m]) => [l, m]));
    assertEquals(got2, [[500, 9]]);
    assertEquals(c.udpOut, plan.length);
    assertEquals(c.sendDropped, 0);
    assert(c.txDatagrams < plan.length, `coalesced: ${c.txDatagrams} datagrams for 10 packets`);
    assert(e.gso > 0, "the segment size was set");
  } finally {
    s.close();
  }
});

Deno.test("esp tx: a full batch is sent as it fills; long runs stay in order", () => {
  const s = sockets();
  try {
    const gso = probeGso(s.tx, "natt");
    const c = newIoCounters();
    const t = new EspTx(4, 2048, c);
    const e: TxSocket = { sock: s.tx, role: "natt", gso };
    const r = new OutboundAction();
    const port = s.r1.localAddress().port;
    const sizes: number[] = [];
    const got: [number, number][] = [];
    for (let i = 0; i < 200; i++) {
      const len = i % 7 === 6 ? 100 + i : 1400;
      sizes.push(len);
      send(t, e, len, i & 0xff, port, r);
      if (i % 40 === 39) {
        // Keep the receiver's socket buffer from overflowing.
        t.flush();
        got.push(...drain(s.r1));
      }
    }
    t.flush();
    got.push(...drain(s.r1));
    assertEquals(got.map(([l]) => l), sizes);
    assertEquals(got.map(([, m]) => m), sizes.map((_, i) => i & 0xff));
    assertEquals(c.udpOut, 200);
  } finally {
    s.close();
  }
});

Deno.test("esp tx: without GSO (raw sockets) every packet is its own datagram", () => {
  const s = sockets();
  try {
    const c = newIoCounters();
    const t = new EspTx(8, 2048, c);
    const e: TxSocket = { sock: s.tx, role: "natt", gso: -1 };
    const r = new OutboundAction();
    const port = s.r1.localAddress().port;
    for (let i = 0; i < 20; i++) send(t, e, 1000, i, port, r);
    t.flush();
    assertEquals(drain(s.r1).length, 20);
    assertEquals(c.txDatagrams, 20);
    assertEquals(probeGso(s.tx, "raw"), -1);
  } finally {
    s.close();
  }
});
