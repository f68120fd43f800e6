import { parseIp } from "../core/ip.ts";
import { assertMatch } from "../tests/assert.ts";
import { rootTest } from "../tests/netns.ts";
import { NetlinkLabHelper } from "./netlink/test_lab.ts";
import { PacketSocket } from "./socket_packet.ts";
import { writeSysctl } from "./sysctl.ts";

/** Polls `ip neigh` in `ns` until `re` matches (2 s at most); returns the last output. */
async function neighbour(h: NetlinkLabHelper, ns: string, args: string[], re: RegExp) {
  let out = "";
  for (let i = 0; i < 40 && !re.test(out); i++) {
    out = (await h.lab.exec(ns, ["ip", ...args])).stdout;
    if (!re.test(out)) await new Promise((r) => setTimeout(r, 50));
  }
  return out;
}

rootTest(
  "packet socket: gratuitous ARP and unsolicited NA update the peer's neighbour table",
  async () => {
    const p = await NetlinkLabHelper.pair(["10.254.98.1/24", "10.254.98.2/24"], [
      "fd00:254:98::1/64",
      "fd00:254:98::2/64",
    ]);
    await using _ = p.h;
    // Let the peer learn entries it has not asked for (a router would, for its VRRP neighbours).
    writeSysctl(p.b, "net.ipv4.conf.all.arp_accept", 1);
    writeSysctl(p.b, `net.ipv4.conf.${p.linkB}.arp_accept`, 1);
    writeSysctl(p.b, `net.ipv6.conf.${p.linkB}.accept_untracked_na`, 1);
    writeSysctl(p.b, `net.ipv6.conf.${p.linkB}.forwarding`, 1); // RFC 9131: routers only
    using ps = PacketSocket.open(p.a, p.ifA);
    ps.announce(parseIp("10.254.98.100"), "00:00:5e:00:01:33");
    ps.announce(parseIp("fd00:254:98::100"), "00:00:5e:00:02:33", { router: true });
    const bName = p.h.names[1]!;
    const v4 = await neighbour(p.h, bName, ["neigh", "show", "10.254.98.100"], /00:00:5e:00:01:33/);
    assertMatch(v4, new RegExp(`10\\.254\\.98\\.100 dev ${p.linkB} lladdr 00:00:5e:00:01:33`));
    const v6 = await neighbour(p.h, bName, ["-6", "neigh", "show", "fd00:254:98::100"], /lladdr/);
    assertMatch(v6, /fd00:254:98::100 dev \S+ lladdr 00:00:5e:00:02:33 router/);
  },
);
