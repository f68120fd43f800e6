/**
 * Negotiation details against strongSwan 5.9.8: IKE fragmentation (RFC
 * 7383) in both directions with small fragment sizes on both sides, the
 * COOKIE challenge (RFC 7296 §2.6) Tandem's DoS protection sends to an
 * initiating strongSwan, the INVALID_KE_PAYLOAD retry (§1.3) with
 * either side first proposing a group the other does not accept, and
 * CHILD SA rekeys with PFS (a KE exchange in CREATE_CHILD_SA, §1.3.3).
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import {
  assertClean,
  assertShape,
  converge,
  counts,
  GCM,
  type Interop,
  interop,
  type Listing,
  SWAN,
} from "./ike_interop_fixture.ts";

/** Log lines of charon B from index `from` that match `re`. */
async function swanLines(x: Interop, re: RegExp, from = 0): Promise<string[]> {
  return (await x.pair.b.logLines()).slice(from).filter((l) => re.test(l));
}

const FRAG = 200;

rootTest(
  `ike interop fragmentation: ${FRAG}-byte fragments both ways, Tandem and strongSwan initiating`,
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, {
      swan: { charon: { extra: { fragment_size: FRAG } }, connection: { fragmentation: "yes" } },
      node: { options: { fragmentSize: FRAG } },
    });
    const { node, pair } = x;
    const p = pair.params;
    const frags = (l: Listing): [number, number] => [
      l.counters.fragmentsSent,
      l.counters.fragmentsReceived,
    ];

    // Tandem initiates: IKE_AUTH request and response are both fragmented.
    await node.call("initiate");
    let c = await converge(x, counts(1, 1), "SAs set up with fragments");
    assertShape(c, x.profile);
    let [sent, received] = frags(c.ours);
    assert(sent >= 2 && received >= 2, `fragments sent ${sent}, received ${received}`);
    assert((await swanLines(x, /reassembled fragmented IKE message/)).length >= 1);
    assert((await swanLines(x, /splitting IKE message .* into \d+ fragments/)).length >= 1);

    // Later exchanges too: a CHILD rekey each way.
    const spi0 = c.ours.child[0]!.spiIn;
    await node.call("rekey-child", { spi: spi0 });
    c = await converge(x, (l) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi0, "CHILD rekey");
    const spi1 = c.ours.child[0]!.spiIn;
    await pair.b.rekey({ child: p.child });
    c = await converge(x, (l) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi1, "CHILD rekey");
    assert(frags(c.ours)[0] > sent && frags(c.ours)[1] > received, "rekeys were fragmented");

    // strongSwan initiates a second IKE SA: fragments again in both directions.
    [sent, received] = frags(c.ours);
    const mark = (await pair.b.logLines()).length;
    await node.call("terminate");
    await converge(x, counts(0, 0), "first IKE SA deleted");
    await pair.b.initiate({ child: p.child });
    c = await converge(x, counts(1, 1), "SAs set up by strongSwan with fragments");
    assertEquals(c.ours.ike[0]!.initiator, false);
    assert(frags(c.ours)[0] > sent && frags(c.ours)[1] > received);
    assert((await swanLines(x, /reassembled fragmented IKE message/, mark)).length >= 1);
    await assertClean(x);
  },
  SWAN,
);

rootTest(
  "ike interop cookie: Tandem's DoS protection challenges strongSwan, which retries with the COOKIE",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, {
      node: { options: { dosProtection: true, cookieThreshold: 0 } },
    });
    await x.pair.b.initiate({ child: x.pair.params.child });
    const c = await converge(x, counts(1, 1), "SAs after the COOKIE round trip");
    assertEquals(c.ours.counters.cookiesSent, 1);
    assertEquals((await swanLines(x, /parsed IKE_SA_INIT response 0 \[ N\(COOKIE\) \]/)).length, 1);
    assertEquals(c.ours.counters.established, 1);
  },
  SWAN,
);

rootTest(
  "ike interop INVALID_KE_PAYLOAD: Tandem proposes MODP-2048 first, strongSwan asks for Curve25519",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, {
      profile: GCM,
      vpn: { ike: [{ ...GCM.ike, dh: ["modp2048", "curve25519"] }] },
    });
    await x.node.call("initiate");
    const c = await converge(x, counts(1, 1), "SAs after the KE retry");
    assertShape(c, GCM);
    assertEquals(
      (await swanLines(x, /generating IKE_SA_INIT response 0 \[ N\(INVAL_KE\) \]/)).length,
      1,
    );
    assertStringInLog(await x.node.logText(), "peer prefers DH group curve25519");
  },
  SWAN,
);

rootTest(
  "ike interop INVALID_KE_PAYLOAD: strongSwan proposes MODP-2048 first, Tandem asks for Curve25519",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, {
      profile: GCM,
      swan: { connection: { proposals: ["aes256gcm16-prfsha256-modp2048-x25519"] } },
    });
    await x.pair.b.initiate({ child: x.pair.params.child });
    const c = await converge(x, counts(1, 1), "SAs after the KE retry");
    assertShape(c, GCM);
    assertEquals(
      (await swanLines(x, /peer didn't accept DH group MODP_2048, it requested CURVE_25519/))
        .length,
      1,
    );
    assertStringInLog(await x.node.logText(), "asking for 31");
  },
  SWAN,
);

function assertStringInLog(log: string, part: string): void {
  assert(log.includes(part), `"${part}" not in the node's log:\n${log}`);
}

rootTest(
  "ike interop PFS: CHILD rekeys with a Curve25519 exchange, started by each side",
  async () => {
    await using lab = new NetnsLab("ti");
    const pfs = {
      ...GCM,
      swan: { ...GCM.swan, esp: "aes256gcm16-x25519" },
      esp: { ...GCM.esp, dh: ["curve25519" as const] },
    };
    const x = await interop(lab, { profile: pfs });
    await x.node.call("initiate");
    let c = await converge(x, counts(1, 1), "SAs (IKE_AUTH: no PFS)");
    assertEquals(c.swan[0]!.childSas[0]!.dhGroup, undefined);
    const spi0 = c.ours.child[0]!.spiIn;
    await x.node.call("rekey-child", { spi: spi0 });
    c = await converge(x, (l) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi0, "PFS rekey");
    const installed = (l: typeof c) => l.swan[0]!.childSas.find((s) => s.state === "INSTALLED")!;
    assertEquals(installed(c).dhGroup, "CURVE_25519");
    const spi1 = c.ours.child[0]!.spiIn;
    await x.pair.b.rekey({ child: x.pair.params.child });
    c = await converge(x, (l) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi1, "PFS rekey");
    assertEquals(installed(c).dhGroup, "CURVE_25519");
    await assertClean(x);
  },
  SWAN,
);
