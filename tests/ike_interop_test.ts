/**
 * Tandem's IKE engine against a real strongSwan 5.9.8 (kernel-libipsec) in
 * network namespaces, for each proposal of the matrix (reference
 * modp1024, AES-GCM with Curve25519, AES-256-CBC/SHA-384 with ECP-384) and
 * in both roles: CHILD SA and IKE SA rekeys started by each side, deletes
 * from each side. After every step both sides must show the same SAs
 * (`swanctl --list-sas` against Tandem's list: same IKE SPIs, CHILD SPIs
 * crosswise). IKE only: Tandem's dataplane records the CHILD SAs, no ESP
 * flows. strongSwan fakes a NAT, so IKE floats to 4500 and ESP is
 * UDP-encapsulated.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import {
  assertClean,
  assertShape,
  converge,
  counts,
  type Interop,
  interop,
  type Listing,
  PROFILES,
  SWAN,
} from "./ike_interop_fixture.ts";

const child0 = (l: Listing) => l.child[0]!;
const ike0 = (l: Listing) => l.ike[0]!;

/** CHILD rekey by Tandem, then by strongSwan; IKE rekey by strongSwan, then by Tandem. */
async function rekeyBothWays(x: Interop): Promise<void> {
  const { node, pair } = x;
  const p = pair.params;
  let c = await converge(x, counts(1, 1), "the first SAs");
  const ikeSpi = ike0(c.ours).spiI;

  const spi0 = child0(c.ours).spiIn;
  assert((await node.call("rekey-child", { spi: spi0 })).ok === true);
  c = await converge(
    x,
    (l) => counts(1, 1)(l) && child0(l).spiIn !== spi0,
    "CHILD rekey by Tandem",
  );
  assertEquals(ike0(c.ours).spiI, ikeSpi, "same IKE SA");

  const spi1 = child0(c.ours).spiIn;
  await pair.b.rekey({ child: p.child });
  c = await converge(
    x,
    (l) => counts(1, 1)(l) && child0(l).spiIn !== spi1,
    "CHILD rekey by strongSwan",
  );
  assertEquals(ike0(c.ours).spiI, ikeSpi, "same IKE SA");
  assertEquals(c.ours.counters.childRekeys, 2);

  await pair.b.rekey({ ike: p.conn });
  c = await converge(
    x,
    (l) => counts(1, 1)(l) && ike0(l).spiI !== ikeSpi,
    "IKE rekey by strongSwan",
  );
  const ikeSpi1 = ike0(c.ours).spiI;
  assertEquals(ike0(c.ours).initiator, false, "strongSwan initiated the rekey");

  assert((await node.call("rekey-ike", { uid: ike0(c.ours).uid })).ok === true);
  c = await converge(x, (l) => counts(1, 1)(l) && ike0(l).spiI !== ikeSpi1, "IKE rekey by Tandem");
  assertEquals(ike0(c.ours).initiator, true, "Tandem initiated the rekey");
  assertEquals(c.ours.counters.ikeRekeys, 2);
  assertShape(c, x.profile);
}

for (const profile of PROFILES) {
  rootTest(
    `ike interop (${profile.name}): Tandem initiates; rekeys both ways; CHILD deletes both ways; Tandem deletes the IKE SA`,
    async () => {
      await using lab = new NetnsLab("ti");
      const x = await interop(lab, { profile });
      const { node, pair } = x;
      const p = pair.params;
      await node.call("initiate");
      const c = await converge(x, counts(1, 1), "Tandem's IKE SA and CHILD SA");
      assertShape(c, profile);
      assertEquals(ike0(c.ours).initiator, true);
      assertEquals([c.swan[0]!.localId, c.swan[0]!.remoteId], [p.b.id, p.a.id]);
      assertEquals([child0(c.ours).localTs, child0(c.ours).remoteTs], [[p.a.ts], [p.b.ts]]);

      await rekeyBothWays(x);
      const ikeSpi = ike0((await converge(x, counts(1, 1), "after the rekeys")).ours).spiI;

      // CHILD delete by Tandem: the IKE SA stays, childless.
      const spi = child0(await node.list()).spiIn;
      assert((await node.call("terminate-child", { spi })).ok === true);
      await converge(x, counts(1, 0), "CHILD SA deleted by Tandem");

      // strongSwan adds a CHILD SA to the same IKE SA (CREATE_CHILD_SA), then deletes it.
      await pair.b.initiate({ child: p.child });
      let d = await converge(x, counts(1, 1), "CHILD SA created by strongSwan");
      assertEquals(ike0(d.ours).spiI, ikeSpi, "created inside the existing IKE SA");
      await pair.b.terminate({ child: p.child });
      d = await converge(x, counts(1, 0), "CHILD SA deleted by strongSwan");
      assertEquals(ike0(d.ours).spiI, ikeSpi);

      // IKE delete by Tandem.
      await node.call("terminate");
      d = await converge(x, counts(0, 0), "IKE SA deleted by Tandem");
      assertEquals([d.ours.ike.length, d.swan.length], [0, 0]);
      await assertClean(x);
      await node.close();
    },
    SWAN,
  );

  rootTest(
    `ike interop (${profile.name}): strongSwan initiates; rekeys both ways; strongSwan deletes the IKE SA`,
    async () => {
      await using lab = new NetnsLab("ti");
      const x = await interop(lab, { profile });
      const { node, pair } = x;
      await pair.b.initiate({ child: pair.params.child });
      const c = await converge(x, counts(1, 1), "strongSwan's IKE SA and CHILD SA");
      assertShape(c, profile);
      assertEquals(ike0(c.ours).initiator, false);

      await rekeyBothWays(x);

      await pair.b.terminate({ ike: pair.params.conn });
      const d = await converge(x, counts(0, 0), "IKE SA deleted by strongSwan");
      assertEquals([d.ours.ike.length, d.ours.child.length, d.ours.dataplane], [0, 0, 0]);
      await assertClean(x);
      await node.close();
    },
    SWAN,
  );
}
