/**
 * UDP batch rates of the kernel layer: receive with one `recvfrom` per
 * datagram vs `recvmmsg` batches, send with one `sendto` per datagram vs
 * `sendmmsg` batches; 64-byte datagrams on 127.0.0.1 inside a scratch
 * namespace (created and removed here). Each receive round first queues
 * N datagrams (large SO_RCVBUF), then times only the drain, so the numbers
 * are the cost of getting datagrams out of the kernel into JS.
 *
 * Run as root: `deno run -A bench/kernel_udp.ts [rounds=5] [n=100000]`
 *
 * @module
 */
import { parseIp } from "../core/ip.ts";
import { DatagramBatch } from "../kernel/msg_batch.ts";
import { Rtnl } from "../kernel/netlink/rtnl.ts";
import { createNetns, deleteNetns } from "../kernel/netns.ts";
import { UdpSocket } from "../kernel/socket_udp.ts";

const rounds = Number(Deno.args[0] ?? 5);
const N = Number(Deno.args[1] ?? 100000);
const LO = parseIp("127.0.0.1");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kpps = (n: number, ms: number) => Math.round(n / ms);

const nsName = `bku${Deno.pid.toString(36)}`;
const ns = createNetns(nsName);
try {
  {
    using nl = Rtnl.open(ns);
    await nl.links.setUp("lo");
  }
  using rx = UdpSocket.open({ ns, address: LO, port: 41000, receiveBuffer: 512 << 20 });
  using tx = UdpSocket.open({ ns, address: LO, port: 41001, sendBuffer: 64 << 20 });
  const out = new DatagramBatch(64, 64);
  for (let i = 0; i < 64; i++) {
    out.lens[i] = 64;
    out.setPeer(i, LO, 41000);
  }
  const fill = () => {
    let sent = 0;
    while (sent < N) sent += tx.sendBatch(out, Math.min(64, N - sent));
  };
  const one = new Uint8Array(2048);
  const results: Record<string, number[]> = {};
  const record = (k: string, v: number) => (results[k] ??= []).push(v);
  const drainSingle = () => {
    let got = 0;
    const t0 = performance.now();
    while (got < N && rx.recv(one) > 0) got++;
    return { got, ms: performance.now() - t0 };
  };
  const drainBatch = (size: number) => {
    const b = new DatagramBatch(size, 2048);
    let got = 0;
    const t0 = performance.now();
    for (;;) {
      const n = rx.recvBatch(b);
      if (n === 0) break;
      got += n;
    }
    return { got, ms: performance.now() - t0 };
  };
  for (let r = 0; r < rounds; r++) {
    for (
      const [label, drain] of [
        ["recvfrom x1", drainSingle],
        ["recvmmsg x8", () => drainBatch(8)],
        ["recvmmsg x32", () => drainBatch(32)],
        ["recvmmsg x64", () => drainBatch(64)],
      ] as const
    ) {
      fill();
      const { got, ms } = drain();
      if (got < N * 0.95) console.error(`${label}: only ${got} of ${N} queued`);
      record(label, kpps(got, ms));
    }
    // Sends: a receiver that never reads; the kernel drops at its buffer, the sender pays the syscalls.
    {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) tx.sendTo(one, 64, LO, 41000);
      record("sendto x1", kpps(N, performance.now() - t0));
      while (rx.recvBatch(new DatagramBatch(64, 2048)) > 0) { /* empty the queue */ }
    }
    for (const size of [8, 32, 64]) {
      const t0 = performance.now();
      let sent = 0;
      while (sent < N) sent += tx.sendBatch(out, Math.min(size, N - sent));
      record(`sendmmsg x${size}`, kpps(N, performance.now() - t0));
      while (rx.recvBatch(new DatagramBatch(64, 2048)) > 0) { /* empty the queue */ }
    }
  }
  console.log(`| operation | k datagrams/s, median of ${rounds} (min-max) |`);
  console.log("|---|---|");
  for (const [k, v] of Object.entries(results)) {
    console.log(`| ${k} | ${median(v)} (${Math.min(...v)}-${Math.max(...v)}) |`);
  }
} finally {
  deleteNetns(nsName);
}
