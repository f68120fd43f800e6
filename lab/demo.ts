/**
 * `tandem lab`: Tandem working, in one command, on a fresh machine (as
 * root). It builds the network of `demo_reference.ts` in namespaces, starts
 * the remote security gateway (strongSwan with its userspace dataplane, or
 * a second Tandem node when strongSwan is not installed), starts the real
 * `tandem daemon` for ha1 with its interfaces and routes from a startup
 * file, types the reference's IKE configuration through `tandem cli`, waits
 * for the tunnel, sends pings both ways and a short iperf3 through it,
 * prints `show ike vrf main ike-sa` and `child-sa`, checks the SPIs against
 * the peer's view, stops the daemon (its IKE Delete must reach the peer)
 * and removes everything. Ctrl-C or a failure tears down too (the lab's
 * exit guard); `--keep` leaves it all running until Ctrl-C.
 *
 * @module
 */
import { type Clock, systemClock } from "../core/clock.ts";
import { findProgram, haveProgram, isRoot, waitFor } from "./command.ts";
import {
  DEMO,
  demoNetwork,
  ha1IkeSession,
  type PeerKind,
  secgwIkeCommands,
  secgwSwanctl,
} from "./demo_reference.ts";
import { interceptSignals } from "./exit_guard.ts";
import { NetnsLab } from "./netns_lab.ts";
import { networkTopology, tandemStartup } from "./network.ts";
import { findCharon, StrongSwanPeer } from "./strongswan.ts";
import { TandemNode } from "./tandem_node.ts";
import { buildTopology, type Topology } from "./topology.ts";
import { iperf3Client, iperf3Server, ping, type PingResult } from "./traffic.ts";
import { printLine } from "../core/stdio.ts";

/** Options of {@linkcode runDemo}. */
export interface DemoOptions {
  /** Leave everything running until Ctrl-C. */
  readonly keep?: boolean;
  /** What runs SecGW; default strongSwan when installed, else Tandem. */
  readonly peer?: PeerKind;
  /** Where lines go (default stdout). */
  readonly print?: (line: string) => void;
  readonly pingCount?: number;
  readonly iperfSeconds?: number;
  readonly clock?: Clock;
}

/** What the demo found, for its summary (and tests). */
export interface DemoSummary {
  readonly peer: PeerKind;
  readonly tunnelUpSeconds: number;
  readonly pingSent: number;
  readonly pingReceived: number;
  /** Null when iperf3 is not installed. */
  readonly iperfMbps: number | null;
  /** CHILD SA SPIs as Tandem sees them (in, out) and as the peer does (its out, in). */
  readonly childSpis: { readonly tandem: [string, string]; readonly peer: [string, string] };
  readonly ikeSpis: { readonly tandem: [string, string]; readonly peer: [string, string] };
  /** Whether the peer had no SA left once the daemon stopped (its Delete arrived). */
  readonly deleteSeenByPeer: boolean;
}

/** A refusal before anything was built (exit status 2). */
export class DemoUsageError extends Error {
  override name = "DemoUsageError";
}

interface ChildJson {
  childSas: { state: string; spiIn: string; spiOut: string; name: string }[];
}
interface IkeJson {
  ikeSas: { state: string; spiI: string; spiR: string; vpn: string }[];
}

/** Whether strongSwan (charon and swanctl) is installed. */
export function haveStrongSwan(): boolean {
  return findCharon() !== undefined && findProgram("swanctl") !== undefined;
}

function checkHost(peer: PeerKind | undefined): PeerKind {
  if (!isRoot()) throw new DemoUsageError("tandem lab needs root (network namespaces): sudo");
  const missing = ["ip", "nsenter", "ping"].filter((p) => !haveProgram(p));
  if (missing.length) throw new DemoUsageError(`tandem lab needs ${missing.join(", ")}`);
  if (peer === "strongswan" && !haveStrongSwan()) {
    throw new DemoUsageError("--peer strongswan: charon and swanctl are not installed");
  }
  return peer ?? (haveStrongSwan() ? "strongswan" : "tandem");
}

/** The last lines of a daemon's log, without the CLI's own connections. */
async function logTail(node: TandemNode, lines = 40): Promise<string> {
  const log = (await node.process.stderr()).split("\n").filter((l) => !/ cli {2}/.test(l));
  return `--- ${node.opts.name} log (tail)\n${log.slice(-lines).join("\n")}`;
}

const indent = (text: string) =>
  text.trimEnd().split("\n").map((l) => (l === "" ? "" : `    ${l}`)).join("\n");

/** Runs the demo (see the module doc); returns its summary after the teardown. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoSummary> {
  const peerKind = checkHost(opts.peer);
  const clock = opts.clock ?? systemClock;
  const print = opts.print ?? printLine;
  const t0 = clock.now();
  const say = (m: string) => print(`[${((clock.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${m}`);
  // The run directory (logs, configurations) stays after a failure, for a look.
  const lab = new NetnsLab("tdl", { clock, keepRunDir: true });
  let teardownDone = false;
  let failed = true;
  try {
    print(
      peerKind === "strongswan"
        ? "tandem lab: a Tandem gateway against strongSwan, with the reference's IKE configuration"
        : "tandem lab: a Tandem gateway against a second Tandem node, with the reference's IKE " +
          "configuration",
    );
    if (peerKind === "tandem") {
      say(
        opts.peer === "tandem"
          ? "SecGW is a second Tandem node (--peer tandem)"
          : "strongSwan (charon, swanctl) is not installed: SecGW is a second Tandem node instead",
      );
    }
    const net = demoNetwork(peerKind);
    const topo = await buildTopology(lab, networkTopology(net));
    say(`network built: namespaces ${Object.values(topo.names).join(" ")}`);
    print(indent(
      `lan1 ${DEMO.lan1Host} -- ${DEMO.ha1Lan} eth1 [ha1, loopback0 ${DEMO.ha1Ike}] eth2 ` +
        `${DEMO.ha1Wan} -- ${DEMO.secgwWan} [secgw ${DEMO.secgwIke}] ${DEMO.secgwLan} -- ` +
        `lan2 ${DEMO.lan2Host}`,
    ));

    const secgw = await startPeer(lab, topo, peerKind, say);
    const ha1 = await TandemNode.start(lab, {
      name: "ha1",
      ns: topo.ns("ha1"),
      startup: tandemStartup(net, "ha1"),
    });
    say(
      `tandem daemon up in ${topo.ns("ha1")} (pid ${ha1.process.pid}): interfaces, loopback0 ` +
        `and static routes from the startup file ${ha1.configPath}`,
    );

    const esn = peerKind === "tandem";
    const session = ha1IkeSession(esn);
    say("the reference's IKE configuration, typed through tandem cli:");
    print(indent(session.join("\n")));
    if (!esn) {
      print(indent(
        "(esn false: strongSwan 5.9.8's libipsec has no extended sequence numbers; the " +
          "reference's esn true would end in NO_PROPOSAL_CHOSEN)",
      ));
    }
    const committed = clock.now();
    const out = await ha1.ok(...session);
    say(`${out.trim()} Tandem initiates vpn-secgw (initiation at commit)`);
    const child = await waitFor(async () => {
      const c = await ha1.json<ChildJson>("show ike vrf main child-sa");
      return c.childSas.find((x) => x.state === "installed");
    }, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: "the tunnel (an installed CHILD SA on ha1)",
      detail: async () => await logTail(ha1),
      clock,
    });
    const upSeconds = (clock.now() - committed) / 1000;
    say(`tunnel up ${upSeconds.toFixed(1)} s after the commit`);

    const count = opts.pingCount ?? 10;
    const pings: PingResult[] = [];
    for (const [from, to] of [["lan1", DEMO.lan2Host], ["lan2", DEMO.lan1Host]] as const) {
      const r = await ping(topo.ns(from), to, { count, intervalSeconds: 0.1 });
      pings.push(r);
      say(
        `ping ${from} -> ${to}: ${r.received}/${r.sent} replies` +
          (r.rtt ? `, rtt avg ${r.rtt.avg.toFixed(2)} ms` : r.error ? ` (${r.error})` : ""),
      );
    }
    let iperfMbps: number | null = null;
    if (haveProgram("iperf3")) {
      const seconds = opts.iperfSeconds ?? 3;
      const server = await iperf3Server(lab, topo.ns("lan2"), { name: "iperf3-lan2" });
      const r = await iperf3Client(topo.ns("lan1"), DEMO.lan2Host, { seconds });
      await server.process.status;
      iperfMbps = r.receivedMbps;
      say(`iperf3 TCP lan1 -> lan2, ${seconds} s: ${r.receivedMbps.toFixed(0)} Mbit/s`);
    } else {
      say("iperf3 is not installed: no throughput test");
    }

    for (const cmd of ["show ike vrf main ike-sa", "show ike vrf main child-sa"]) {
      print(`\nha1> ${cmd}\n${indent(await ha1.ok(cmd))}`);
    }
    const ours = {
      ike: (await ha1.json<IkeJson>("show ike vrf main ike-sa")).ikeSas[0]!,
      child: (await ha1.json<ChildJson>("show ike vrf main child-sa")).childSas
        .find((c) => c.spiIn === child.spiIn)!,
    };
    const theirs = await secgw.view(print);
    const summary = {
      childSpis: {
        tandem: [ours.child.spiIn, ours.child.spiOut] as [string, string],
        peer: [theirs.childOut, theirs.childIn] as [string, string],
      },
      ikeSpis: {
        tandem: [ours.ike.spiI, ours.ike.spiR] as [string, string],
        peer: [theirs.ikeI, theirs.ikeR] as [string, string],
      },
    };

    if (opts.keep) {
      print(`\nLeft running (--keep). Try, as root:`);
      print(`    ./tandem cli --socket ${ha1.socket}`);
      print(`    ip netns exec ${topo.ns("lan1")} ping ${DEMO.lan2Host}`);
      print(`    nsenter --net=/run/netns/${topo.ns("ha1")} ip addr`);
      print(`Ctrl-C tears it all down.`);
      await new Promise<void>((resolve) => interceptSignals(resolve));
      print("");
    }

    say("stopping the tandem daemon (SIGTERM: it deletes its SAs at the peer)");
    const stopped = await ha1.stop();
    const deleteSeenByPeer = await secgw.noSas();
    say(
      `daemon exited with status ${stopped.code}; ` +
        (deleteSeenByPeer
          ? `${secgw.name} has no SA left (the IKE Delete arrived)`
          : `${secgw.name} still has SAs (no Delete seen)`),
    );
    await lab.dispose();
    await Deno.remove(lab.runDir, { recursive: true });
    teardownDone = true;
    failed = false;
    say("namespaces removed; nothing left behind");

    const sent = pings.reduce((n, p) => n + p.sent, 0);
    const received = pings.reduce((n, p) => n + p.received, 0);
    const agree = summary.childSpis.tandem.join() === summary.childSpis.peer.join() &&
      summary.ikeSpis.tandem.join() === summary.ikeSpis.peer.join();
    print("\nSummary");
    print(`    tunnel up in ${upSeconds.toFixed(1)} s (Tandem initiating at commit)`);
    print(
      `    ping loss ${
        sent ? (100 * (sent - received) / sent).toFixed(0) : "100"
      } % (${received}/${sent} replies, both directions)`,
    );
    print(
      `    iperf3 ${
        iperfMbps === null ? "not run" : `${iperfMbps.toFixed(0)} Mbit/s (TCP, lan1 -> lan2)`
      }`,
    );
    print(
      `    SPIs ${agree ? "agree" : "DISAGREE"} with ${secgw.name}: CHILD SA in/out ` +
        `${summary.childSpis.tandem.join("/")} (${secgw.name} out/in ${
          summary.childSpis.peer.join("/")
        }), IKE SA ${summary.ikeSpis.tandem.join("/")}`,
    );
    print(`    teardown: IKE Delete ${deleteSeenByPeer ? "seen" : "NOT seen"} by ${secgw.name}`);
    return {
      peer: peerKind,
      tunnelUpSeconds: upSeconds,
      pingSent: sent,
      pingReceived: received,
      iperfMbps,
      ...summary,
      deleteSeenByPeer,
    };
  } finally {
    interceptSignals(undefined);
    if (!teardownDone) {
      say("tearing down");
      await lab.dispose();
      if (failed) say(`logs and configurations kept in ${lab.runDir}`);
    }
  }
}

/** The peer's view: SPIs of its CHILD SA (in, out) and IKE SA, and whether it has none. */
interface PeerView {
  readonly name: string;
  view(print: (l: string) => void): Promise<
    { childIn: string; childOut: string; ikeI: string; ikeR: string }
  >;
  noSas(): Promise<boolean>;
}

async function startPeer(
  lab: NetnsLab,
  topo: Topology,
  kind: PeerKind,
  say: (m: string) => void,
): Promise<PeerView> {
  const ns = topo.ns("secgw");
  if (kind === "strongswan") {
    const swan = await StrongSwanPeer.start(lab, { name: "secgw", ns, keepDir: true });
    await swan.load(secgwSwanctl());
    say(`strongSwan up in ${ns} (charon pid ${swan.pid}, kernel-libipsec userspace ESP)`);
    return {
      name: "strongSwan",
      async view(print) {
        const sas = await swan.listSas();
        const sa = sas[0]!;
        const c = sa.childSas.find((x) => x.state === "INSTALLED")!;
        print(`\nsecgw> swanctl --list-sas  (strongSwan's view, in short)`);
        print(
          `    ${sa.name}: ${sa.state}, ${sa.localHost} ${sa.localId} <-> ${sa.remoteHost} ` +
            `${sa.remoteId}, SPIs ${sa.initiatorSpi}_i ${sa.responderSpi}_r`,
        );
        print(
          `    ${c.name}: ${c.state}, ${c.mode}, SPIs ${c.spiIn}_i ${c.spiOut}_o, ` +
            `${c.packetsIn} packets in, ${c.packetsOut} out\n`,
        );
        return {
          childIn: c.spiIn,
          childOut: c.spiOut,
          ikeI: sa.initiatorSpi,
          ikeR: sa.responderSpi,
        };
      },
      async noSas() {
        try {
          await swan.waitForSas((s) => s.length === 0, { timeoutMs: 10_000 });
          return true;
        } catch {
          return false;
        }
      },
    };
  }
  const secgw = await TandemNode.start(lab, {
    name: "secgw",
    ns,
    startup: tandemStartup(demoNetwork("tandem"), "secgw", secgwIkeCommands()),
  });
  say(
    `second tandem daemon up in ${ns} (pid ${secgw.process.pid}), answering only (no remote-address)`,
  );
  return {
    name: "the Tandem SecGW",
    async view(print) {
      const cmd = "show ike vrf main child-sa";
      print(`\nsecgw> ${cmd}\n${indent(await secgw.ok(cmd))}\n`);
      const c = (await secgw.json<ChildJson>(cmd)).childSas.find((x) => x.state === "installed")!;
      const i = (await secgw.json<IkeJson>("show ike vrf main ike-sa")).ikeSas[0]!;
      return { childIn: c.spiIn, childOut: c.spiOut, ikeI: i.spiI, ikeR: i.spiR };
    },
    async noSas() {
      try {
        await waitFor(
          async () => (await secgw.json<IkeJson>("show ike vrf main ike-sa")).ikeSas.length === 0,
          {
            timeoutMs: 10_000,
            what: "SecGW's SAs to go",
          },
        );
        return true;
      } catch {
        return false;
      }
    },
  };
}
