/**
 * Simultaneous rekeys with strongSwan 5.9.8 (RFC 7296 §2.8.1, §2.8.2):
 * Tandem holds back its outgoing datagrams while both sides start a rekey
 * of the same CHILD SA (then of the IKE SA), so that the two requests
 * really cross; then it lets them go. Both sides must detect the
 * collision, agree on who lost (the exchange with the lowest nonce made
 * the redundant SA), and end with one SA each, the same on both sides.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { waitFor } from "../lab/command.ts";
import { assertClean, converge, counts, interop, SWAN } from "./ike_interop_fixture.ts";

rootTest(
  "ike interop collisions: crossing CHILD rekeys, then crossing IKE rekeys, settle alike on both sides",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab);
    const { node, pair } = x;
    const nodeLog = (re: RegExp) =>
      waitFor(async () => (await node.logText()).split("\n").find((l) => re.test(l)), {
        timeoutMs: 30_000,
        what: `${re} in the node's log`,
      });
    await node.call("initiate");
    let c = await converge(x, counts(1, 1), "the first SAs");

    // CHILD SA: Tandem's request is held, strongSwan's arrives and is answered (held too).
    const spi0 = c.ours.child[0]!.spiIn;
    await node.call("hold");
    assert((await node.call("rekey-child", { spi: spi0 })).ok === true);
    await nodeLog(/rekeying CHILD SA/);
    await pair.b.rekey({ child: pair.params.child });
    await nodeLog(/peer rekeys CHILD SA/);
    assertEquals((await node.call("release")).released, 2);
    c = await converge(x, (l) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi0, "one CHILD SA");
    const ours = (await nodeLog(/CHILD SA rekey collision: (we|peer) lost/)).includes("we lost");
    const swan = await pair.b.waitForLog(/CHILD_SA rekey collision (won|lost)/);
    assertEquals(swan.includes("won"), ours, `Tandem lost: ${ours}; strongSwan: ${swan}`);

    // IKE SA, the same way.
    const ike0 = c.ours.ike[0]!.spiI;
    await node.call("hold");
    assert((await node.call("rekey-ike", { uid: c.ours.ike[0]!.uid })).ok === true);
    await node.until((l) => l.ike[0]?.state === "rekeying", "Tandem's IKE rekey in flight");
    await pair.b.rekey({ ike: pair.params.conn });
    await nodeLog(/IKE SA rekeyed by peer/);
    assertEquals((await node.call("release")).released, 2);
    c = await converge(x, (l) => counts(1, 1)(l) && l.ike[0]!.spiI !== ike0, "one IKE SA");
    const oursIke = (await nodeLog(/IKE SA rekey collision: (we|peer) lost/)).includes("we lost");
    const swanIke = await pair.b.waitForLog(/IKE_SA rekey collision (won|lost)/);
    assertEquals(
      swanIke.includes("won"),
      oursIke,
      `Tandem lost: ${oursIke}; strongSwan: ${swanIke}`,
    );
    assertEquals(c.ours.child.length, 1, "the CHILD SA moved to the surviving IKE SA");
    await assertClean(x);
  },
  SWAN,
);
