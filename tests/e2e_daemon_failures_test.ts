/**
 * The daemon's refusals and failures, end to end: an invalid startup file
 * is refused with its path, line and reason and nothing is applied; a
 * second daemon on the same socket or state directory is refused; a
 * commit that fails in the kernel half-way (a route whose next hop is the
 * subnet's broadcast address: the configuration checks accept it, the
 * kernel refuses it) rolls back what the earlier appliers did; features
 * this build does not run are refused before anything is applied.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { exists } from "./lab_assert.ts";
import { rootTest } from "./netns.ts";
import { DaemonLab } from "./daemon_lab.ts";

const BASE = `vrf main interface physical eth1 port p1 ipv4 address 10.1.0.1/24
vrf main routing static ipv4-route 10.30.0.0/16 next-hop 10.1.0.254
vrf blue interface physical eth2 port p2 ipv4 address 10.2.0.1/24
vrf blue interface loopback lb ipv4 address 10.255.2.1/32
`;

rootTest(
  "daemon e2e: an invalid startup file is refused with path, line and reason; nothing applied",
  async () => {
    await using d = await DaemonLab.create(2);
    const initial = await d.state();
    const cases: [string, string, (path: string) => string][] = [
      [
        "syntax",
        "vrf main interface physical eth1 port p1\nsystem hostname gw\nvrf main interface physical eth1 ipv4 adress 10.0.0.1/24\n",
        (p) =>
          `${p}:3: Cannot parse "adress": not a node of vrf main interface physical eth1 ipv4; did you mean "address"?\n`,
      ],
      [
        "check",
        "vrf main interface physical eth1 port p1 ipv4 address 10.1.0.1/24\nvrf main routing static ipv4-route 10.9.0.0/16 next-hop 192.0.2.1\n",
        (p) =>
          `${p}: Cannot commit "vrf main routing static ipv4-route 10.9.0.0/16": next-hop 192.0.2.1 is not in a subnet of vrf main\n`,
      ],
    ];
    for (const [name, text, want] of cases) {
      const path = d.file(`${name}.conf`, text);
      const p = d.startDaemon(["--config", path]);
      const status = await p.status;
      assertEquals(status.code, 1, name);
      assertEquals(await p.stderr(), want(path), name);
      assertEquals(await d.state(), initial, name);
      assertEquals(exists(d.socket), false, `${name}: no socket left`);
      assertEquals(exists(`${d.stateDir}/config.txt`), false, `${name}: nothing saved`);
    }
    // A port that does not exist fails in the applier: rolled back, and the start fails.
    const p = d.startDaemon([
      "--config",
      d.file("noport.conf", BASE + "vrf blue interface physical eth9 port p9\n"),
    ]);
    assertEquals((await p.status).code, 1);
    assertStringIncludes(
      await p.stderr(),
      'noport.conf: Cannot commit "vrf blue interface physical eth9": port p9: no such link in vrf main\n',
    );
    assertEquals(await d.state(), initial);
  },
);

rootTest(
  "daemon e2e: a second daemon on the same socket or state directory is refused",
  async () => {
    await using d = await DaemonLab.create(1);
    await d.start();
    const hello = await d.json<{ pid: number }>("show daemon");
    const sameSocket = d.startDaemon([], { stateDir: `${d.lab.runDir}/other-state` });
    assertEquals((await sameSocket.status).code, 1);
    assertStringIncludes(
      await sameSocket.stderr(),
      `Cannot start: a Tandem daemon (pid ${hello.pid}, state directory "${d.stateDir}") already serves "${d.socket}"`,
    );
    const sameState = d.startDaemon([], { socket: `${d.lab.runDir}/other.sock` });
    assertEquals((await sameState.status).code, 1);
    assertStringIncludes(
      await sameState.stderr(),
      `Cannot start: the state directory "${d.stateDir}" is in use by another daemon (pid ${hello.pid}, socket "${d.socket}")`,
    );
    assertEquals(exists(`${d.lab.runDir}/other.sock`), false);
    assertEquals(
      (await d.json<{ pid: number }>("show daemon")).pid,
      hello.pid,
      "the first still answers",
    );
  },
);

rootTest(
  "daemon e2e: a commit failing in the kernel half-way rolls back every applier",
  async () => {
    await using d = await DaemonLab.create(3);
    await d.start(["--config", d.file("base.conf", BASE)]);
    const before = await d.state();
    const history = await d.ok("show commit history");
    const r = await d.cli(
      // removals (applied first, then restored): a route, a loopback, a whole VRF's link
      "delete vrf main routing static ipv4-route 10.30.0.0/16",
      "delete / vrf blue interface loopback lb",
      "delete / vrf blue interface physical eth2",
      // changes and creations: an address on eth1, a new VRF with an adopted link and a loopback
      "/ vrf main interface physical eth1 ipv4 address 10.1.1.1/24",
      "/ vrf green interface physical eth3 port p3 ipv4 address 10.9.0.1/24",
      "/ vrf green interface physical eth2 port p2 mtu 1400",
      "/ vrf green interface loopback lg ipv4 address 10.255.9.1/32",
      "/ vrf green routing static ipv4-route 10.60.0.0/16 next-hop 10.9.0.254",
      // the last applier fails in the kernel: a next hop that is the subnet's broadcast address
      "/ vrf green routing static ipv4-route 10.61.0.0/16 next-hop 10.9.0.255",
      "commit",
    );
    assertEquals(r.code, 1);
    assertEquals(
      r.stderr,
      'Cannot commit "vrf green routing static": Cannot add route 10.61.0.0/16 via 10.9.0.255: ' +
        "EINVAL (Invalid argument): Nexthop has invalid gateway\nConfiguration not committed.\n",
    );
    assertEquals(await d.state(), before);
    assertEquals(await d.vrfNamespaces(), [`${d.vrfPrefix}blue`]);
    assertEquals(await d.ok("show commit history"), history);
    const log = await d.ok("show log subsystem knl count 40");
    assertStringIncludes(log, "vrf green interface eth3: link p3 adopted");
    assertStringIncludes(log, "vrf green: namespace " + `${d.vrfPrefix}green deleted`);
  },
);

rootTest(
  "daemon e2e: VRRPv2 and GRE are refused before anything is applied",
  async () => {
    await using d = await DaemonLab.create(2);
    await d.start();
    const initial = await d.state();
    const cases: [string, string][] = [
      [
        "/ vrf main interface vrrp v1 link-interface eth1 vrid 1 version 2 " +
        "virtual-address 10.1.0.100/24",
        'Cannot commit "vrf main interface vrrp v1": VRRP version 2 (RFC 3768) is not ' +
        "supported in this build, only version 3 (RFC 5798)",
      ],
      [
        "/ vrf main interface gre g1 local 10.1.0.1 remote 10.1.0.2",
        'Cannot commit "vrf main interface gre g1": GRE interfaces are not available in this ' +
        "build (the userspace GRE encapsulation is not built yet; an svti interface gives the " +
        "same protected cross-VRF channel)",
      ],
    ];
    for (const [edit, message] of cases) {
      const r = await d.cli(
        "vrf main interface physical eth1 port p1 ipv4 address 10.1.0.1/24",
        edit,
        "commit",
      );
      assertEquals([r.code, r.stderr], [1, `${message}\nConfiguration not committed.\n`], edit);
      assertEquals(await d.state(), initial, edit);
    }
    const r = await d.cli("/ vrf main routing static ipv4-route 10.0.0.0/8 next-hop 192.0.2.1");
    assert(r.code === 0);
  },
);
