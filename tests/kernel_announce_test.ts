/**
 * Cross-module root test: the kernel layer carries VRRP's neighbour
 * announcements (frames from `vrrp/announce.ts`) out of a virtual-MAC
 * macvlan (the `vrrp/port.ts` plan), and the peer's kernel accepts them.
 *
 * @module
 */
import { parseIp } from "../core/ip.ts";
import { Rtnl } from "../kernel/netlink/rtnl.ts";
import { NetlinkLabHelper } from "../kernel/netlink/test_lab.ts";
import { PacketSocket } from "../kernel/socket_packet.ts";
import { writeSysctl } from "../kernel/sysctl.ts";
import { garpFrame, macBytes, unsolicitedNaFrame } from "../vrrp/announce.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { rootTest } from "./netns.ts";

/** Runs `ip …` in `ns` until `re` matches (2 s at most); returns the last output. */
async function waitFor(h: NetlinkLabHelper, ns: string, args: string[], re: RegExp) {
  let out = "";
  for (let i = 0; i < 40; i++) {
    out = (await h.lab.exec(ns, ["ip", ...args])).stdout;
    if (re.test(out)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return out;
}

rootTest(
  "kernel + vrrp: GARP and unsolicited NA from a virtual-MAC macvlan reach the peer's neighbour table",
  async () => {
    const p = await NetlinkLabHelper.pair(["10.254.98.1/24", "10.254.98.2/24"], [
      "fd00:254:98::1/64",
      "fd00:254:98::2/64",
    ]);
    await using _ = p.h;
    const [aName, bName] = p.h.names as [string, string];
    using na = Rtnl.open(p.a);
    const vrrp = p.h.lab.link("vr");
    await na.links.addMacvlan(vrrp, p.linkA, {
      mode: "private",
      mac: "00:00:5e:00:01:33",
      addrGenMode: "none",
    });
    await na.links.setUp(vrrp);
    const detail = (await p.h.lab.exec(aName, ["ip", "-d", "link", "show", vrrp])).stdout;
    assertStringIncludes(detail, "macvlan mode private");
    assertStringIncludes(detail, "addrgenmode none");
    assertStringIncludes(detail, "link/ether 00:00:5e:00:01:33");
    assertEquals(await na.addrs.list({ link: vrrp }), [], "addrgenmode none: no link-local");

    // The peer learns entries it did not ask for, as a router next to a VRRP pair would.
    writeSysctl(p.b, `net.ipv4.conf.${p.linkB}.arp_accept`, 1);
    writeSysctl(p.b, `net.ipv6.conf.${p.linkB}.accept_untracked_na`, 1);
    writeSysctl(p.b, `net.ipv6.conf.${p.linkB}.forwarding`, 1); // RFC 9131: routers only

    const ifindex = (await na.links.get(vrrp)).index;
    using ps = PacketSocket.open(p.a, ifindex);
    ps.sendFrame(garpFrame(macBytes("00:00:5e:00:01:33"), parseIp("10.254.98.100")));
    ps.sendFrame(
      unsolicitedNaFrame(macBytes("00:00:5e:00:02:33"), parseIp("fd00:254:98::100"), true),
    );
    const v4 = await waitFor(p.h, bName, ["neigh", "show", "10.254.98.100"], /lladdr/);
    assertMatch(v4, new RegExp(`10\\.254\\.98\\.100 dev ${p.linkB} lladdr 00:00:5e:00:01:33`));
    const v6 = await waitFor(p.h, bName, ["-6", "neigh", "show", "fd00:254:98::100"], /lladdr/);
    assertMatch(v6, /fd00:254:98::100 dev \S+ lladdr 00:00:5e:00:02:33 router/);
  },
);
