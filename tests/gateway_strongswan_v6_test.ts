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
 * arrive whole, TCP (iperf3) passes both ways with no ICV or sequence-number failure, and a SIGTERM deletes
 * the SAs at the peer and removes the IPv6 route into the tunnel.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest, run } from "./netns.ts";
import { peerUp, SWAN_PAIR_V6, type SwanProfileName } from "../lab/swan_pair.ts";
import { iperf3Client, iperf3Server, ping } from "../lab/traffic.ts";
import type { IkeSa } from "../lab/swanctl_output.ts";
import { GatewayNode, type Listing, pairGatewayConfig } from "./gateway_node.ts";

const NEEDS = {
  programs: ["swanctl", "charon", "iperf3", "ping"],
  programPaths: ["/usr/lib/ipsec", "/usr/libexec/ipsec"],
};
const ICV_FAILURE = "ESP decryption or ICV verification failed";

const installed = (l: Listing) =>
  l.ike.length === 1 && l.ike[0]!.state === "established" &&
  l.child.filter((c) => c.state === "installed").length === 1;

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
      const gw = await GatewayNode.start(
        lab,
        pair.gwA,
        "tandem",
        pairGatewayConfig(p, "a", profile, { initiate: initiator === "tandem" }),
      );
      if (initiator === "strongswan") await pair.b.initiate({ child: p.child });
      let ours = await gw.until(installed, "Tandem's IKE and CHILD SA");
      const swanUp = (s: IkeSa[]) =>
        s.length === 1 && s[0]!.childSas.some((c) => c.state === "INSTALLED");
      let swan = await pair.b.waitForSas(swanUp);
      const c0 = ours.child.find((c) => c.state === "installed")!;
      const s0 = swan[0]!.childSas.find((c) => c.state === "INSTALLED")!;
      assertEquals([c0.spiIn, c0.spiOut], [s0.spiOut, s0.spiIn], "CHILD SPIs crosswise");
      assertEquals([c0.encap, s0.encap], [true, true], "UDP-encapsulated (strongSwan fakes a NAT)");
      assertEquals(ours.ike[0]!.initiator, initiator === "tandem");
      assertEquals(
        [swan[0]!.localHost, swan[0]!.remoteHost],
        [p.b.wan, p.a.wan],
        "the IKE SA runs between the IPv6 WAN addresses",
      );
      assertEquals([s0.localTs, s0.remoteTs], [[p.b.ts], [p.a.ts]], "strongSwan's IPv6 selectors");

      // Pings: nothing is lost, so the packet counters must match exactly.
      for (const [from, to] of [[pair.hostA, p.b.hostAddr], [pair.hostB, p.a.hostAddr]]) {
        const r = await ping(from!, to!, { count: 5, intervalSeconds: 0.05 });
        assertEquals(r.received, 5, `ping ${to}: ${JSON.stringify(r)}`);
      }
      ours = await gw.list();
      swan = await pair.b.listSas();
      const c1 = ours.child.find((c) => c.spiIn === c0.spiIn)!;
      const s1 = swan[0]!.childSas.find((c) => c.spiIn === s0.spiIn)!;
      assertEquals(
        [c1.packetsOut, c1.packetsIn],
        [s1.packetsIn, s1.packetsOut],
        "Tandem's out/in = strongSwan's in/out",
      );
      assertEquals(c1.packetsOut, 10, "5 requests and 5 replies each way");
      assertEquals([c1.bytesOut, c1.bytesIn], [s1.bytesIn, s1.bytesOut], "inner bytes agree");
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
      const swanIn = async () =>
        (await pair.b.listSas())[0]!.childSas.find((c) => c.spiIn === s0.spiIn)!;
      const before = await swanIn();
      await ping(pair.hostA, p.b.hostAddr, { count: 3, intervalSeconds: 0.05, size: mtuA - 48 });
      const after = await swanIn();
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

      for (
        const [from, toNs, to, port] of [
          [pair.hostA, pair.hostB, p.b.hostAddr, 5201],
          [pair.hostB, pair.hostA, p.a.hostAddr, 5202],
        ] as const
      ) {
        const server = await iperf3Server(lab, toNs, { port, name: `iperf3-${port}` });
        const r = await iperf3Client(from, to, { seconds: 2, port });
        await server.process.status;
        assert(r.receivedMbps > 1, `TCP to ${to}: ${r.receivedMbps} Mbit/s`);
      }
      ours = await gw.list();
      swan = await pair.b.listSas();
      const c3 = ours.child.find((c) => c.spiIn === c0.spiIn)!;
      const s3 = swan[0]!.childSas.find((c) => c.spiIn === s0.spiIn)!;
      assert(c3.packetsOut > c1.packetsOut + 1000 && c3.packetsIn > c1.packetsIn + 1000);
      assert(s3.packetsIn <= c3.packetsOut, "strongSwan accepted no more than Tandem sent");
      assert(c3.packetsIn <= s3.packetsOut, "Tandem accepted no more than strongSwan sent");

      assertEquals(await pair.b.replayDrops(), 0, "no sequence-number failures at strongSwan");
      const icv = (await pair.b.logLines()).filter((l) => l.includes(ICV_FAILURE)).length;
      assertEquals(icv, 0, "no ICV failures at strongSwan");
      const counters = (await gw.call("counters")).counters as {
        esp: { drops: Record<string, number> };
      };
      assertEquals(counters.esp.drops, {}, "nothing dropped by Tandem");

      // SIGTERM: Tandem deletes its IKE SA at strongSwan, and its TUN and route go away.
      assertEquals((await gw.stop()).code, 0);
      await pair.b.waitForSas((s) => s.length === 0, { what: "the IKE SA deleted by Tandem" });
      const link = await run(["ip", "-n", pair.gwA, "link", "show", "ipsec0"], false);
      assert(link.code !== 0, "the policy TUN is gone");
      const route = await run(["ip", "-6", "-n", pair.gwA, "route", "show", p.b.ts], false);
      assertEquals(route.stdout.trim(), "", "the route into the tunnel is gone");
    },
    NEEDS,
  );
}
