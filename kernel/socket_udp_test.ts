import { formatIp, parseIp } from "../core/ip.ts";
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { rootTest } from "../tests/netns.ts";
import { KernelError } from "./errno.ts";
import { DatagramBatch } from "./msg_batch.ts";
import { NetlinkLabHelper } from "./netlink/test_lab.ts";
import { Poller } from "./poller.ts";
import type { IpSocket } from "./socket_base.ts";
import { UdpSocket } from "./socket_udp.ts";

/** Receives until `want` datagrams arrived (or 3 s without progress); returns them as text + source. */
async function receive(sock: IpSocket, batch: DatagramBatch, want: number): Promise<string[]> {
  const got: string[] = [];
  const poller = new Poller();
  poller.add(sock.fd);
  const dec = new TextDecoder();
  while (got.length < want) {
    const n = sock.recvBatch(batch);
    for (let i = 0; i < n; i++) {
      const from = `${formatIp(batch.peerAddress(i)!)}:${batch.peerPort(i)}`;
      got.push(`${dec.decode(batch.bufs[i]!.subarray(0, batch.lens[i]))} from ${from}`);
    }
    if (n === 0 && await poller.wait(3000) === 0) break;
  }
  poller.close();
  return got;
}

rootTest("udp: batch send and receive across VRFs, sources and packet info reported", async () => {
  const p = await NetlinkLabHelper.pair(["10.254.92.1/24", "10.254.92.2/24"]);
  await using _ = p.h;
  using tx = UdpSocket.open({ ns: p.a, address: "10.254.92.1", port: 4501 });
  using rx = UdpSocket.open({ ns: p.b, port: 4500, device: p.linkB, packetInfo: true });
  assertEquals(formatIp(tx.localAddress().address), "10.254.92.1");

  const out = new DatagramBatch(32, 2048);
  const enc = new TextEncoder();
  for (let i = 0; i < 32; i++) {
    out.lens[i] = enc.encodeInto(`dgram ${i}`, out.bufs[i]!).written;
    out.setPeer(i, parseIp("10.254.92.2"), 4500);
  }
  assertEquals(tx.sendBatch(out, 32), 32);
  const inb = new DatagramBatch(8, 2048);
  const got = await receive(rx, inb, 32);
  assertEquals(got, Array.from({ length: 32 }, (_, i) => `dgram ${i} from 10.254.92.1:4501`));
  // Packet info of the last batch: arrival link and local address.
  const local = new Uint8Array(4);
  inb.localAddressInto(0, local, 4);
  assertEquals([inb.ifindex(0), [...local].join(".")], [p.ifB, "10.254.92.2"]);

  // Reply to each sender without building an address: copy the peer slot.
  const reply = new DatagramBatch(8, 2048);
  reply.copyPeer(0, inb, 0);
  reply.lens[0] = enc.encodeInto("pong", reply.bufs[0]!).written;
  assertEquals(rx.sendBatch(reply, 1), 1);
  assertEquals(await receive(tx, new DatagramBatch(4, 2048), 1), ["pong from 10.254.92.2:4500"]);
  assertEquals(tx.counters.sendErrors + rx.counters.recvErrors, 0);
});

rootTest("udp: SO_BINDTODEVICE decides what a socket receives", async () => {
  const p = await NetlinkLabHelper.pair(["10.254.93.1/24", "10.254.93.2/24"]);
  await using _ = p.h;
  using tx = UdpSocket.open({ ns: p.a, port: 0 });
  using rx = UdpSocket.open({ ns: p.b, port: 4500, device: "lo" });
  const poller = new Poller();
  poller.add(rx.fd);
  const msg = new TextEncoder().encode("hello");
  assert(tx.sendTo(msg, msg.length, parseIp("10.254.93.2"), 4500));
  assertEquals(await poller.wait(300), 0, "bound to lo: nothing from the veth");
  rx.bindToDevice(p.linkB);
  assert(tx.sendTo(msg, msg.length, parseIp("10.254.93.2"), 4500));
  assertEquals(await poller.wait(3000), 1);
  const buf = new Uint8Array(64);
  assertEquals(rx.recv(buf), 5);
  poller.close();

  assertThrows(
    () => UdpSocket.open({ ns: p.b, port: 4600, device: "nosuchlink0" }),
    KernelError,
    `Cannot bind UDP socket 0.0.0.0:4600 to link "nosuchlink0": ENODEV (No such device)`,
  );
  assertThrows(
    () => UdpSocket.open({ ns: p.b, port: 4500, device: p.linkB }),
    KernelError,
    "Cannot bind UDP socket 0.0.0.0:4500: EADDRINUSE",
  );
});

rootTest("udp: IPv6 batch exchange", async () => {
  const p = await NetlinkLabHelper.pair(["fd00:254:94::1/64", "fd00:254:94::2/64"]);
  await using _ = p.h;
  using tx = UdpSocket.open({ ns: p.a, address: "fd00:254:94::1", port: 4500 });
  using rx = UdpSocket.open({ ns: p.b, address: "::", port: 4500, packetInfo: true });
  const out = new DatagramBatch(4, 1500);
  const enc = new TextEncoder();
  for (let i = 0; i < 4; i++) {
    out.lens[i] = enc.encodeInto(`v6 ${i}`, out.bufs[i]!).written;
    out.setPeer(i, parseIp("fd00:254:94::2"), 4500);
  }
  assertEquals(tx.sendBatch(out, 4), 4);
  const inb = new DatagramBatch(4, 1500);
  const got = await receive(rx, inb, 4);
  assertEquals(got, [0, 1, 2, 3].map((i) => `v6 ${i} from fd00:254:94::1:4500`));
  assertEquals(inb.ifindex(0), p.ifB);
});
