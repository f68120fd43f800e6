import { formatIp, formatPrefix, parseInterfaceAddress, parseIp } from "../../core/ip.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "../../tests/assert.ts";
import { NetlinkLabHelper } from "./test_lab.ts";
import { rootTest } from "../../tests/netns.ts";
import { KernelError } from "../errno.ts";
import { readLink } from "../files.ts";
import { Netns } from "../netns.ts";
import { Rtnl } from "./rtnl.ts";

rootTest("rtnl: veth with its peer born in another namespace, then a ping", async () => {
  await using h = await NetlinkLabHelper.create("a", "b");
  const [a, b] = h.ns;
  using nl = Rtnl.open(a!);
  const va = h.lab.link("va");
  const vb = h.lab.link("vb");
  await nl.links.addVeth(va, vb, { peerNs: b!, mtu: 1400 });
  const la = await nl.links.get(va);
  assertEquals(la.kind, "veth");
  assertEquals(la.mtu, 1400);
  assertEquals(la.up, false);
  assert(la.linkNetnsId !== undefined, "peer lives in another namespace");
  assertEquals(await nl.links.find(vb), undefined, "the peer is not here");

  using nlb = Rtnl.open(b!);
  const lb = await nlb.links.get(vb);
  assertEquals(lb.mtu, 1400);
  assertMatch(lb.mac ?? "", /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);

  await nl.addrs.add(va, "10.254.80.1/30");
  await nlb.addrs.add(vb, "10.254.80.2/30");
  await nl.links.setUp(va);
  await nlb.links.setUp(vb);
  const ping = await h.lab.exec(h.names[0]!, ["ping", "-c", "1", "-W", "2", "10.254.80.2"]);
  assertStringIncludes(ping.stdout, "1 received");
  // iproute2 agrees with what we set.
  const show = (await h.lab.exec(h.names[1]!, ["ip", "-o", "addr", "show", "dev", vb])).stdout;
  assertStringIncludes(show, "10.254.80.2/30");
});

rootTest("rtnl: loopback-like link rename, MTU, MAC, up/down, move, delete", async () => {
  await using h = await NetlinkLabHelper.create("a", "b");
  const [a, b] = h.ns;
  using nl = Rtnl.open(a!);
  const d = h.lab.link("d0");
  const d2 = h.lab.link("d1");
  const kind = await nl.links.addLoopback(d);
  const before = await nl.links.get(d);
  assertEquals(before.kind, kind);
  await nl.links.rename(d, d2);
  assertEquals((await nl.links.get(before.index)).name, d2);
  await nl.links.setMtu(d2, 1280);
  await nl.links.setUp(d2);
  let l = await nl.links.get(d2);
  assertEquals([l.mtu, l.up], [1280, true]);
  const br = h.lab.link("br");
  await nl.links.add(br, "bridge");
  await nl.links.setMac(br, "02:00:5e:00:01:33");
  assertEquals((await nl.links.get(br)).mac, "02:00:5e:00:01:33");
  await nl.links.setDown(d2);
  l = await nl.links.get(d2);
  assertEquals(l.up, false);
  assert((await nl.links.list()).some((x) => x.name === "lo"));

  await nl.links.moveTo(d2, b!);
  assertEquals(await nl.links.find(d2), undefined);
  using nlb = Rtnl.open(b!);
  assertEquals((await nlb.links.get(d2)).kind, kind);
  // Back to a, this time naming the namespace by a process living in it.
  const sleeper = h.lab.spawn(h.names[0]!, ["sleep", "30"]);
  // `ip netns exec` enters the namespace and then execs sleep: wait until it is inside.
  for (let i = 0; i < 100 && readLink(`/proc/${sleeper.pid}/ns/net`) !== a!.id(); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assertEquals(readLink(`/proc/${sleeper.pid}/ns/net`), a!.id());
  await nlb.links.moveTo(d2, { pid: sleeper.pid });
  assertEquals(await nlb.links.find(d2), undefined);
  assertEquals((await nl.links.get(d2)).name, d2);
  await nl.links.delete(d2);
  assertEquals(await nl.links.find(d2), undefined);
});

rootTest("rtnl: IPv4 and IPv6 addresses add, list, replace, delete", async () => {
  await using h = await NetlinkLabHelper.create("a");
  using nl = Rtnl.open(h.ns[0]!);
  const d = h.lab.link("d0");
  await nl.links.add(d, "bridge");
  await nl.links.setUp(d);
  await nl.addrs.add(d, "10.254.81.1/24");
  await nl.addrs.add(d, "10.254.81.2/24", { label: `${d}:v`.slice(0, 15) });
  await nl.addrs.add(d, "fd00:254:81::1/64", { noDad: true });
  const list = await nl.addrs.list({ link: d });
  const texts = list.map((x) => formatPrefix(x.address)).sort();
  assertEquals(texts.filter((t) => !t.startsWith("fe80")), [
    "10.254.81.1/24",
    "10.254.81.2/24",
    "fd00:254:81::1/64",
  ]);
  const v6 = list.find((x) => formatIp(x.address.address) === "fd00:254:81::1")!;
  assert((v6.flags & 0x40) === 0, "nodad: not tentative");
  assertEquals(
    (await nl.addrs.list({ family: 6, link: d })).every((x) => x.address.address.family === 6),
    true,
  );

  await nl.addrs.replace(d, "10.254.81.1/24");
  await nl.addrs.del(d, "10.254.81.2/24");
  await nl.addrs.del(d, "fd00:254:81::1/64");
  const left = (await nl.addrs.list({ link: d })).map((x) => formatPrefix(x.address));
  assertEquals(left.filter((t) => !t.startsWith("fe80")), ["10.254.81.1/24"]);
});

rootTest("rtnl: routes in main and another table, IPv4 and IPv6, default routes", async () => {
  await using h = await NetlinkLabHelper.create("a");
  using nl = Rtnl.open(h.ns[0]!);
  const d = h.lab.link("d0");
  await nl.links.add(d, "bridge");
  await nl.links.setUp(d);
  await nl.addrs.add(d, "10.254.82.1/24");
  await nl.addrs.add(d, "fd00:254:82::1/64", { noDad: true });
  const gw4 = parseIp("10.254.82.254");
  const gw6 = parseIp("fd00:254:82::fe");

  await nl.routes.add({ dst: "0.0.0.0/0", gateway: gw4 });
  await nl.routes.add({ dst: "::/0", gateway: gw6, dev: d });
  await nl.routes.add({ dst: "10.254.99.0/24", dev: d, src: parseIp("10.254.82.1"), metric: 7 });
  await nl.routes.add({ dst: "0.0.0.0/0", gateway: gw4, table: 100 });
  await nl.routes.add({ dst: "10.254.98.0/24", type: "blackhole", table: 1000 });

  const main4 = await nl.routes.list({ family: 4 });
  const def = main4.find((r) => r.dst.length === 0)!;
  assertEquals(formatIp(def.gateway!), "10.254.82.254");
  const dev = main4.find((r) => formatPrefix(r.dst) === "10.254.99.0/24")!;
  assertEquals([formatIp(dev.src!), dev.metric, dev.scope], ["10.254.82.1", 7, 253]);
  const def6 = (await nl.routes.list({ family: 6 })).find((r) => r.dst.length === 0)!;
  assertEquals(formatIp(def6.gateway!), "fd00:254:82::fe");
  const t100 = await nl.routes.list({ table: 100 });
  assertEquals(t100.map((r) => formatPrefix(r.dst)), ["0.0.0.0/0"]);
  assertEquals((await nl.routes.list({ table: 1000 }))[0]?.type, "blackhole");

  // iproute2 sees the same tables.
  const ipShow = (await h.lab.exec(h.names[0]!, ["ip", "route", "show", "table", "100"])).stdout;
  assertStringIncludes(ipShow, "default via 10.254.82.254");

  const got = await nl.routes.lookup(parseIp("192.0.2.1"));
  assertEquals(formatIp(got.gateway!), "10.254.82.254");

  await nl.routes.replace({ dst: "0.0.0.0/0", gateway: parseIp("10.254.82.253") });
  const def2 = (await nl.routes.list({ family: 4 })).filter((r) => r.dst.length === 0);
  assertEquals(def2.map((r) => formatIp(r.gateway!)), ["10.254.82.253"]);

  await nl.routes.del({ dst: "0.0.0.0/0", table: 100 });
  assertEquals(await nl.routes.list({ table: 100 }), []);
  await nl.routes.del({ dst: "10.254.98.0/24", table: 1000 });
  assertEquals(await nl.routes.list({ table: 1000 }), []);
  await assertRejects(
    () => nl.routes.del({ dst: "10.254.97.0/24" }),
    KernelError,
    "Cannot delete route 10.254.97.0/24: ESRCH",
  );
});

rootTest("rtnl: errors say what failed and why", async () => {
  await using h = await NetlinkLabHelper.create("a");
  using nl = Rtnl.open(h.ns[0]!);
  const d = h.lab.link("d0");
  await nl.links.add(d, "bridge");
  await nl.addrs.add(d, "10.254.83.1/24");
  await assertRejects(
    () => nl.addrs.add(d, "10.254.83.1/24"),
    KernelError,
    `Cannot add address 10.254.83.1/24 on link "${d}": EEXIST (File exists)`,
  );
  await assertRejects(
    () => nl.links.get("nosuchlink0"),
    KernelError,
    `Cannot find link "nosuchlink0": ENODEV (No such device)`,
  );
  await assertRejects(
    () => nl.links.setUp("nosuchlink0"),
    KernelError,
    `Cannot set link "nosuchlink0" up: ENODEV`,
  );
  await assertRejects(
    () => nl.links.add(d, "bridge"),
    KernelError,
    `Cannot create bridge "${d}": EEXIST`,
  );
  await assertRejects(
    () => nl.routes.add({ dst: "10.254.84.0/24", gateway: parseIp("10.9.9.9") }),
    KernelError,
    "Cannot add route 10.254.84.0/24 via 10.9.9.9: ENETUNREACH",
  );
  // A request started inside Netns.run is refused before anything is sent.
  const a = h.ns[0]!;
  const p = a.run(() => ({ p: nl.links.list() })).p;
  await assertRejects(() => p, Error, "Cannot list links inside Netns.run");
  assertEquals(Netns.home().isHome, true);
});

rootTest("rtnl: macvlans report their mode (bridge, private) and lower link", async () => {
  const p = await NetlinkLabHelper.pair(["10.254.81.1/24", "10.254.81.2/24"]);
  await using _ = p.h;
  using nl = Rtnl.open(p.a);
  const [m1, m2] = [p.h.lab.link("m1"), p.h.lab.link("m2")];
  await nl.links.addMacvlan(m1, p.linkA, { mode: "bridge", mac: "00:00:5e:00:01:51" });
  await nl.links.addMacvlan(m2, p.linkA, { mode: "private" });
  const [l1, l2] = [await nl.links.get(m1), await nl.links.get(m2)];
  assertEquals([l1.kind, l1.macvlanMode, l1.parentIndex, l1.mac], [
    "macvlan",
    "bridge",
    p.ifA,
    "00:00:5e:00:01:51",
  ]);
  assertEquals(l2.macvlanMode, "private");
  assertEquals((await nl.links.get(p.linkA)).macvlanMode, undefined, "a veth has no mode");
});

rootTest(
  "rtnl: setUpNow and replaceNow act before they return; later requests skip their answers",
  async () => {
    const p = await NetlinkLabHelper.pair(["10.254.82.1/24", "10.254.82.2/24"]);
    await using _ = p.h;
    using nl = Rtnl.open(p.a);
    const m = p.h.lab.link("m1");
    await nl.links.addMacvlan(m, p.linkA, { mode: "bridge" });
    const index = (await nl.links.get(m)).index;
    assertEquals(nl.links.setUpNow(index), true);
    assertEquals(nl.links.setUpNow(999_999), true, "sent; the kernel's error answer is skipped");
    assertEquals((await nl.links.get(index)).up, true, "up, and this request got its own answer");
    assertEquals(nl.addrs.replaceNow(index, parseInterfaceAddress("10.254.82.10/24")), true);
    assertEquals(nl.addrs.replaceNow(index, parseInterfaceAddress("10.254.82.10/24")), true);
    const v4 = await nl.addrs.list({ link: index, family: 4 });
    assertEquals(v4.map((a) => formatPrefix(a.address)), ["10.254.82.10/24"], "at once, once");
  },
);
