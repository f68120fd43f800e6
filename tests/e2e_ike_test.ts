/**
 * IKE end to end, driven only through `tandem daemon` and `tandem cli`: the
 * reference's IKE configuration on ha1 against strongSwan 5.9.8 (SecGW,
 * kernel-libipsec), in the `tandem lab` network.
 *
 * - Tandem initiates at start; `show ike` agrees with `swanctl --list-sas`
 *   (IKE SPIs, CHILD SPIs crosswise, packet counters); pings both ways;
 *   SIGTERM deletes the SAs at strongSwan; a restart from the saved
 *   configuration brings the tunnel back with the same configuration.
 * - `flush ike` removes the SAs at both ends; strongSwan initiates and
 *   Tandem answers; a security-policy committed live comes up on the same
 *   IKE SA without disturbing the existing CHILD SA, and carries traffic;
 *   `flush ike child-sa` removes the CHILD SAs at both ends and keeps the
 *   IKE SA; traffic of a flushed policy brings its CHILD SA back on it.
 * - kill -9 while the IKE applier runs a live commit: the restart loads the
 *   old or the new configuration whole, the tunnel matches it, and the SA
 *   the killed daemon left at strongSwan is replaced (INITIAL_CONTACT).
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { ping } from "../lab/traffic.ts";
import { waitFor } from "../lab/command.ts";
import type { FlushResult } from "../daemon/ike_views.ts";
import {
  DEMO,
  ha1IkeCommands,
  ikeView,
  mirrorOf,
  NEEDS_SWAN,
  refLab,
  SECOND,
  swanUpWith,
  untilView,
  upWith,
} from "./e2e_ike_fixture.ts";

async function pingBothWays(
  lab: { ns(s: string): string },
  count = 5,
  hosts: [string, string] = [DEMO.lan1Host, DEMO.lan2Host],
): Promise<void> {
  for (const [from, src, to] of [["lan1", hosts[0], hosts[1]], ["lan2", hosts[1], hosts[0]]]) {
    const r = await ping(lab.ns(from!), to!, { count, intervalSeconds: 0.05, source: src! });
    assertEquals(r.received, count, `ping ${src} -> ${to}: ${JSON.stringify(r)}`);
  }
}

rootTest(
  "ike e2e: reference IKE vs strongSwan — Tandem initiates at start, show = swanctl, SIGTERM deletes, restart converges",
  async () => {
    await using lab = new NetnsLab("td");
    const ref = await refLab(lab);
    const ha1 = await ref.startHa1(ha1IkeCommands());
    let ours = await untilView(ha1, upWith(1), "the tunnel (Tandem initiating at start)");
    let swan = await ref.swan.waitForSas(swanUpWith(1));
    const ike = ours.ike[0]!;
    const s = swan[0]!;
    assertEquals(ike.initiator, true);
    assertEquals([ike.spiI, ike.spiR], [s.initiatorSpi, s.responderSpi], "IKE SPIs");
    assertEquals(
      [ike.vpn, ike.localAddress, ike.localId, ike.remoteAddress, ike.remoteId],
      ["vpn-secgw", DEMO.ha1Ike, DEMO.ha1Ike, DEMO.secgwIke, DEMO.secgwIke],
    );
    assertEquals(ike.algorithms, "aes128-cbc/hmac-sha1/prf-hmac-sha1/modp1024");
    const c0 = ours.child[0]!;
    assert(mirrorOf(c0, swan), `CHILD SPIs crosswise: ${JSON.stringify([c0, s.childSas])}`);
    assertEquals([c0.name, c0.localTs, c0.remoteTs, c0.mode, c0.encap, c0.replayWindow], [
      "site-to-secgw-site",
      [DEMO.localTs],
      [DEMO.remoteTs],
      "tunnel",
      true,
      1024,
    ]);

    // The text: the reference's columns, then the SA's details.
    const text = await ha1.ok("show ike vrf main ike-sa");
    assertEquals(
      text.split("\n").slice(0, 2).map((l) => l.split(/\s+/)),
      [
        ["VPN", "Local-Addr", "Local-ID", "Remote-Addr", "Remote-ID", "State", "Child-SAs"],
        ["vpn-secgw", DEMO.ha1Ike, DEMO.ha1Ike, DEMO.secgwIke, DEMO.secgwIke, "established", "1"],
      ],
    );
    assertStringIncludes(text, `SPIs ${ike.spiI}_i ${ike.spiR}_r`);
    const childText = await ha1.ok("show ike child-sa vpn vpn-secgw");
    assertStringIncludes(childText, `${c0.spiIn}  ${c0.spiOut}`);

    // Traffic both ways; nothing lost, so the counters match strongSwan's exactly.
    await pingBothWays(ref.topo);
    ours = await ikeView(ha1);
    swan = await ref.swan.listSas();
    const c1 = ours.child.find((c) => c.spiIn === c0.spiIn)!;
    const s1 = mirrorOf(c1, swan)!;
    assertEquals([c1.packetsOut, c1.packetsIn], [s1.packetsIn, s1.packetsOut]);
    assertEquals(c1.packetsOut, 10, "5 requests and 5 replies each way");
    const counters = await ha1.json<{ counters: { esp: { drops: Record<string, number> } }[] }>(
      "show ipsec vrf main counters",
    );
    assertEquals(counters.counters[0]!.esp.drops, {}, "nothing dropped by Tandem");

    // SIGTERM: the IKE Delete reaches strongSwan before the daemon exits 0.
    const config = await ha1.ok("show config running nodefault");
    assertEquals((await ha1.stop()).code, 0);
    await ref.swan.waitForSas((x) => x.length === 0, { what: "the SAs deleted by Tandem" });
    assertStringIncludes(await ha1.process.stderr(), "IKE gateway stopped");

    // Restart from the saved configuration: same configuration, the tunnel comes back.
    await ha1.restart();
    assertEquals(await ha1.ok("show config running nodefault"), config);
    ours = await untilView(ha1, upWith(1), "the tunnel after the restart");
    swan = await ref.swan.waitForSas(swanUpWith(1));
    assert(ours.ike[0]!.spiI !== ike.spiI, "a new IKE SA");
    assert(mirrorOf(ours.child[0]!, swan));
    await pingBothWays(ref.topo, 3);
  },
  NEEDS_SWAN,
);

rootTest(
  "ike e2e: flush at both ends, strongSwan initiates, a security-policy committed live, flush child-sa, traffic brings it back",
  async () => {
    await using lab = new NetnsLab("td");
    const ref = await refLab(lab);
    const ha1 = await ref.startHa1(ha1IkeCommands());
    await untilView(ha1, upWith(1), "the first tunnel");
    await ref.swan.waitForSas(swanUpWith(1));

    // flush ike: deleted at strongSwan too.
    const flushed = await ha1.json<{ flushed: FlushResult[] }>(
      "flush ike vrf main ike-sa vpn vpn-secgw",
    );
    assertEquals(flushed.flushed, [{ vrf: "main", ikeSas: 1, childSas: 0 }]);
    await ref.swan.waitForSas((s) => s.length === 0, { what: "the SAs flushed by Tandem" });
    await untilView(ha1, (v) => v.ike.length === 0 && v.child.length === 0, "no SA left");

    // strongSwan initiates; Tandem answers.
    await ref.swan.initiate({ child: "site" });
    let ours = await untilView(ha1, upWith(1), "the tunnel initiated by strongSwan");
    let swan = await ref.swan.waitForSas(swanUpWith(1));
    assertEquals(ours.ike[0]!.initiator, false);
    assertEquals([ours.ike[0]!.spiI, ours.ike[0]!.spiR], [
      swan[0]!.initiatorSpi,
      swan[0]!.responderSpi,
    ]);
    assert(mirrorOf(ours.child[0]!, swan));
    await pingBothWays(ref.topo, 3);
    const first = (await ikeView(ha1)).child[0]!;
    assertEquals(first.packetsOut, 6);

    // A security-policy committed live: a second CHILD SA on the same IKE SA; the first untouched.
    await ha1.ok(...SECOND.commands, "commit");
    ours = await untilView(ha1, upWith(2), "the second CHILD SA");
    swan = await ref.swan.waitForSas(swanUpWith(2));
    assertEquals(ours.ike.map((s) => s.spiI), [swan[0]!.initiatorSpi], "the same IKE SA");
    const again = ours.child.find((c) => c.name === "site-to-secgw-site")!;
    assertEquals([again.spiIn, again.spiOut], [first.spiIn, first.spiOut], "first CHILD SA kept");
    assertEquals([again.packetsOut, again.packetsIn], [6, 6], "its counters kept");
    const second = ours.child.find((c) => c.name === "second")!;
    assertEquals([second.localTs, second.remoteTs], [[SECOND.localTs], [SECOND.remoteTs]]);
    assert(mirrorOf(second, swan), "the second CHILD SA as strongSwan sees it");
    await pingBothWays(ref.topo, 3, [SECOND.lan1Host, SECOND.lan2Host]);
    const afterPing = (await ikeView(ha1)).child.find((c) => c.spiIn === second.spiIn)!;
    assertEquals([afterPing.packetsOut, afterPing.packetsIn], [6, 6], "through the new policy");
    await pingBothWays(ref.topo, 2);

    // flush ike child-sa: CHILD SAs gone at both ends, the IKE SA stays.
    const f = await ha1.json<{ flushed: { childSas: number }[] }>("flush ike child-sa");
    assertEquals(f.flushed[0]!.childSas, 2);
    await ref.swan.waitForSas(swanUpWith(0), { what: "strongSwan's CHILD SAs deleted" });
    ours = await untilView(ha1, upWith(0), "no CHILD SA on ha1");
    assertEquals(ours.child, []);

    // Traffic of a flushed policy brings its CHILD SA back on the same IKE SA (CREATE_CHILD_SA
    // from Tandem, the IKE SA's responder): the first packets raise the acquire.
    const r = await ping(ref.topo.ns("lan1"), DEMO.lan2Host, {
      count: 10,
      intervalSeconds: 0.2,
      source: DEMO.lan1Host,
    });
    assert(r.received >= 5, `pings once the CHILD SA is back: ${JSON.stringify(r)}`);
    ours = await untilView(ha1, upWith(1), "the CHILD SA brought back by traffic");
    swan = await ref.swan.waitForSas(swanUpWith(1));
    assertEquals(ours.ike.map((s) => s.spiI), [swan[0]!.initiatorSpi], "still the same IKE SA");
    const back = ours.child[0]!;
    assertEquals(back.name, "site-to-secgw-site");
    assert(back.spiIn !== first.spiIn, "a new CHILD SA");
    assert(mirrorOf(back, swan), "as strongSwan sees it");
  },
  NEEDS_SWAN,
);

rootTest(
  "ike e2e: kill -9 during an IKE commit; the restart loads a whole configuration and replaces the peer's stale SA",
  async () => {
    await using lab = new NetnsLab("td");
    const ref = await refLab(lab);
    const ha1 = await ref.startHa1(ha1IkeCommands());
    await untilView(ha1, upWith(1), "the tunnel");
    const stale = (await ref.swan.waitForSas(swanUpWith(1)))[0]!;

    // Kill the daemon once the IKE applier of a live commit has started.
    const seen = (await ha1.process.stderr()).split("\n").length;
    const commit = ha1.cli(...SECOND.commands, "commit");
    await waitFor(async () => {
      const lines = (await ha1.process.stderr()).split("\n").slice(seen);
      return lines.some((l) => l.includes(" cfg  apply ike: vrf main ike"));
    }, { timeoutMs: 30_000, what: "the IKE applier to start" });
    await ha1.kill();
    await commit;

    // The saved configuration is the old or the new one, whole; the tunnel matches it.
    await ha1.restart();
    const config = await ha1.ok("show config running nodefault");
    const children = config.includes("security-policy second") ? 2 : 1;
    assertStringIncludes(config, "security-policy site-to-secgw-site");
    const ours = await untilView(ha1, upWith(children), `${children} CHILD SAs after the restart`);
    // INITIAL_CONTACT: strongSwan drops the SA the killed daemon could not delete.
    const swan = await ref.swan.waitForSas(
      (s) => swanUpWith(children)(s) && s[0]!.initiatorSpi !== stale.initiatorSpi,
      { timeoutMs: 30_000, what: "the stale IKE SA replaced" },
    );
    assertEquals(swan[0]!.initiatorSpi, ours.ike[0]!.spiI);
    for (const c of ours.child) assert(mirrorOf(c, swan), `CHILD SA ${c.name} at strongSwan`);
    await pingBothWays(ref.topo, 3);
  },
  NEEDS_SWAN,
);
