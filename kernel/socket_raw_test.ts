import { formatIp, parseIp } from "../core/ip.ts";
import { assert, assertEquals } from "../tests/assert.ts";
import { rootTest } from "../tests/netns.ts";
import { realtimeMs } from "./libc.ts";
import { IPPROTO_ESP, IPPROTO_VRRP } from "./linux.ts";
import { DatagramBatch } from "./msg_batch.ts";
import { Rtnl } from "./netlink/rtnl.ts";
import { NetlinkLabHelper } from "./netlink/test_lab.ts";
import { Poller } from "./poller.ts";
import type { IpSocket } from "./socket_base.ts";
import { RawSocket, VRRP_GROUP_V4, VRRP_GROUP_V6 } from "./socket_raw.ts";

/** Waits (3 s at most) for at least one datagram and receives the batch. */
async function receiveOne(sock: IpSocket, batch: DatagramBatch): Promise<number> {
  const poller = new Poller();
  poller.add(sock.fd);
  let n = sock.recvBatch(batch);
  if (n === 0 && await poller.wait(3000) > 0) n = sock.recvBatch(batch);
  poller.close();
  return n;
}

/** A VRRPv3 advertisement (RFC 5798 §5.1): version 3, type 1, one address; checksum left 0. */
function advert(vrid: number, priority: number, vip: Uint8Array): Uint8Array {
  const p = new Uint8Array(8 + vip.length);
  p[0] = 0x31;
  p[1] = vrid;
  p[2] = priority;
  p[3] = 1;
  p[5] = 100; // max advert interval 100 centiseconds
  p.set(vip, 8);
  return p;
}

rootTest("raw: ESP (protocol 50) from one VRF to another, IP header and SPI intact", async () => {
  const p = await NetlinkLabHelper.pair(["10.254.95.1/24", "10.254.95.2/24"]);
  await using _ = p.h;
  using tx = RawSocket.open({ ns: p.a, family: 4, protocol: IPPROTO_ESP });
  using rx = RawSocket.open({ ns: p.b, family: 4, protocol: IPPROTO_ESP, device: p.linkB });
  const esp = new Uint8Array(72);
  new DataView(esp.buffer).setUint32(0, 0xc0ffee01);
  new DataView(esp.buffer).setUint32(4, 7);
  const out = new DatagramBatch(2, 2048);
  out.bufs[0]!.set(esp);
  out.lens[0] = esp.length;
  out.setPeer(0, parseIp("10.254.95.2"));
  assertEquals(tx.sendBatch(out, 1), 1);
  const inb = new DatagramBatch(4, 2048);
  assertEquals(await receiveOne(rx, inb), 1);
  const pkt = inb.bufs[0]!.subarray(0, inb.lens[0]);
  const ihl = (pkt[0]! & 15) * 4;
  const dv = new DataView(pkt.buffer, pkt.byteOffset);
  assertEquals([pkt[9], dv.getUint32(ihl).toString(16), dv.getUint32(ihl + 4)], [
    50,
    "c0ffee01",
    7,
  ]);
  assertEquals(pkt.length - ihl, 72);
  assertEquals(formatIp(inb.peerAddress(0)!), "10.254.95.1");
});

rootTest(
  "raw: VRRP adverts to 224.0.0.18 arrive with TTL 255 and a kernel timestamp; no loopback to the sender",
  async () => {
    const p = await NetlinkLabHelper.pair(["10.254.96.1/24", "10.254.96.2/24"]);
    await using _ = p.h;
    using tx = RawSocket.open({ ns: p.a, family: 4, protocol: IPPROTO_VRRP });
    using rx = RawSocket.open({ ns: p.b, family: 4, protocol: IPPROTO_VRRP });
    tx.setupVrrp(p.ifA);
    rx.setupVrrp(p.ifB);
    rx.receiveTimestamps(true);
    const adv = advert(51, 100, parseIp("10.254.96.100").bytes);
    const sent = realtimeMs();
    assert(tx.sendTo(adv, adv.length, VRRP_GROUP_V4));
    const inb = new DatagramBatch(4, 2048);
    assertEquals(await receiveOne(rx, inb), 1);
    const stamp = inb.timestamp(0);
    assert(sent <= stamp && stamp <= realtimeMs(), `kernel receive time ${stamp} after ${sent}`);
    const pkt = inb.bufs[0]!;
    const ihl = (pkt[0]! & 15) * 4;
    assertEquals(
      [pkt[8], pkt[9], [...pkt.subarray(16, 20)].join("."), pkt[ihl + 1], inb.ttl(0)],
      [255, 112, "224.0.0.18", 51, 255],
    );
    assertEquals(formatIp(inb.peerAddress(0)!), "10.254.96.1");
    assertEquals(tx.recvBatch(new DatagramBatch(2, 2048)), 0, "IP_MULTICAST_LOOP off");
  },
);

rootTest(
  "raw: VRRP over IPv6 to ff02::12, hop limit 255, kernel checksum accepted by the peer",
  async () => {
    const p = await NetlinkLabHelper.pair(["fd00:254:97::1/64", "fd00:254:97::2/64"]);
    await using _ = p.h;
    using nl = Rtnl.open(p.a);
    const ll = (await nl.addrs.list({ family: 6, link: p.linkA })).find((x) => x.scope === 253)!;
    using tx = RawSocket.open({
      ns: p.a,
      family: 6,
      protocol: IPPROTO_VRRP,
      address: ll.address.address,
      scopeId: p.ifA,
    });
    using rx = RawSocket.open({ ns: p.b, family: 6, protocol: IPPROTO_VRRP });
    tx.setupVrrp(p.ifA);
    rx.setupVrrp(p.ifB);
    const adv = advert(52, 200, parseIp("fd00:254:97::100").bytes);
    assert(tx.sendTo(adv, adv.length, VRRP_GROUP_V6), `send: errno ${tx.counters.lastErrno}`);
    const inb = new DatagramBatch(4, 2048);
    assertEquals(await receiveOne(rx, inb), 1);
    const pkt = inb.bufs[0]!;
    assertEquals([inb.lens[0], pkt[1], pkt[2], inb.ttl(0), inb.ifindex(0)], [
      24,
      52,
      200,
      255,
      p.ifB,
    ]);
    assert(pkt[6]! !== 0 || pkt[7]! !== 0, "the kernel filled in the checksum");
    assertEquals(formatIp(inb.peerAddress(0)!), formatIp(ll.address.address), "link-local source");
    const dst = new Uint8Array(16);
    inb.localAddressInto(0, dst, 6);
    assertEquals(formatIp({ family: 6, bytes: dst }), "ff02::12");
  },
);
