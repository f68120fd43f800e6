/**
 * The runtime in this process, in a namespace of its own, alone on a veth
 * (no peer: it becomes master after Master_Down_Interval): reconciling a
 * leftover link of the wrong kind, following its link-interface (down, up,
 * deleted and re-created with a new ifindex), applying configuration
 * changes in place, and leaving nothing at stop.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../tests/assert.ts";
import { NetnsLab, rootTest } from "../tests/netns.ts";
import { waitFor } from "../lab/command.ts";
import { systemClock } from "../core/clock.ts";
import { LogHub } from "../core/log.ts";
import { HaGroupRegistry } from "../ha/group.ts";
import { Netns } from "../kernel/mod.ts";
import { VrrpRuntime } from "./runtime.ts";
import type { VrrpInterfaceSpec, VrrpRuntimeConfig } from "./runtime_config.ts";
import { renderVrrpRuntime } from "./runtime_show.ts";
import type { VrrpTransition } from "./state.ts";

const VR79: VrrpInterfaceSpec = {
  name: "vr79",
  linkInterface: "eth0",
  vrid: 79,
  priority: 100,
  advertisementInterval: 100,
  virtualAddresses: ["10.81.0.10/24"],
};

rootTest(
  "vrrp runtime: reconciles a leftover link, follows its link, applies changes in place, stops clean",
  async () => {
    await using lab = new NetnsLab("tv");
    const r = await lab.netns("r");
    const p = await lab.netns("p");
    const veth = () => lab.veth([r, "eth0", "10.81.0.1/24"], [p, "eth0", "10.81.0.2/24"]);
    await veth();
    const ip = async (...args: string[]) => (await lab.exec(r, ["ip", ...args])).stdout;
    // A crashed older run left vr79 behind: private mode, up, with the VIP.
    await ip("link", "add", "vr79", "link", "eth0", "type", "macvlan", "mode", "private");
    await ip("addr", "add", "10.81.0.10/24", "dev", "vr79");
    await ip("link", "set", "vr79", "up");

    const hub = new LogHub({ level: "detail" });
    const lines: string[] = [];
    hub.addSink((rec) => lines.push(rec.message));
    const ha = new HaGroupRegistry(systemClock, hub.logger("ha"));
    const rt = await VrrpRuntime.open({ ns: Netns.named(r), ha, log: hub.logger("vrrp") });
    const seen: VrrpTransition[] = [];
    rt.onTransition((t) => seen.push(t));
    /** Waits for the `n`-th transition (1-based) of `inst` and returns it. */
    const nth = (inst: string, n: number) =>
      waitFor(() => seen.filter((t) => t.instance === inst)[n - 1], {
        timeoutMs: 20_000,
        what: `transition #${n} of ${inst}`,
        detail: () => lines.slice(-30).join("\n"),
      });
    const hasAddr = async (dev: string, addr: string) =>
      (await ip("-br", "addr", "show", "dev", dev)).includes(addr);
    try {
      await rt.apply({ instances: [VR79] });
      assertEquals((await nth("vr79", 1)).to, "backup");
      assertEquals((await nth("vr79", 2)).to, "master");
      const detail = await ip("-d", "link", "show", "vr79");
      assertStringIncludes(detail, "macvlan mode bridge");
      assertStringIncludes(detail, "link/ether 00:00:5e:00:01:4f");
      assert(lines.some((l) => l.includes("replacing link vr79")), "the leftover was replaced");
      await waitFor(() => hasAddr("vr79", "10.81.0.10/24"), { timeoutMs: 5000, what: "the VIP" });

      // The link goes down: Initialize, VIP removed, macvlan down; back up: master again.
      await ip("link", "set", "eth0", "down");
      assertEquals((await nth("vr79", 3)).cause, "link-down");
      await waitFor(async () => !(await hasAddr("vr79", "10.81.0.10")), {
        timeoutMs: 5000,
        what: "the VIP to go",
      });
      assertMatch(await ip("link", "show", "vr79"), /state DOWN/);
      await ip("link", "set", "eth0", "up");
      assertEquals((await nth("vr79", 5)).to, "master");

      // Priority changes live; a new instance leaves vr79 alone.
      const vr80 = { ...VR79, name: "vr80", vrid: 80, virtualAddresses: ["10.81.0.20/24"] };
      await rt.apply({ instances: [{ ...VR79, priority: 150 }, vr80] });
      assertEquals(rt.show().instances.find((i) => i.name === "vr79")?.priority, 150);
      assertEquals((await nth("vr80", 2)).to, "master");
      assertEquals(seen.filter((t) => t.instance === "vr79").length, 5, "vr79 untouched");

      // A new virtual address recreates the instance (resigning first).
      const moved: VrrpRuntimeConfig = {
        instances: [{ ...VR79, priority: 150, virtualAddresses: ["10.81.0.11/24"] }, vr80],
      };
      await rt.apply(moved);
      assertEquals((await nth("vr79", 6)).to, "initialize");
      assertEquals((await nth("vr79", 8)).to, "master");
      await waitFor(() => hasAddr("vr79", "10.81.0.11/24"), { timeoutMs: 5000, what: "new VIP" });
      assertEquals(await hasAddr("vr79", "10.81.0.10"), false);

      // The link is deleted (its macvlans go with it) and re-created with a new ifindex.
      const before = rt.show().virtualLinks.find((l) => l.instance === "vr79")!.ifindex;
      await ip("link", "del", "eth0");
      assertEquals((await nth("vr79", 9)).cause, "link-down");
      await veth();
      assertEquals((await nth("vr79", 11)).to, "master");
      await waitFor(() => hasAddr("vr79", "10.81.0.11/24"), { timeoutMs: 5000, what: "VIP back" });
      const after = rt.show().virtualLinks.find((l) => l.instance === "vr79")!;
      assert(after.ifindex !== before, "a new macvlan on the new link");
      assertEquals(after.state, "up");
      assertStringIncludes(renderVrrpRuntime(rt.show()), "vrrp vr80: master");
    } finally {
      await rt.stop();
    }
    for (const name of ["vr79", "vr80"]) {
      const last = seen.filter((t) => t.instance === name).at(-1)!;
      assertEquals([last.from, last.to, last.cause], ["master", "initialize", "shutdown"], name);
    }
    const left = await ip("-br", "link");
    assertEquals(/vr79|vr80/.test(left), false, `left behind:\n${left}`);
  },
);
