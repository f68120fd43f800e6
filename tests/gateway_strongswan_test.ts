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
import { ping } from "../lab/traffic.ts";
import type { IkeSa } from "../lab/swanctl_output.ts";
import { GatewayNode, pairGatewayConfig } from "./gateway_node.ts";
import {
  assertCleanRunAndStop,
  assertPingsCounted,
  assertTcpBothWays,
  installed,
  NEEDS,
  tunnelUp,
} from "./gateway_strongswan_checks.ts";

for (const profile of ["ref-noesn", "gcm"] as SwanProfileName[]) {
  for (const initiator of ["tandem", "strongswan"] as const) {
    rootTest(
      `gateway vs strongSwan (${profile}, ${initiator} initiates): ping and TCP both ways, counters agree`,
      async () => {
        await using lab = new NetnsLab("te");
        const pair = await peerUp(lab, { profile });
        const p = pair.params;
        const { gw, child } = await tunnelUp(lab, pair, profile, initiator);
        const { ours: c1, swan: s1 } = await assertPingsCounted(pair, gw, child);

        // The route into the tunnel has a source inside the local selector, so the gateway's
        // own traffic to the remote network matches the policy too.
        const via = await run(["ip", "-n", pair.gwA, "route", "show", p.b.ts]);
        assert(
          via.stdout.includes(`dev ipsec0`) && via.stdout.includes("src 10.101.0.1"),
          via.stdout,
        );
        const own = await ping(pair.gwA, p.b.hostAddr, { count: 3, intervalSeconds: 0.05 });
        assertEquals(own.received, 3, "the gateway itself reaches the remote LAN");

        // TCP both ways, then a clean end.
        await assertTcpBothWays(lab, pair, gw, { ours: c1, swan: s1 });
        await assertCleanRunAndStop(pair, gw);
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
