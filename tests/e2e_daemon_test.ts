/**
 * The daemon end to end, driven only through `tandem daemon` and
 * `tandem cli --socket`, checked with `ip`: a startup configuration
 * becomes VRF namespaces, adopted and renamed links, loopbacks, addresses
 * and static routes; live commits converge; a restart from the saved
 * configuration converges to the same kernel state; SIGTERM exits 0 and
 * removes the socket; deleting everything gives the host back as it was.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { exists } from "./lab_assert.ts";
import { rootTest } from "./netns.ts";
import { DaemonLab } from "./daemon_lab.ts";

const START = `config
  system
    hostname gw1
  ..
  vrf main
    interface
      physical eth1
        port p1
        ipv4
          address 10.1.0.1/24
        ..
        ipv6
          address fd00:1::1/64
        ..
      ..
      loopback loop0
        ipv4
          address 10.255.0.1/32
        ..
        ipv6
          address fd00:ff::1/128
        ..
      ..
    ..
    routing
      static
        ipv4-route 0.0.0.0/0
          next-hop 10.1.0.254
        ..
        ipv6-route ::/0
          next-hop fd00:1::fe
        ..
      ..
    ..
  ..
  vrf blue
    interface
      physical eth2
        port p2
        mtu 1400
        ipv4
          address 10.2.0.1/24
        ..
      ..
      loopback loop1
        ipv4
          address 10.255.1.1/32
        ..
      ..
    ..
    routing
      static
        ipv4-route 10.20.0.0/16
          next-hop 10.2.0.254
        ..
      ..
    ..
  ..
  vrf red
    interface
      physical p3
        ipv4
          address 10.3.0.1/24
        ..
      ..
    ..
  ..
..
`;

interface ShownInterface {
  vrf: string;
  name: string;
  kind: string;
  managed: boolean;
  port?: string;
  state: string;
  mtu: number;
  addresses: string[];
  counters?: { rxPackets: number; txPackets: number };
}

rootTest(
  "daemon e2e: startup config to kernel state, live changes, restart, SIGTERM, delete all",
  async () => {
    await using d = await DaemonLab.create(3);
    await d.lab.addr(d.gw, "p3", "192.0.2.3/24");
    const initial = await d.state();
    assertEquals(initial.main!.links, ["p1 1500 up", "p2 1500 up", "p3 1500 up"]);
    assertEquals(initial.main!.addrs, ["p3 192.0.2.3/24"]);
    const first = await d.start(["--config", d.file("start.conf", START)]);

    let s = await d.state();
    assertEquals(Object.keys(s).sort(), ["blue", "main", "red"]);
    assertEquals(s.main, {
      links: ["eth1 1500 up", "loop0 1500 up"],
      addrs: [
        "eth1 10.1.0.1/24",
        "eth1 fd00:1::1/64",
        "loop0 10.255.0.1/32",
        "loop0 fd00:ff::1/128",
      ],
      routes: ["default via 10.1.0.254 dev eth1", "default via fd00:1::fe dev eth1"],
      sysctls: "1 2",
    });
    assertEquals(s.blue, {
      links: ["eth2 1400 up", "loop1 1500 up"],
      addrs: ["eth2 10.2.0.1/24", "loop1 10.255.1.1/32"],
      routes: ["10.20.0.0/16 via 10.2.0.254 dev eth2"],
      sysctls: "1 2",
    });
    assertEquals(s.red, {
      links: ["p3 1500 up"],
      addrs: ["p3 10.3.0.1/24"],
      routes: [],
      sysctls: "1 2",
    });

    // show interface --json agrees with the kernel.
    const shown = (await d.json<{ interfaces: ShownInterface[] }>("show interface")).interfaces;
    const managed = shown.filter((i) => i.managed);
    assertEquals(managed.map((i) => `${i.vrf} ${i.name} ${i.kind} ${i.port ?? "-"}`).sort(), [
      "blue eth2 physical p2",
      "blue loop1 loopback -",
      "main eth1 physical p1",
      "main loop0 loopback -",
      "red p3 physical p3",
    ]);
    for (const i of managed) {
      const ns = s[i.vrf]!;
      assert(ns.links.includes(`${i.name} ${i.mtu} up`), `${i.vrf} ${i.name} ${i.mtu}`);
      const kernel = ns.addrs.filter((a) => a.startsWith(`${i.name} `)).map((a) => a.split(" ")[1]);
      assertEquals(i.addresses.filter((a) => !a.startsWith("fe80:")).sort(), kernel.sort());
      assertEquals(typeof i.counters?.rxPackets, "number");
    }
    const one = await d.ok("show interface vrf blue eth2");
    assert(one.startsWith("eth2 (vrf blue, physical, port p2)\n"), one);

    // A live commit: an address removed and one added, a route added, eth2 moved from blue to red.
    const out = await d.ok(
      "delete vrf main interface physical eth1 ipv6",
      "delete vrf main routing static ipv6-route ::/0",
      "vrf main interface physical eth1 ipv4 address 10.1.1.1/24",
      "/ vrf main routing static ipv4-route 10.40.0.0/16 next-hop 10.1.1.254",
      "delete / vrf blue interface physical eth2",
      "/ vrf red interface physical eth2 port p2 ipv4 address 10.2.0.1/24",
      "/ vrf red routing static ipv4-route 10.20.0.0/16 next-hop 10.2.0.254",
      "delete / vrf blue routing static",
      "commit",
    );
    assertEquals(out, "Configuration committed.\n");
    s = await d.state();
    assertEquals(s.main!.addrs, [
      "eth1 10.1.0.1/24",
      "eth1 10.1.1.1/24",
      "loop0 10.255.0.1/32",
      "loop0 fd00:ff::1/128",
    ]);
    assertEquals(s.main!.routes, [
      "10.40.0.0/16 via 10.1.1.254 dev eth1",
      "default via 10.1.0.254 dev eth1",
    ]);
    assertEquals(s.blue, {
      links: ["loop1 1500 up"],
      addrs: ["loop1 10.255.1.1/32"],
      routes: [],
      sysctls: "1 2",
    });
    assertEquals(s.red, {
      links: ["eth2 1500 up", "p3 1500 up"],
      addrs: ["eth2 10.2.0.1/24", "p3 10.3.0.1/24"],
      routes: ["10.20.0.0/16 via 10.2.0.254 dev eth2"],
      sysctls: "1 2",
    });

    // SIGTERM: exit 0, socket removed, kernel state kept; a restart from the saved
    // configuration converges to the same state.
    const before = await d.state();
    const status = await first.stop({ signal: "SIGTERM", timeoutMs: 10_000 });
    assertEquals(status.code, 0, await first.stderr());
    assertEquals(exists(d.socket), false, "socket removed");
    assert((await first.stderr()).includes(" dmn  stopped\n"));
    assertEquals(await d.state(), before);
    await d.start();
    assertEquals(await d.state(), before);
    const config = await d.ok("show config running nodefault vrf red");
    assert(config.includes("physical eth2\n"), config);

    // Deleting everything gives the links back under their names (p3 with its address),
    // removes the namespaces and restores the main VRF's sysctls.
    assertEquals(await d.ok("delete vrf", "commit"), "Configuration committed.\n");
    assertEquals(await d.state(), initial);
    assertEquals(await d.vrfNamespaces(), []);
  },
);
