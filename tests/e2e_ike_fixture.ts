/**
 * End-to-end IKE fixture: the `tandem lab` network (`lab/demo_reference.ts`)
 * with ha1 run by a real `tandem daemon` (driven only through `tandem cli`)
 * and SecGW run by strongSwan, plus the `--json` shapes of `show ike` the
 * tests read, and waits on both views.
 *
 * @module
 */
import { waitFor } from "../lab/command.ts";
import { DEMO, demoNetwork, ha1IkeSession, secgwSwanctl } from "../lab/demo_reference.ts";
import type { NetnsLab } from "../lab/netns_lab.ts";
import { networkTopology, tandemStartup } from "../lab/network.ts";
import { StrongSwanPeer } from "../lab/strongswan.ts";
import type { ChildSa, IkeSa } from "../lab/swanctl_output.ts";
import type { SwanctlConfig } from "../lab/swanctl_conf.ts";
import { TandemNode } from "../lab/tandem_node.ts";
import { buildTopology, type Topology } from "../lab/topology.ts";
import type { ChildSaShow, IkeSaShow } from "../daemon/ike_show.ts";

export { DEMO };

/** What rootTest needs for these tests. */
export const NEEDS_SWAN = {
  programs: ["swanctl", "charon", "ping"],
  programPaths: ["/usr/lib/ipsec", "/usr/libexec/ipsec"],
};

/** The reference's IKE session of ha1 without its `commit` (esn off: libipsec has none). */
export function ha1IkeCommands(): string[] {
  return ha1IkeSession(false).filter((l) => l !== "commit");
}

/** A second security-policy of vpn-secgw and the matching strongSwan child. */
export const SECOND = {
  localTs: "10.100.0.128/26",
  remoteTs: "10.250.0.128/26",
  lan1Host: "10.100.0.130",
  lan2Host: "10.250.0.130",
  secgwLan: "10.250.0.129",
  commands: [
    "vrf main ike vpn vpn-secgw security-policy second local-ts subnet 10.100.0.128/26",
    "vrf main ike vpn vpn-secgw security-policy second remote-ts subnet 10.250.0.128/26",
  ],
};

/** strongSwan's configuration with both children (the second unused until Tandem asks). */
export function swanConfig(): SwanctlConfig {
  const c = secgwSwanctl();
  const conn = c.connections[0]!;
  return {
    ...c,
    connections: [{
      ...conn,
      children: [...conn.children, {
        name: "second",
        localTs: [SECOND.remoteTs],
        remoteTs: [SECOND.localTs],
        espProposals: ["aes128-sha1"],
      }],
    }],
  };
}

/** The reference lab: topology, strongSwan SecGW (config loaded), ha1 not started yet. */
export interface RefLab {
  readonly topo: Topology;
  readonly swan: StrongSwanPeer;
  /** Starts ha1's daemon with its base configuration plus `extra` commands in the startup file. */
  startHa1(extra?: readonly string[]): Promise<TandemNode>;
}

/** Builds the reference lab (addresses for the second policy included). */
export async function refLab(lab: NetnsLab): Promise<RefLab> {
  const net = demoNetwork("strongswan");
  const topo = await buildTopology(lab, networkTopology(net));
  await lab.addr(topo.ns("lan1"), "eth0", `${SECOND.lan1Host}/24`);
  await lab.addr(topo.ns("lan2"), "eth0", `${SECOND.lan2Host}/24`);
  await lab.addr(topo.ns("secgw"), "eth1", `${SECOND.secgwLan}/24`);
  const swan = await StrongSwanPeer.start(lab, { name: "secgw", ns: topo.ns("secgw") });
  await swan.load(swanConfig());
  return {
    topo,
    swan,
    startHa1: (extra = []) =>
      TandemNode.start(lab, {
        name: "ha1",
        ns: topo.ns("ha1"),
        startup: tandemStartup(net, "ha1", extra),
      }),
  };
}

/** `show ike … ike-sa --json` and `child-sa --json`. */
export interface IkeView {
  readonly ike: readonly IkeSaShow[];
  readonly child: readonly ChildSaShow[];
}

export async function ikeView(node: TandemNode): Promise<IkeView> {
  const ike = (await node.json<{ ikeSas: IkeSaShow[] }>("show ike vrf main ike-sa")).ikeSas;
  const child = (await node.json<{ childSas: ChildSaShow[] }>("show ike vrf main child-sa"))
    .childSas;
  return { ike, child };
}

/** Waits until Tandem's view satisfies `pred`; returns it. */
export function untilView(
  node: TandemNode,
  pred: (v: IkeView) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<IkeView> {
  return waitFor(async () => {
    const v = await ikeView(node);
    return pred(v) ? v : undefined;
  }, {
    timeoutMs,
    intervalMs: 200,
    what: `${what} on ha1`,
    detail: async () =>
      (await node.process.stderr()).split("\n").filter((l) => !/ cli {2}/.test(l)).slice(-40)
        .join("\n"),
  });
}

/** One established IKE SA with `children` installed CHILD SAs. */
export function upWith(children: number): (v: IkeView) => boolean {
  return (v) =>
    v.ike.length === 1 && v.ike[0]!.state === "established" &&
    v.child.filter((c) => c.state === "installed").length === children;
}

/** strongSwan's one IKE SA with `children` installed CHILD SAs. */
export function swanUpWith(children: number): (s: IkeSa[]) => boolean {
  return (s) =>
    s.length === 1 && s[0]!.state === "ESTABLISHED" &&
    s[0]!.childSas.filter((c) => c.state === "INSTALLED").length === children;
}

/** strongSwan's CHILD SA whose SPIs are Tandem's crosswise, if any. */
export function mirrorOf(c: ChildSaShow, swan: readonly IkeSa[]): ChildSa | undefined {
  return swan.flatMap((s) => s.childSas).find((x) => x.spiIn === c.spiOut && x.spiOut === c.spiIn);
}
