/**
 * Steps the Tandem-against-strongSwan tests share (IPv4 and IPv6 pairs):
 * the tunnel up with SPIs crosswise, pings both ways with counters that
 * match exactly, TCP (iperf3) both ways through the tunnel with the CHILD SA counters of
 * both sides consistent, and the clean end of a run: no sequence-number or
 * ICV failure at strongSwan, nothing dropped by Tandem, and a SIGTERM that
 * deletes the SAs at the peer and removes Tandem's TUN and route.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { type NetnsLab, run } from "./netns.ts";
import type { SwanPairLab, SwanProfileName } from "../lab/swan_pair.ts";
import type { ChildSa, IkeSa } from "../lab/swanctl_output.ts";
import { iperf3Client, iperf3Server, ping } from "../lab/traffic.ts";
import { GatewayNode, type Listing, pairGatewayConfig } from "./gateway_node.ts";

/** What these tests need besides root (for `rootTest`). */
export const NEEDS = {
  programs: ["swanctl", "charon", "iperf3", "ping"],
  programPaths: ["/usr/lib/ipsec", "/usr/libexec/ipsec"],
};

const ICV_FAILURE = "ESP decryption or ICV verification failed";

/** One CHILD SA as each side lists it, before the traffic. */
export interface ChildPair {
  ours: Listing["child"][number];
  swan: ChildSa;
}

/** One IKE SA and one installed CHILD SA on Tandem's side. */
export const installed = (l: Listing): boolean =>
  l.ike.length === 1 && l.ike[0]!.state === "established" &&
  l.child.filter((c) => c.state === "installed").length === 1;

/**
 * Starts Tandem on gateway A of `pair` and waits for the IKE and CHILD SA
 * on both sides, initiated by `initiator`: SPIs crosswise, UDP-encapsulated
 * (strongSwan fakes a NAT), Tandem's initiator flag right.
 */
export async function tunnelUp(
  lab: NetnsLab,
  pair: SwanPairLab,
  profile: SwanProfileName,
  initiator: "tandem" | "strongswan",
): Promise<{ gw: GatewayNode; child: ChildPair; swanIke: IkeSa }> {
  const p = pair.params;
  const gw = await GatewayNode.start(
    lab,
    pair.gwA,
    "tandem",
    pairGatewayConfig(p, "a", profile, { initiate: initiator === "tandem" }),
  );
  if (initiator === "strongswan") await pair.b.initiate({ child: p.child });
  const ours = await gw.until(installed, "Tandem's IKE and CHILD SA");
  const swanUp = (s: IkeSa[]) =>
    s.length === 1 && s[0]!.childSas.some((c) => c.state === "INSTALLED");
  const swan = await pair.b.waitForSas(swanUp);
  const c0 = ours.child.find((c) => c.state === "installed")!;
  const s0 = swan[0]!.childSas.find((c) => c.state === "INSTALLED")!;
  assertEquals([c0.spiIn, c0.spiOut], [s0.spiOut, s0.spiIn], "CHILD SPIs crosswise");
  assertEquals([c0.encap, s0.encap], [true, true], "UDP-encapsulated (strongSwan fakes a NAT)");
  assertEquals(ours.ike[0]!.initiator, initiator === "tandem");
  return { gw, child: { ours: c0, swan: s0 }, swanIke: swan[0]! };
}

/** The CHILD SA of `child` as each side lists it now. */
export async function listChild(
  pair: SwanPairLab,
  gw: GatewayNode,
  child: ChildPair,
): Promise<ChildPair> {
  const ours = (await gw.list()).child.find((x) => x.spiIn === child.ours.spiIn)!;
  const swan = (await pair.b.listSas())[0]!.childSas.find((x) => x.spiIn === child.swan.spiIn)!;
  return { ours, swan };
}

/**
 * Five pings each way between the LAN hosts, all answered; nothing is lost,
 * so the packet and byte counters of the two sides match exactly. Returns
 * the CHILD SA after the pings.
 */
export async function assertPingsCounted(
  pair: SwanPairLab,
  gw: GatewayNode,
  child: ChildPair,
): Promise<ChildPair> {
  const p = pair.params;
  for (const [from, to] of [[pair.hostA, p.b.hostAddr], [pair.hostB, p.a.hostAddr]]) {
    const r = await ping(from!, to!, { count: 5, intervalSeconds: 0.05 });
    assertEquals(r.received, 5, `ping ${to}: ${JSON.stringify(r)}`);
  }
  const now = await listChild(pair, gw, child);
  const [c1, s1] = [now.ours, now.swan];
  assertEquals(
    [c1.packetsOut, c1.packetsIn],
    [s1.packetsIn, s1.packetsOut],
    "Tandem's out/in = strongSwan's in/out",
  );
  assertEquals(c1.packetsOut, 10, "5 requests and 5 replies each way");
  assertEquals([c1.bytesOut, c1.bytesIn], [s1.bytesIn, s1.bytesOut], "inner bytes agree");
  return now;
}

/** iperf3 from host A to host B and back; both sides count over 1000 more packets each way. */
export async function assertTcpBothWays(
  lab: NetnsLab,
  pair: SwanPairLab,
  gw: GatewayNode,
  before: ChildPair,
): Promise<void> {
  const p = pair.params;
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
  const { ours: c, swan: s } = await listChild(pair, gw, before);
  const [c1, s1] = [before.ours, before.swan];
  assert(c.packetsOut > c1.packetsOut + 1000 && c.packetsIn > c1.packetsIn + 1000);
  assert(s.packetsIn > s1.packetsIn + 1000 && s.packetsOut > s1.packetsOut + 1000);
  // strongSwan counts only what passed its checks; it may lose some to a full socket buffer.
  assert(s.packetsIn <= c.packetsOut, "strongSwan accepted no more than Tandem sent");
  assert(c.packetsIn <= s.packetsOut, "Tandem accepted no more than strongSwan sent");
}

/**
 * No failure on either side, then SIGTERM: Tandem deletes its IKE SA at
 * strongSwan, and its TUN and its route to B's selector go away.
 */
export async function assertCleanRunAndStop(pair: SwanPairLab, gw: GatewayNode): Promise<void> {
  assertEquals(await pair.b.replayDrops(), 0, "no sequence-number failures at strongSwan");
  const icv = (await pair.b.logLines()).filter((l) => l.includes(ICV_FAILURE)).length;
  assertEquals(icv, 0, "no ICV failures at strongSwan");
  const counters = (await gw.call("counters")).counters as {
    esp: { drops: Record<string, number> };
  };
  assertEquals(counters.esp.drops, {}, "nothing dropped by Tandem");

  assertEquals((await gw.stop()).code, 0);
  await pair.b.waitForSas((s) => s.length === 0, { what: "the IKE SA deleted by Tandem" });
  const link = await run(["ip", "-n", pair.gwA, "link", "show", "ipsec0"], false);
  assert(link.code !== 0, "the policy TUN is gone");
  const ts = pair.params.b.ts;
  const family = ts.includes(":") ? ["-6"] : [];
  const route = await run(["ip", ...family, "-n", pair.gwA, "route", "show", ts], false);
  assertEquals(route.stdout.trim(), "", "the route into the tunnel is gone");
}
