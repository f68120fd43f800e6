/**
 * RFC 6311 message ID synchronisation with strongSwan 5.9.8, the HA
 * takeover it exists for. strongSwan announces IKEV2_MESSAGE_ID_SYNC_SUPPORTED
 * only as initiator and enables it only when the responder echoes it. A
 * first Tandem node answers; its records are exported right away, then
 * both sides use more message IDs (strongSwan adds and removes a second
 * CHILD SA, Tandem runs liveness checks), so the records are stale, as
 * after a real failover. The first node dies (SIGKILL); a second node
 * process in the same namespace imports the records and activates them
 * with a MID sync. strongSwan must accept the sync and the rekeys that
 * follow in both directions, keeping its IKE SA: no renegotiation.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import type { SwanctlConfig } from "../lab/swanctl_conf.ts";
import { swanSideConfig } from "../lab/swan_pair.ts";
import {
  converge,
  counts,
  interop,
  type Listing,
  SWAN,
  TandemNode,
} from "./ike_interop_fixture.ts";

rootTest(
  "ike interop RFC 6311: takeover by a second node with stale message IDs, MID sync, rekeys; no renegotiation",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab);
    const { pair } = x;
    const p = pair.params;
    const base = swanSideConfig(p, "b");
    const conn = base.connections[0]!;
    const cfg: SwanctlConfig = {
      ...base,
      connections: [{
        ...conn,
        children: [...conn.children, {
          name: "net2",
          localTs: ["10.102.0.0/25"],
          remoteTs: ["10.101.0.0/25"],
          espProposals: [x.profile.swan.esp],
        }],
      }],
    };
    await pair.b.load(cfg);

    await pair.b.initiate({ child: p.child });
    const up = await converge(x, counts(1, 1), "strongSwan's SAs");
    const swanSa = up.swan[0]!;
    const auth = (await pair.b.logLines()).find((l) => /parsed IKE_AUTH response 1 \[/.test(l));
    assert(auth?.includes("N(MSG_ID_SYN_SUP)"), `Tandem echoes the support notify: ${auth}`);

    const exported = await x.node.call("export");
    const records = exported.records as { ike: { peer: { midSync: boolean } } }[];
    assertEquals(records.length, 1);
    assertEquals(records[0]!.ike.peer.midSync, true);

    // Both sides move on: strongSwan uses request IDs 2 and 3, Tandem 0 and 1.
    await pair.b.initiate({ child: "net2" });
    await converge(x, counts(1, 2), "a second CHILD SA");
    await pair.b.terminate({ child: "net2" });
    await converge(x, counts(1, 1), "the second CHILD SA deleted");
    for (let i = 0; i < 2; i++) {
      const sent = (await x.node.list()).counters.processed;
      assert((await x.node.call("dpd")).ok === true);
      await x.node.until((l) => l.counters.processed > sent, "the liveness check answered");
    }
    const live = (await x.node.list()).ike[0]!;
    assertEquals([live.nextSend, live.expectRecv], [2, 4]);

    // Takeover: the first node dies, a second one imports the stale records.
    await x.node.kill();
    const mark = (await pair.b.logLines()).length;
    const node2 = await TandemNode.start(lab, pair.gwA, x.node.config);
    assertEquals((await node2.call("import", { records: exported.records })).imported, 1);
    const imported = (await node2.list()).ike[0]!;
    assertEquals([imported.state, imported.nextSend, imported.expectRecv], ["passive", 0, 2]);
    assertEquals((await node2.call("activate", { midSync: true })).n, 1);
    await pair.b.waitForLog(/responder requested MID sync/, { from: mark });
    const synced = await node2.until(
      (l) => l.ike[0]?.nextSend === 16 && l.ike[0]?.expectRecv === 4,
      "message IDs synchronised (ours moved by 16, the peer's next request)",
    );
    assertEquals(synced.ike[0]!.state, "established");

    // Rekeys in both directions on the taken-over SA.
    const y = { ...x, node: node2 };
    const spi0 = synced.child[0]!.spiIn;
    await pair.b.rekey({ child: p.child });
    let c = await converge(y, (l) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi0, "CHILD rekey");
    const spi1 = c.ours.child[0]!.spiIn;
    assert((await node2.call("rekey-child", { spi: spi1 })).ok === true);
    c = await converge(y, (l: Listing) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi1, "rekey");

    const same = c.swan[0]!;
    assertEquals(
      [same.uniqueId, same.initiatorSpi, same.responderSpi],
      [swanSa.uniqueId, swanSa.initiatorSpi, swanSa.responderSpi],
      "strongSwan kept its IKE SA",
    );
    const after = (await pair.b.logLines()).slice(mark);
    assertEquals(after.filter((l) => /IKE_SA_INIT|initiating IKE_SA/.test(l)), []);
    assertEquals(c.ours.drops["invalid-message-id"], 0);
  },
  SWAN,
);
