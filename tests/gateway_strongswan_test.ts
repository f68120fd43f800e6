/**
 * A whole Tandem gateway (`gateway/standalone.ts`: IKE + ESP + kernel I/O)
 * against strongSwan 5.9.8 (charon, kernel-libipsec) in the lab's swan-pair
 * topology, for the reference proposal without ESN and AES-GCM, with
 * Tandem as initiator and as responder: the negotiated tunnel carries ping
 * and TCP (iperf3) both ways between the LAN hosts; strongSwan logs no
 * sequence-number or ICV failure; `swanctl --list-sas` shows Tandem's SPIs
 * crosswise and packet counters that match Tandem's; a SIGTERM makes
 * Tandem delete its SAs at the peer and close its TUN.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest, run } from "./netns.ts";
import { peerUp, type SwanProfileName } from "../lab/swan_pair.ts";
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

for (const profile of ["ref-noesn", "gcm"] as SwanProfileName[]) {
  for (const initiator of ["tandem", "strongswan"] as const) {
    rootTest(
      `gateway vs strongSwan (${profile}, ${initiator} initiates): ping and TCP both ways, counters agree`,
      async () => {
        await using lab = new NetnsLab("te");
        const pair = await peerUp(lab, { profile });
        const p = pair.params;
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
        assertEquals(
          [c0.encap, s0.encap],
          [true, true],
          "UDP-encapsulated (strongSwan fakes a NAT)",
        );
        assertEquals(ours.ike[0]!.initiator, initiator === "tandem");

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

        // The route into the tunnel has a source inside the local selector, so the gateway's
        // own traffic to the remote network matches the policy too.
        const via = await run(["ip", "-n", pair.gwA, "route", "show", p.b.ts]);
        assert(
          via.stdout.includes(`dev ipsec0`) && via.stdout.includes("src 10.101.0.1"),
          via.stdout,
        );
        const own = await ping(pair.gwA, p.b.hostAddr, { count: 3, intervalSeconds: 0.05 });
        assertEquals(own.received, 3, "the gateway itself reaches the remote LAN");

        // TCP both ways.
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
        const c2 = ours.child.find((c) => c.spiIn === c0.spiIn)!;
        const s2 = swan[0]!.childSas.find((c) => c.spiIn === s0.spiIn)!;
        assert(c2.packetsOut > c1.packetsOut + 1000 && c2.packetsIn > c1.packetsIn + 1000);
        assert(s2.packetsIn > s1.packetsIn + 1000 && s2.packetsOut > s1.packetsOut + 1000);
        // strongSwan counts only what passed its checks; it may lose some to a full socket buffer.
        assert(s2.packetsIn <= c2.packetsOut, "strongSwan accepted no more than Tandem sent");
        assert(c2.packetsIn <= s2.packetsOut, "Tandem accepted no more than strongSwan sent");
        assertEquals(await pair.b.replayDrops(), 0, "no sequence-number failures at strongSwan");
        const icv = (await pair.b.logLines()).filter((l) => l.includes(ICV_FAILURE)).length;
        assertEquals(icv, 0, "no ICV failures at strongSwan");
        const counters = (await gw.call("counters")).counters as {
          esp: { drops: Record<string, number> };
        };
        assertEquals(counters.esp.drops, {}, "nothing dropped by Tandem");

        // SIGTERM: Tandem deletes its IKE SA at strongSwan, and its TUN goes away.
        assertEquals((await gw.stop()).code, 0);
        await pair.b.waitForSas((s) => s.length === 0, { what: "the IKE SA deleted by Tandem" });
        const link = await run(["ip", "-n", pair.gwA, "link", "show", "ipsec0"], false);
        assert(link.code !== 0, "the policy TUN is gone");
        const route = await run(["ip", "-n", pair.gwA, "route", "show", p.b.ts], false);
        assertEquals(route.stdout.trim(), "", "the route into the tunnel is gone");
      },
      NEEDS,
    );
  }
}

rootTest(
  "gateway vs strongSwan: traffic starts the VPN, and after a CHILD SA flush brings it back on the same IKE SA",
  async () => {
    await using lab = new NetnsLab("te");
    const pair = await peerUp(lab, { profile: "gcm" });
    const p = pair.params;
    const gw = await GatewayNode.start(lab, pair.gwA, "tandem", {
      ...pairGatewayConfig(p, "a", "gcm", { initiate: false }),
      initiateOnAcquire: true,
    });
    const pings = () => ping(pair.hostA, p.b.hostAddr, { count: 10, intervalSeconds: 0.2 });
    const first = await pings();
    assert(first.received >= 5, `pings once the VPN is up: ${JSON.stringify(first)}`);
    const l0 = await gw.until(installed, "the SAs started by traffic");
    const spiI = l0.ike[0]!.spiI;
    const old = l0.child[0]!;

    assert((await gw.call("terminate-child", { spi: old.spiIn })).ok, "CHILD SA flushed");
    const bare = (s: IkeSa[]) => s.length === 1 && s[0]!.childSas.length === 0;
    await pair.b.waitForSas(bare, { what: "strongSwan told of the CHILD SA's delete" });
    await gw.until((l) => l.child.length === 0, "no CHILD SA left at Tandem");

    const again = await pings();
    assert(again.received >= 5, `pings once the CHILD SA is back: ${JSON.stringify(again)}`);
    const l1 = await gw.until(installed, "the CHILD SA brought back by traffic");
    assertEquals(l1.ike.map((s) => s.spiI), [spiI], "the same IKE SA");
    const now = l1.child.find((c) => c.state === "installed")!;
    assert(now.spiIn !== old.spiIn, "a new CHILD SA");
    const swan = await pair.b.listSas();
    assertEquals(swan.length, 1, "strongSwan has one IKE SA");
    assertEquals(swan[0]!.initiatorSpi.replace(/^0+/, ""), spiI.replace(/^0+/, ""));
    const sc = swan[0]!.childSas.filter((c) => c.state === "INSTALLED");
    assertEquals(sc.map((c) => [c.spiIn, c.spiOut]), [[now.spiOut, now.spiIn]]);
  },
  NEEDS,
);
