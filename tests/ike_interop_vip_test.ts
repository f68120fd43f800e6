/**
 * Virtual IPs with strongSwan 5.9.8 (RFC 7296 §2.19, configuration
 * payloads): strongSwan asks (`vips = 0.0.0.0`) and Tandem assigns from a
 * pool, narrowing the peer's traffic selector to the address; then Tandem
 * asks and strongSwan assigns from its pool. Both sides must agree on the
 * address and the selectors, and a lease ends with its IKE SA.
 */
import { assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { swanSideConfig } from "../lab/swan_pair.ts";
import { assertClean, converge, counts, interop, SWAN } from "./ike_interop_fixture.ts";

rootTest(
  "ike interop vip: strongSwan requests a virtual IP, Tandem assigns it from its pool",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, {
      swan: { connection: { vips: ["0.0.0.0"] }, childOptions: { localTs: ["dynamic"] } },
      vpn: { vipPool: "pool", remoteTs: [null] },
      node: { pools: [{ name: "pool", prefix: "10.99.0.0/24" }] },
    });
    const { node, pair } = x;
    await pair.b.initiate({ child: pair.params.child });
    const c = await converge(x, counts(1, 1), "SAs with a virtual IP");
    const [ours, swan] = [c.ours, c.swan[0]!];
    assertEquals(swan.localVips, ["10.99.0.1"], "the first address of the pool");
    assertEquals(ours.ike[0]!.remoteVips, ["10.99.0.1"]);
    assertEquals(ours.child[0]!.remoteTs, ["10.99.0.1/32"], "Tandem narrowed TSi to the VIP");
    assertEquals(swan.childSas[0]!.localTs, ["10.99.0.1/32"]);
    assertEquals(swan.childSas[0]!.remoteTs, [pair.params.a.ts]);
    const lease = await node.waitEvent((e) => e.event === "vip-lease", "the lease event");
    assertEquals([lease.data.address, lease.data.leased], ["10.99.0.1", true]);

    await pair.b.terminate({ ike: pair.params.conn });
    await converge(x, counts(0, 0), "SAs deleted");
    const end = await node.waitEvent(
      (e) => e.event === "vip-lease" && e.data.leased === false,
      "the lease released",
    );
    assertEquals(end.data.address, "10.99.0.1");
    await assertClean(x);
  },
  SWAN,
);

rootTest(
  "ike interop vip: Tandem requests a virtual IP, strongSwan assigns it from its pool",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, {
      swan: { connection: { pools: ["p"] }, childOptions: { remoteTs: ["dynamic"] } },
      vpn: { requestVip: true, localTs: [null] },
    });
    const { node, pair } = x;
    await pair.b.load({
      ...swanSideConfig(pair.params, "b"),
      pools: [{ name: "p", addrs: "10.98.0.0/24" }],
    });
    await node.call("initiate");
    const c = await converge(x, counts(1, 1), "SAs with a virtual IP");
    const [ours, swan] = [c.ours, c.swan[0]!];
    assertEquals(ours.ike[0]!.localVips, ["10.98.0.1"]);
    assertEquals(swan.remoteVips, ["10.98.0.1"]);
    assertEquals(ours.child[0]!.localTs, ["10.98.0.1/32"], "strongSwan narrowed TSi to the VIP");
    assertEquals(swan.childSas[0]!.remoteTs, ["10.98.0.1/32"]);
    assertEquals(ours.child[0]!.remoteTs, [pair.params.b.ts]);
    await assertClean(x);
  },
  SWAN,
);
