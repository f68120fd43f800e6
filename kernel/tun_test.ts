import { assert, assertEquals, assertStringIncludes, assertThrows } from "../tests/assert.ts";
import { rootTest } from "../tests/netns.ts";
import { KernelError } from "./errno.ts";
import { Rtnl } from "./netlink/rtnl.ts";
import { NetlinkLabHelper } from "./netlink/test_lab.ts";
import { Poller } from "./poller.ts";
import { Tun } from "./tun.ts";

/** Turns an IPv4 ICMP echo request in place into its reply; false for anything else. */
function echoReply(p: Uint8Array, len: number): boolean {
  if (len < 28 || p[0]! >> 4 !== 4 || p[9] !== 1) return false;
  const ihl = (p[0]! & 15) * 4;
  if (p[ihl] !== 8) return false;
  for (let i = 0; i < 4; i++) {
    const t = p[12 + i]!;
    p[12 + i] = p[16 + i]!;
    p[16 + i] = t;
  }
  p[ihl] = 0;
  // RFC 1624 incremental update: the type went from 8 to 0.
  let sum = ((p[ihl + 2]! << 8) | p[ihl + 3]!) + 0x0800;
  sum = (sum & 0xffff) + (sum >> 16);
  p[ihl + 2] = sum >> 8;
  p[ihl + 3] = sum & 0xff;
  return true;
}

/** Answers pings on every queue of `tun` until `stop` resolves; returns replies per queue. */
async function answerPings(tun: Tun, stop: Promise<unknown>): Promise<number[]> {
  const bufs = Array.from({ length: 16 }, () => new Uint8Array(2048));
  const lens = new Int32Array(16);
  const replies = tun.fds.map(() => 0);
  const poller = new Poller();
  for (const fd of tun.fds) poller.add(fd);
  void stop.finally(() => poller.stop());
  while (!poller.stopped) {
    for (let q = 0; q < tun.fds.length; q++) {
      const n = tun.readBatch(bufs, lens, q);
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (!echoReply(bufs[i]!, lens[i]!)) continue;
        // Compact replies to the front (swap buffers, no copy).
        const b = bufs[k]!;
        bufs[k] = bufs[i]!;
        bufs[i] = b;
        lens[k++] = lens[i]!;
      }
      replies[q]! += tun.writeBatch(bufs, lens, k, q);
    }
    await poller.wait(1000);
  }
  poller.close();
  return replies;
}

rootTest("tun: created inside a VRF, answers a ping by read/write", async () => {
  await using h = await NetlinkLabHelper.create("a");
  const ns = h.ns[0]!;
  const name = h.lab.link("t0");
  using tun = Tun.create(ns, name);
  assertEquals(tun.name, name);
  using nl = Rtnl.open(ns);
  assertEquals((await nl.links.get(name)).index, tun.ifindex);
  using home = Rtnl.open();
  assertEquals(await home.links.find(name), undefined, "not in the home namespace");

  await nl.addrs.add(name, "10.254.90.1/24");
  await nl.links.setUp(name);
  const ping = h.lab.exec(h.names[0]!, ["ping", "-c", "3", "-i", "0.2", "-W", "2", "10.254.90.2"]);
  const replies = await answerPings(tun, ping);
  assertStringIncludes((await ping).stdout, "3 received");
  assertEquals(replies, [3]);
  assertEquals(tun.counters.readErrors + tun.counters.writeErrors, 0);
  tun.close();
  assertEquals(await nl.links.find(name), undefined, "the device goes with its last fd");
});

rootTest("tun: multi-queue device with queues added later", async () => {
  await using h = await NetlinkLabHelper.create("a");
  const ns = h.ns[0]!;
  const name = h.lab.link("mq");
  using tun = Tun.create(ns, name, { queues: 2 });
  assertEquals(tun.addQueue(), 2);
  assertEquals(tun.fds.length, 3);
  const detail = (await h.lab.exec(h.names[0]!, ["ip", "-d", "link", "show", name])).stdout;
  assertStringIncludes(detail, "multi_queue");
  assertStringIncludes(detail, "numqueues 3");

  using nl = Rtnl.open(ns);
  await nl.addrs.add(name, "10.254.91.1/24");
  await nl.links.setUp(name);
  // Several flows (one per ping process) so the kernel may spread them over queues.
  const pings = [2, 3, 4, 5].map((i) =>
    h.lab.exec(h.names[0]!, ["ping", "-c", "2", "-i", "0.2", "-W", "2", `10.254.91.${i}`])
  );
  const replies = await answerPings(tun, Promise.all(pings));
  for (const p of await Promise.all(pings)) assertStringIncludes(p.stdout, "2 received");
  assertEquals(replies.reduce((a, b) => a + b, 0), 8);

  const plain = Tun.create(ns, h.lab.link("sq"));
  assertThrows(() => plain.addQueue(), Error, "not multi-queue");
  plain.close();
});

rootTest("tun: errors name the device and the namespace", async () => {
  await using h = await NetlinkLabHelper.create("a");
  const ns = h.ns[0]!;
  const name = h.lab.link("t0");
  using tun = Tun.create(ns, name);
  assert(tun.fd >= 0);
  // A second single-queue open of a busy device is refused by the kernel.
  assertThrows(
    () => Tun.create(ns, name),
    KernelError,
    `Cannot create TUN "${name}" in network namespace`,
  );
  assertThrows(() => Tun.create(ns, "x".repeat(16)), Error, "1 to 15 bytes");
  assertEquals(tun.read(new Uint8Array(2048)), 0, "an empty queue reads 0, not an error");
});
