/**
 * kill -9 of the daemon in the middle of a commit, end to end: the commit
 * swaps between two configurations A and B that differ in every applier
 * (a VRF created or deleted, a link moved between VRFs, addresses,
 * loopbacks, routes); the daemon is killed once its log shows the k-th
 * step of the commit (k counts applier steps and kernel changes, so kills
 * land inside appliers too, e.g. between a link's rename and its move),
 * then restarted from its state directory. Every time the saved
 * configuration is exactly A or B (never a mix) and the kernel converges
 * to the state that configuration gives when committed normally.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { sleep } from "../lab/command.ts";
import { rootTest } from "./netns.ts";
import { DaemonLab, tandem } from "./daemon_lab.ts";

function config(which: "A" | "B"): string {
  const lines = [
    "vrf main interface physical eth1 port p1 ipv4 address 10.1.0.1/24",
    "vrf main interface loopback lo0 ipv4 address 10.255.0.1/32",
  ];
  if (which === "A") {
    lines.push(
      "vrf blue interface physical eth2 port p2 ipv4 address 10.2.0.1/24",
      "vrf blue routing static ipv4-route 10.20.0.0/16 next-hop 10.2.0.254",
    );
  } else {
    lines.push(
      "vrf green interface physical eth2 port p2 mtu 1400 ipv4 address 10.3.0.1/24",
      "vrf green interface loopback lo1 ipv4 address 10.255.1.1/32",
      "vrf green routing static ipv4-route 10.30.0.0/16 next-hop 10.3.0.254",
    );
    for (let i = 1; i <= 12; i++) {
      lines.push(`vrf main interface physical eth1 ipv4 address 10.1.${i}.1/24`);
      lines.push(`vrf main routing static ipv4-route 10.${100 + i}.0.0/16 next-hop 10.1.${i}.254`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Counts the applier steps and kernel changes the daemon logged. */
function applySteps(log: string): number {
  return log.split("\n").filter((l) => l.includes(" cfg  apply ") || l.includes(" knl  ")).length;
}

rootTest(
  "daemon e2e: kill -9 during a commit leaves a loadable configuration and the restart converges",
  async () => {
    await using d = await DaemonLab.create(2);
    const file = (which: "A" | "B") =>
      d.file(`${which}.cli`, "delete vrf\n" + config(which) + "commit\n");
    const fileA = file("A");
    const fileB = file("B");
    let daemon = await d.start(["--config", d.file("A.conf", config("A"))]);

    // The reference: each configuration's listing and kernel state, committed without a crash.
    const listing = async () => await d.ok("show config running nodefault");
    const expected: Record<string, { listing: string; state: unknown }> = {};
    expected["A"] = { listing: await listing(), state: await d.state() };
    assertEquals((await tandem(["cli", "--socket", d.socket, "-f", fileB])).code, 0);
    expected["B"] = { listing: await listing(), state: await d.state() };
    assert(expected["A"].listing !== expected["B"].listing);
    assertEquals((await tandem(["cli", "--socket", d.socket, "-f", fileA])).code, 0);

    let current: "A" | "B" = "A";
    let midCommit = 0;
    const rounds = 10;
    for (let round = 0; round < rounds; round++) {
      const target = current === "A" ? "B" : "A";
      const stepsBefore = applySteps(await daemon.stderr());
      const k = 1 + (round * 5) % 31;
      const cli = tandem(["cli", "--socket", d.socket, "-f", target === "A" ? fileA : fileB]);
      let seen = 0;
      for (;;) {
        const log = await daemon.stderr();
        seen = applySteps(log) - stepsBefore;
        if (seen >= k || / cfg {2}commit \d+/.test(log.split("\n").slice(-3).join("\n"))) break;
        await sleep(1);
      }
      await daemon.kill();
      await cli;
      const tail = await daemon.stderr();
      const committed = tail.slice(tail.lastIndexOf(" cfg  apply ")).includes(" cfg  commit ");
      if (!committed && seen > 0) midCommit++;

      daemon = await d.start();
      const now = await listing();
      const which = now === expected["A"].listing ? "A" : now === expected["B"].listing ? "B" : "?";
      assert(which !== "?", `round ${round}: the saved configuration is neither A nor B:\n${now}`);
      assertEquals(
        await d.state(),
        expected[which]!.state,
        `round ${round}: kernel state of ${which}`,
      );
      current = which;
    }
    console.error(`kill -9 landed in the middle of a commit in ${midCommit} of ${rounds} rounds`);
    assertEquals(await d.ok("delete vrf", "commit"), "Configuration committed.\n");
    assertEquals(await d.vrfNamespaces(), []);
  },
);
