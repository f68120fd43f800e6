/**
 * Liveness against strongSwan 5.9.8 (RFC 7296 §2.4): dead peer detection
 * both ways — strongSwan's `dpd_delay` against a Tandem node killed with
 * SIGKILL, Tandem's `dpd-delay` against a killed charon, retransmits
 * shortened on both sides so that giving up takes seconds — and a
 * strongSwan that crashed, restarted and initiates again with
 * INITIAL_CONTACT: Tandem replaces the SA it still had.
 */
import { assert, assertEquals, assertNotEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { StrongSwanPeer } from "../lab/strongswan.ts";
import { swanSideConfig } from "../lab/swan_pair.ts";
import { converge, counts, interop, SWAN } from "./ike_interop_fixture.ts";

/** Retransmits after 1 s and 1.5 s, give up 2.25 s later: quick, yet patient with a loaded peer. */
const FAST = { timeout: 1, base: 1.5, tries: 2 };
const SWAN_FAST = { retransmit: FAST };
const TANDEM_FAST = { retransmit: FAST };

rootTest(
  "ike interop dpd: strongSwan's DPD is answered while Tandem lives and clears the SA once Tandem is killed",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, {
      swan: { charon: SWAN_FAST, connection: { dpdDelay: 1 } },
      node: { options: TANDEM_FAST },
    });
    const { node, pair } = x;
    await pair.b.initiate({ child: pair.params.child });
    await converge(x, counts(1, 1), "strongSwan's SAs");
    // Two liveness checks answered: the SA survives them.
    const from = (await pair.b.logLines()).length;
    await pair.b.waitForLog(/sending DPD request/, { from, timeoutMs: 15_000 });
    const answered = (await pair.b.logLines()).length;
    await pair.b.waitForLog(/sending DPD request/, { from: answered, timeoutMs: 15_000 });
    const c = await converge(x, counts(1, 1), "SAs after answered DPDs");
    assert(c.ours.counters.processed >= 4, "Tandem answered the DPD requests");

    await node.kill();
    const gone = (await pair.b.logLines()).length;
    await pair.b.waitForSas((s) => s.length === 0, { timeoutMs: 30_000, what: "the SA cleared" });
    await pair.b.waitForLog(/giving up after \d+ retransmits/, { from: gone - 1 });
  },
  SWAN,
);

rootTest(
  "ike interop dpd: Tandem's dpd-delay checks a live strongSwan and declares a killed one dead",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, { vpn: { dpdDelay: 1 }, node: { options: TANDEM_FAST } });
    const { node, pair } = x;
    await node.call("initiate");
    let c = await converge(x, counts(1, 1), "Tandem's SAs");
    const sent = c.ours.counters.sent;
    // Liveness checks go out (no traffic) and are answered; the SA stays.
    c = await converge(
      x,
      (l) => counts(1, 1)(l) && l.counters.sent >= sent + 2 && l.counters.processed >= 4,
      "two answered liveness checks",
    );
    assertEquals(c.ours.counters.deadPeers, 0);

    await pair.b.kill();
    const down = await node.waitEvent((e) => e.event === "ike-sa-down", "the SA declared dead");
    assertEquals(down.data.reason, "dead peer");
    const l = await node.until((l) => l.ike.length === 0, "no SA left");
    assertEquals([l.counters.deadPeers, l.child.length, l.dataplane], [1, 0, 0]);
  },
  SWAN,
);

rootTest(
  "ike interop: strongSwan killed, restarted, initiates with INITIAL_CONTACT; Tandem replaces the old SA",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab);
    const { node, pair } = x;
    await pair.b.initiate({ child: pair.params.child });
    const before = await converge(x, counts(1, 1), "the first SAs");
    const old = before.ours.ike[0]!;

    await pair.b.kill();
    const b2 = await StrongSwanPeer.start(lab, {
      ...pair.params.charon,
      name: "gwb2",
      ns: pair.gwB,
    });
    await b2.load(swanSideConfig(pair.params, "b"));
    const mark = node.events.length;
    await b2.initiate({ child: pair.params.child });
    const x2 = { ...x, pair: { ...pair, b: b2 } };
    const after = await converge(x2, counts(1, 1), "the SA of the restarted strongSwan");
    assertNotEquals(after.ours.ike[0]!.spiI, old.spiI);
    assertEquals(after.ours.ike.length, 1, "the old SA is gone");
    const down = await node.waitEvent(
      (e) => e.event === "ike-sa-down" && e.data.reason === "INITIAL_CONTACT from peer",
      "the old SA destroyed for INITIAL_CONTACT",
      { from: mark },
    );
    assertEquals(down.data.vpn, "vpn");
    assert((await b2.logLines()).some((l) => /N\(INIT_CONTACT\)/.test(l)), "strongSwan sent it");
  },
  SWAN,
);
