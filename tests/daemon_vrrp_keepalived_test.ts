/**
 * A Tandem daemon against keepalived 2.2.7 on one LAN, VRRPv3 at 1 s, the
 * instance in a VRF of its own (`vrf lan`: the daemon's runtime runs in
 * that namespace, on the physical link it moved there) with a vrrp group
 * driving an HA group: keepalived (priority 200) is master and the daemon
 * follows it; keepalived's graceful stop (priority 0) makes the daemon
 * master and its HA group master; keepalived returns below it and stays
 * backup; the daemon's SIGTERM sends priority 0 and keepalived takes over,
 * the daemon's macvlan gone from the VRF.
 *
 * No test asserts a duration: every wait is for an event, with a generous
 * deadline.
 *
 * @module
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { rootTest } from "./netns.ts";
import { NetnsLab } from "../lab/netns_lab.ts";
import { DaemonNode } from "./daemon_vrrp_lab.ts";
import { startKeepalived } from "./vrrp_lab.ts";

const KA = { iface: "eth0", vrid: 1, advertInt: 1, vips: ["10.100.0.2/24"] };

const CONFIG = [
  "vrf lan interface physical eth1 ipv4 address 10.22.0.1/24",
  "vrf lan interface vrrp vrrp51 link-interface eth1 vrid 1 virtual-address 10.100.0.2/24",
  "vrf lan vrrp group g instance vrrp51 notify-ha-group ha-lan",
  "ha group ha-lan",
].map((l) => `/ ${l}\n`).join("");

rootTest(
  "daemon vrrp: keepalived and a Tandem daemon (in a VRF) take over from each other's priority-0 stop",
  async () => {
    await using lab = new NetnsLab("tw");
    const ns = await lab.netns("t1");
    const kaNs = await lab.netns("ka");
    await lab.segment("lan1", [[ns, "eth1"], [kaNs, "eth0", "10.22.0.9/24"]]);
    const t1 = new DaemonNode(lab, "t1", ns);
    const vrfNs = t1.vrfNs("lan");

    const ka = startKeepalived(lab, kaNs, { ...KA, priority: 200 }, "keepalived-0");
    await ka.waitLog(/Entering MASTER STATE/, "MASTER");
    await t1.start(CONFIG);
    await t1.waitInstances(
      "vrrp51 following keepalived",
      (i) =>
        i["vrrp51"]?.state === "backup" && i["vrrp51"].master?.address === "10.22.0.9" &&
        i["vrrp51"].counters.advertsReceived >= 2,
    );
    const [lan] = await t1.vrrp("vrf lan instance vrrp51");
    assertEquals([lan?.vrf, lan?.instances.map((i) => i.name)], ["lan", ["vrrp51"]]);
    assertEquals(lan?.virtualLinks.map((l) => [l.virtualLink, l.virtualMac, l.state]), [
      ["vrrp51", "00:00:5e:00:01:01", "down"],
    ]);
    assertEquals((await t1.haGroup("ha-lan")).state, "backup");
    assertEquals(await t1.addresses("vrrp51", vrfNs), [], "the macvlan sits in the VRF, down");

    // keepalived stops gracefully: the daemon hears priority 0 and takes over.
    assertEquals(await ka.term(), 0);
    const took = await t1.waitStates("master", ["vrrp51"]);
    assertStringIncludes(String(took["vrrp51"]!.lastTransition?.reason), "resigned (priority 0)");
    const hg = await t1.haGroup("ha-lan");
    assertEquals([hg.state, hg.controller], ["master", "vrrp group g"]);
    assertEquals(await t1.addresses("vrrp51", vrfNs), ["10.100.0.2/24"]);

    // keepalived returns below the daemon: backup.
    const ka2 = startKeepalived(lab, kaNs, { ...KA, priority: 50 }, "keepalived-1");
    await ka2.waitLog(/Entering BACKUP STATE/, "BACKUP");
    assertEquals((await t1.instances())["vrrp51"]?.state, "master");
    assertEquals(await ka2.state(), "BACKUP");

    // The daemon stops: priority 0, keepalived takes over, the macvlan leaves the VRF.
    assertEquals(await t1.term(), 0);
    await ka2.waitLog(/Backup received priority 0 advertisement/, "priority 0 received");
    await ka2.waitLog(/Entering MASTER STATE/, "MASTER");
    assertEquals(await t1.addresses("vrrp51", vrfNs), undefined, "macvlan removed at stop");
    assertEquals(await t1.addresses("eth1", vrfNs), ["10.22.0.1/24"], "the VRF's link stays");
  },
  { programs: ["keepalived"] },
);
