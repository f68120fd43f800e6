/**
 * Two Tandem gateway processes (`gateway/standalone.ts`) in the lab's
 * swan-pair topology, no strongSwan: ESN is negotiated (strongSwan's
 * libipsec cannot do ESN, so only Tandem-to-Tandem shows it on real
 * packets) and in use: with the HA hook the sender's counter is put just
 * below 2^32 and pings cross the boundary — delivered, with 64-bit
 * sequence numbers on both ends (without ESN the SA would be exhausted
 * there). A CHILD SA rekey keeps traffic flowing, and TCP goes through.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { resolvePair, swanPairTopology } from "../lab/swan_pair.ts";
import { buildTopology } from "../lab/topology.ts";
import { iperf3Client, iperf3Server, ping } from "../lab/traffic.ts";
import { GatewayNode, type Listing, pairGatewayConfig } from "./gateway_node.ts";

interface EspSa {
  spi: string;
  direction: "in" | "out";
  esn: boolean;
  seq: number;
  packets: number;
}

const up = (l: Listing) =>
  l.ike.some((s) => s.state === "established") &&
  l.child.filter((c) => c.state === "installed").length === 1;

rootTest(
  "gateway vs gateway: ESN negotiated and carried across 2^32 on real packets; rekey; TCP",
  async () => {
    await using lab = new NetnsLab("te");
    const p = resolvePair({ profile: "ref-noesn" });
    const topo = await buildTopology(lab, swanPairTopology(p));
    const cfg = (me: "a" | "b") =>
      pairGatewayConfig(p, me, "ref-noesn", { esn: [true, false], initiate: me === "a" });
    const b = await GatewayNode.start(lab, topo.ns(p.b.gw), "tandem-b", cfg("b"));
    const a = await GatewayNode.start(lab, topo.ns(p.a.gw), "tandem-a", cfg("a"));
    const la = await a.until(up, "A's SAs");
    await b.until(up, "B's SAs");
    const child = la.child.find((c) => c.state === "installed")!;
    assert(child.algorithms.includes("esn"), `ESN negotiated: ${child.algorithms}`);
    const hostA = topo.ns(p.a.host), hostB = topo.ns(p.b.host);
    assertEquals(
      (await ping(hostA, p.b.hostAddr, { count: 3, intervalSeconds: 0.05 })).received,
      3,
    );

    const sas = async (n: GatewayNode) => ((await n.call("sas")).sas as EspSa[]);
    const aOut = (await sas(a)).find((s) => s.direction === "out")!;
    assert(aOut.esn, "A's outbound SA uses ESN");
    const bIn = (await sas(b)).find((s) => s.spi === aOut.spi && s.direction === "in")!;
    assert(bIn.esn, "B's inbound SA uses ESN");

    // Move both ends to just below 2^32 with the HA hooks (B's window first: a jump that far
    // beyond the window would read as an old packet, RFC 4303 A2.2), then cross it.
    const TWO32 = 2 ** 32;
    const w = await b.call("set-seq", { spi: aOut.spi, direction: "in", value: TWO32 - 10 });
    const r = await a.call("set-seq", { spi: aOut.spi, direction: "out", value: TWO32 - 3 });
    assertEquals([w.ok, r.ok], [true, true]);
    const crossed = await ping(hostA, p.b.hostAddr, { count: 6, intervalSeconds: 0.05 });
    assertEquals(crossed.received, 6, "every ping across the 2^32 boundary answered");
    const aOut2 = (await sas(a)).find((s) => s.spi === aOut.spi)!;
    const bIn2 = (await sas(b)).find((s) => s.spi === aOut.spi && s.direction === "in")!;
    assertEquals(aOut2.seq, TWO32 + 3, "A sent sequence numbers 2^32-2 .. 2^32+3");
    assertEquals(bIn2.seq, TWO32 + 3, "B accepted them, high bits inferred (RFC 4303 A2)");
    assertEquals(bIn2.packets - bIn.packets, 6);

    // CHILD rekey from B; traffic flows on the new SAs, ESN again.
    const spiB = (await b.list()).child[0]!.spiIn;
    assertEquals((await b.call("rekey", { spi: spiB })).ok, true);
    const la2 = await a.until(
      (l) => up(l) && l.child[0]!.spiOut !== child.spiOut,
      "the rekeyed CHILD SA at A",
    );
    assert(la2.child[0]!.algorithms.includes("esn"));
    assertEquals(
      (await ping(hostA, p.b.hostAddr, { count: 3, intervalSeconds: 0.05 })).received,
      3,
    );

    const server = await iperf3Server(lab, hostB);
    const tcp = await iperf3Client(hostA, p.b.hostAddr, { seconds: 2 });
    await server.process.status;
    assert(tcp.receivedMbps > 1, `TCP at ${tcp.receivedMbps} Mbit/s`);
    for (const n of [a, b]) {
      const c = (await n.call("counters")).counters as { esp: { drops: Record<string, number> } };
      assertEquals(c.esp.drops, {}, "nothing dropped");
    }
  },
  { programs: ["iperf3", "ping"] },
);

rootTest(
  "gateway vs gateway: initiateOnAcquire traps the VPN's traffic and starts it on the first packet",
  async () => {
    await using lab = new NetnsLab("te");
    const p = resolvePair({ profile: "gcm" });
    const topo = await buildTopology(lab, swanPairTopology(p));
    const b = await GatewayNode.start(
      lab,
      topo.ns(p.b.gw),
      "tandem-b",
      pairGatewayConfig(p, "b", "gcm"),
    );
    const a = await GatewayNode.start(lab, topo.ns(p.a.gw), "tandem-a", {
      ...pairGatewayConfig(p, "a", "gcm"),
      initiateOnAcquire: true,
    });
    assertEquals((await a.list()).ike.length, 0, "nothing negotiated before traffic");
    const r = await ping(topo.ns(p.a.host), p.b.hostAddr, {
      count: 10,
      intervalSeconds: 0.2,
      waitSeconds: 2,
    });
    assert(r.received >= 5, `pings answered once the SA was up: ${JSON.stringify(r)}`);
    await a.waitEvent((e) => e.event === "acquire", "the acquire event");
    const l = await a.until(up, "the SAs started by the acquire");
    assertEquals(l.ike[0]!.initiator, true);
    await b.until(up, "B's SAs");
  },
  { programs: ["ping"] },
);
