/**
 * A whole Tandem gateway (`gateway/standalone.ts`) against strongSwan 5.9.8
 * (charon, kernel-libipsec) over IPv6: the WAN between the gateways is
 * IPv6 only (2001:db8::/32) and the LAN selectors are IPv6 too
 * (fd01::/64 <=> fd02::/64), i.e. IPv6 in ESP in UDP (RFC 3948, charon
 * fakes a NAT) over IPv6. For the reference proposal without ESN and
 * AES-GCM, with Tandem as initiator and as responder, the tunnel comes up,
 * ping -6 between the LAN hosts gets every reply both ways, `swanctl
 * --list-sas` shows Tandem's CHILD SPIs crosswise and packet and byte
 * counters that match Tandem's, the largest packets the TUN MTUs allow
 * arrive whole, TCP (iperf3) passes both ways with no ICV or
 * sequence-number failure, and a SIGTERM deletes the SAs at the peer and
 * removes the IPv6 route into the tunnel. Shared steps:
 * `gateway_strongswan_checks.ts`.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest, run } from "./netns.ts";
import { peerUp, SWAN_PAIR_V6, type SwanProfileName } from "../lab/swan_pair.ts";
import { ping } from "../lab/traffic.ts";
import {
  assertCleanRunAndStop,
  assertPingsCounted,
  assertTcpBothWays,
  listChild,
  NEEDS,
  tunnelUp,
} from "./gateway_strongswan_checks.ts";

const cases = (["ref-noesn", "gcm"] as SwanProfileName[]).flatMap((profile) =>
  (["tandem", "strongswan"] as const).map((initiator) => ({ profile, initiator }))
);

for (const { profile, initiator } of cases) {
  rootTest(
    `gateway vs strongSwan over IPv6 (${profile}, ${initiator} initiates): ping -6 and TCP both ways, counters agree`,
    async () => {
      await using lab = new NetnsLab("tv");
      const pair = await peerUp(lab, { profile, ...SWAN_PAIR_V6 });
      const p = pair.params;
      assertEquals([p.a.ts, p.b.ts], ["fd01::/64", "fd02::/64"], "IPv6 selectors");
      const { gw, child, swanIke } = await tunnelUp(lab, pair, profile, initiator);
      const s0 = child.swan;
      assertEquals(
        [swanIke.localHost, swanIke.remoteHost],
        [p.b.wan, p.a.wan],
        "the IKE SA runs between the IPv6 WAN addresses",
      );
      assertEquals([s0.localTs, s0.remoteTs], [[p.b.ts], [p.a.ts]], "strongSwan's IPv6 selectors");

      const { ours: c1, swan: s1 } = await assertPingsCounted(pair, gw, child);
      // 5 echo requests and 5 replies each way, 40-byte IPv6 header + 8 + 56 bytes each.
      assertEquals(c1.bytesOut, 10 * 104, "inner IPv6 packets counted whole");

      // The IPv6 route into the tunnel has a source inside the local selector.
      const via = await run(["ip", "-6", "-n", pair.gwA, "route", "show", p.b.ts]);
      assert(via.stdout.includes("dev ipsec0") && via.stdout.includes("src fd01::1"), via.stdout);
      const own = await ping(pair.gwA, p.b.hostAddr, { count: 3, intervalSeconds: 0.05 });
      assertEquals(own.received, 3, "the gateway itself reaches the remote LAN");

      // The largest packet Tandem's TUN takes (its MTU allows for ESP in UDP in IPv6) reaches
      // strongSwan whole. The replies are not counted: charon's TUN MTU is smaller, so the first
      // one turns into a Packet Too Big. The other way, charon's largest packets all come back.
      const mtu = async (ns: string) =>
        Number(
          / mtu (\d+)/.exec((await run(["ip", "-n", ns, "link", "show", "ipsec0"])).stdout)?.[1],
        );
      const [mtuA, mtuB] = [await mtu(pair.gwA), await mtu(pair.gwB)];
      assert(mtuA > 1300 && mtuB > 1300, `TUN MTUs ${mtuA} ${mtuB}`);
      const before = (await listChild(pair, gw, child)).swan;
      await ping(pair.hostA, p.b.hostAddr, { count: 3, intervalSeconds: 0.05, size: mtuA - 48 });
      const after = (await listChild(pair, gw, child)).swan;
      assertEquals(
        [after.packetsIn - before.packetsIn, after.bytesIn - before.bytesIn],
        [3, 3 * mtuA],
        `three ${mtuA}-byte packets arrived whole`,
      );
      const big = await ping(pair.hostB, p.a.hostAddr, {
        count: 3,
        intervalSeconds: 0.05,
        size: mtuB - 48,
      });
      assertEquals(big.received, 3, `${mtuB}-byte pings from strongSwan's side`);

      await assertTcpBothWays(lab, pair, gw, { ours: c1, swan: s1 });
      await assertCleanRunAndStop(pair, gw);
    },
    NEEDS,
  );
}
