/**
 * IKE's refusals and failures, end to end (`tandem daemon` and `tandem
 * cli` only): a startup file whose IKE cannot run is refused with its path
 * and reason and nothing is applied; a commit that fails in the IKE
 * applier after the kernel appliers did their part (a vpn local-address
 * whose UDP port 500 another program holds) rolls everything back — when
 * it would have created the VRF's gateway (no gateway left) and when it
 * changes a running one (the gateway and its SA as they were).
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { exists } from "./lab_assert.ts";
import { run, waitFor } from "../lab/command.ts";
import { rootTest } from "./netns.ts";
import { DaemonLab } from "./daemon_lab.ts";
import type { IkeSaShow } from "../daemon/ike_show.ts";

const IKE = "vrf main ike";
const TEMPLATES = [
  `${IKE} ike-policy-template t ike-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1 dh-group modp1024`,
  `${IKE} ipsec-policy-template p esp-proposal 1 enc-alg aes128-cbc auth-alg hmac-sha1`,
  `${IKE} pre-shared-key k id 10.1.0.2 id 10.2.0.2 secret lab-secret`,
];

function vpn(name: string, local: string, remote: string, net: number): string[] {
  const v = `${IKE} vpn ${name}`;
  return [
    `${v} ike-policy template t`,
    `${v} ipsec-policy template p`,
    `${v} local-address ${local}`,
    `${v} remote-address ${remote}`,
    `${v} security-policy s local-ts subnet 10.${net}.1.0/24 remote-ts subnet 10.${net}.2.0/24`,
  ];
}

const BASE = [
  "vrf main interface physical eth1 port p1 ipv4 address 10.1.0.1/24",
  "vrf main interface loopback lo0 ipv4 address 10.175.0.1/32",
  "vrf main interface loopback lo1 ipv4 address 10.175.0.9/32",
];

/** A commit that changes the kernel (a link adopted, an address, a route), then a vpn on lo1. */
const FAILING = [
  "/ vrf main interface physical eth2 port p2 ipv4 address 10.2.0.1/24",
  "/ vrf main routing static ipv4-route 10.50.0.0/16 next-hop 10.2.0.254",
  ...vpn("b", "10.175.0.9", "10.2.0.2", 60).map((l) => `/ ${l}`),
  "commit",
];

const HOLD_500 = [
  "import socket, time",
  "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
  "s.bind(('10.175.0.9', 500))",
  "print('bound', flush=True)",
  "time.sleep(3600)",
].join("\n");

rootTest(
  "ike e2e: an IKE startup that cannot run is refused; an IKE applier failure rolls every applier back",
  async () => {
    await using d = await DaemonLab.create(2);
    const initial = await d.state();

    // A vpn without local-address: refused with the file and the reason, nothing applied.
    const bad = d.file(
      "bad.conf",
      [...BASE, ...TEMPLATES, ...vpn("a", "10.175.0.1", "10.1.0.2", 40)]
        .filter((l) => !l.includes("local-address")).join("\n") + "\n",
    );
    const refused = d.startDaemon(["--config", bad]);
    assertEquals((await refused.status).code, 1);
    assertEquals(
      await refused.stderr(),
      `${bad}: Cannot commit "vrf main ike vpn a": a local-address is mandatory ` +
        "(IKE and ESP are bound to it)\n",
    );
    assertEquals(await d.state(), initial);
    assertEquals(exists(`${d.stateDir}/config.txt`), false);

    // Another program holds UDP 500 on lo1's address.
    await d.start(["--config", d.file("base.conf", BASE.join("\n") + "\n")]);
    const holder = d.lab.start(d.gw, ["python3", "-c", HOLD_500], { name: "hold-500" });
    await waitFor(async () => (await holder.stdout()).includes("bound"), {
      timeoutMs: 10_000,
      what: "python3 to bind 10.175.0.9:500",
      detail: () => holder.stderr(),
    });

    // Creating the gateway fails: the link, the address and the route are undone, no gateway.
    const before = await d.state();
    const history = await d.ok("show commit history");
    let r = await d.cli(...TEMPLATES.map((l) => `/ ${l}`), ...FAILING);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, 'Cannot commit "vrf main ike": ');
    assertStringIncludes(r.stderr, "EADDRINUSE");
    assertEquals(await d.state(), before);
    assertEquals(await d.ok("show commit history"), history);
    assertStringIncludes((await d.cli("show ike ike-sa-count")).stdout, "VRF");
    assertEquals(
      (await d.json<{ ikeSaCounts: unknown[] }>("show ike ike-sa-count")).ikeSaCounts,
      [],
      "no gateway",
    );
    const tun = await run(["ip", "-n", d.gw, "link", "show", "ipsec0"], false);
    assert(tun.code !== 0, "no policy TUN left");

    // With a running gateway and its SA (vpn a, initiating towards a silent peer)...
    await d.ok(
      ...[...TEMPLATES, ...vpn("a", "10.175.0.1", "10.1.0.2", 40)].map((l) => `/ ${l}`),
      "commit",
    );
    const sas = async () =>
      (await d.json<{ ikeSas: IkeSaShow[] }>("show ike vrf main ike-sa")).ikeSas;
    const sa = await waitFor(async () => (await sas()).find((s) => s.vpn === "a"), {
      timeoutMs: 20_000,
      what: "vpn a's IKE SA",
    });
    const running = await d.ok("show config running nodefault");
    const stateA = await d.state();
    // ... a change that fails in the IKE applier leaves both as they were.
    r = await d.cli(...FAILING);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, 'Cannot commit "vrf main ike": ');
    assertEquals(await d.state(), stateA);
    assertEquals(await d.ok("show config running nodefault"), running);
    const now = await sas();
    assertEquals(now.map((s) => [s.vpn, s.uid, s.spiI]), [["a", sa.uid, sa.spiI]], "SA untouched");
    const sockets = await run(["ip", "netns", "exec", d.gw, "ss", "-Hlun", "sport", "=", ":500"]);
    assertStringIncludes(sockets.stdout, "10.175.0.1:500");
    assertEquals(
      sockets.stdout.trim().split("\n").filter((l) => l.includes("10.175.0.9:500")).length,
      1,
      "only python3's socket on 10.175.0.9",
    );
  },
  { programs: ["python3", "ss"] },
);
