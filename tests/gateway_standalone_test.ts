/**
 * `gateway/standalone.ts` as a process: with `"events": false` it prints
 * no IKE or ESP event lines on stdout (what the setup-rate benchmark
 * uses), while by default the same start of an IKE SA toward a silent
 * peer (RFC 7296 §1.2 IKE_SA_INIT, retransmitted) shows as
 * `ike-sa-state`.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { resolvePair, swanPairTopology } from "../lab/swan_pair.ts";
import { buildTopology } from "../lab/topology.ts";
import { GatewayNode, pairGatewayConfig } from "./gateway_node.ts";

rootTest(
  "standalone gateway: event lines on stdout by default, none with events false",
  async () => {
    await using lab = new NetnsLab("ti");
    const p = resolvePair({ profile: "gcm" });
    const topo = await buildTopology(lab, swanPairTopology(p));
    const ns = topo.ns(p.a.gw);
    const cfg = pairGatewayConfig(p, "a", "gcm", { initiate: true });

    const loud = await GatewayNode.start(lab, ns, "loud", cfg);
    await loud.waitEvent((e) => e.event === "ike-sa-state", "an ike-sa-state line");
    assertEquals((await loud.stop()).code, 0);

    const quiet = await GatewayNode.start(lab, ns, "quiet", { ...cfg, events: false });
    await quiet.until((l) => l.ike.length === 1, "the IKE SA toward the silent peer");
    assert(
      (await quiet.call("counters")).counters !== undefined,
      "replies still come on stdout",
    );
    assertEquals(quiet.events.map((e) => e.event), ["ready"]);
  },
);
