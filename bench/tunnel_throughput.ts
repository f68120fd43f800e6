/**
 * Tunnel throughput, one command: iperf3 TCP from host A to host B through
 * an IPsec tunnel between gateways A and B (the lab's swan-pair topology),
 * for three pairs built side by side and measured in interleaved rounds
 * (so load from other work on the machine hits each alike):
 *
 * - strongSwan ↔ strongSwan (charon + kernel-libipsec, the reference),
 * - Tandem ↔ strongSwan (Tandem on A: `gateway/standalone.ts`),
 * - Tandem ↔ Tandem,
 *
 * for the reference proposal (aes128-sha1 / modp1024, `ref-noesn`) and
 * AES-GCM (aes256gcm16 / x25519, `gcm`). Reported: receiver Mbit/s, the
 * CPU seconds of each gateway process (utime + stime from /proc), Mbit per
 * CPU-second of each and of both together, the ratios to strongSwan ↔
 * strongSwan, and how busy the whole machine was (/proc/stat).
 *
 * strongSwan's libipsec always encapsulates ESP in UDP (it fakes a NAT);
 * two Tandem gateways see no NAT and use raw ESP (IP protocol 50).
 *
 *   sudo deno run -A bench/tunnel_throughput.ts [--runs 3] [--seconds 8] [--profiles ref-noesn,gcm]
 *        [--setups swan,tandem-swan,tandem] [--reverse]
 *
 * `--reverse` sends from B to A (Tandem decrypts in Tandem ↔ strongSwan).
 *
 * @module
 */
import { sleep } from "../lab/command.ts";
import { NetnsLab } from "../lab/netns_lab.ts";
import {
  pairUp,
  peerUp,
  resolvePair,
  type SwanPairResolved,
  swanPairTopology,
  type SwanProfileName,
} from "../lab/swan_pair.ts";
import { buildTopology } from "../lab/topology.ts";
import { cpuSeconds, iperf3Client, iperf3Server, ping } from "../lab/traffic.ts";
import { GatewayNode, pairGatewayConfig } from "../tests/gateway_node.ts";

type Setup = "swan" | "tandem-swan" | "tandem";

const LABEL: Record<Setup, string> = {
  swan: "strongSwan ↔ strongSwan",
  "tandem-swan": "Tandem ↔ strongSwan",
  tandem: "Tandem ↔ Tandem",
};

function arg(name: string, def: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 && Deno.args[i + 1] !== undefined ? Deno.args[i + 1]! : def;
}

const RUNS = Number(arg("--runs", "3"));
const SECONDS = Number(arg("--seconds", "8"));
const PROFILES = arg("--profiles", "ref-noesn,gcm").split(",") as SwanProfileName[];
const SETUPS = arg("--setups", "swan,tandem-swan,tandem").split(",") as Setup[];
const REVERSE = Deno.args.includes("--reverse");

/** A tunnel that is up, with the gateway processes to meter. */
interface Tunnel {
  readonly setup: Setup;
  readonly profile: SwanProfileName;
  readonly params: SwanPairResolved;
  readonly hostA: string;
  readonly hostB: string;
  readonly pids: number[];
  readonly names: string[];
}

interface Run {
  mbps: number;
  cpu: number[];
  retransmits: number;
  /** Share of the machine's CPU time that was busy during the run (all cores). */
  busy: number;
}

/** Busy and total jiffies of all CPUs from /proc/stat. */
function cpuTimes(): { busy: number; total: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

async function bringUp(lab: NetnsLab, setup: Setup, profile: SwanProfileName): Promise<Tunnel> {
  if (setup === "swan") {
    const pair = await pairUp(lab, { profile });
    await pair.a.initiate({ child: pair.params.child });
    return {
      setup,
      profile,
      params: pair.params,
      hostA: pair.hostA,
      hostB: pair.hostB,
      pids: [pair.a.pid, pair.b.pid],
      names: ["charon A", "charon B"],
    };
  }
  const installed = (n: GatewayNode) =>
    n.until((l) => l.child.some((c) => c.state === "installed"), "the CHILD SA", 30_000);
  const tandem = (ns: string, name: string, params: SwanPairResolved, me: "a" | "b") =>
    GatewayNode.start(
      lab,
      ns,
      name,
      pairGatewayConfig(params, me, profile, { initiate: me === "a", logLevel: "audit" }),
    );
  if (setup === "tandem-swan") {
    const pair = await peerUp(lab, { profile });
    const a = await tandem(pair.gwA, "tandem-a", pair.params, "a");
    await installed(a);
    await pair.b.waitForSas((s) => s[0]?.childSas.some((c) => c.state === "INSTALLED") ?? false);
    return {
      setup,
      profile,
      params: pair.params,
      hostA: pair.hostA,
      hostB: pair.hostB,
      pids: [a.pid, pair.b.pid],
      names: ["Tandem A", "charon B"],
    };
  }
  const params = resolvePair({ profile });
  const topo = await buildTopology(lab, swanPairTopology(params));
  const b = await tandem(topo.ns(params.b.gw), "tandem-b", params, "b");
  const a = await tandem(topo.ns(params.a.gw), "tandem-a", params, "a");
  await installed(a);
  await installed(b);
  return {
    setup,
    profile,
    params,
    hostA: topo.ns(params.a.host),
    hostB: topo.ns(params.b.host),
    pids: [a.pid, b.pid],
    names: ["Tandem A", "Tandem B"],
  };
}

async function measure(lab: NetnsLab, t: Tunnel, port: number): Promise<Run> {
  const [client, serverNs, target] = REVERSE
    ? [t.hostB, t.hostA, t.params.a.hostAddr]
    : [t.hostA, t.hostB, t.params.b.hostAddr];
  const server = await iperf3Server(lab, serverNs, {
    port,
    name: `iperf3-${t.setup}-${t.profile}-${port}`,
  });
  const before = t.pids.map(cpuSeconds);
  const m0 = cpuTimes();
  const r = await iperf3Client(client, target, { seconds: SECONDS, port });
  const m1 = cpuTimes();
  const cpu = t.pids.map((p, i) => cpuSeconds(p) - before[i]!);
  await server.process.status;
  const busy = (m1.busy - m0.busy) / (m1.total - m0.total);
  return { mbps: r.receivedMbps, cpu, retransmits: r.retransmits ?? 0, busy };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (x: number) => x.toFixed(0);
const range = (xs: number[]) =>
  `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

async function main(): Promise<void> {
  if (Deno.uid() !== 0) {
    console.error("bench/tunnel_throughput.ts needs root (network namespaces, charon)");
    Deno.exit(2);
  }
  const load0 = Deno.loadavg()[0]!.toFixed(1);
  const tables: string[] = [];
  for (const profile of PROFILES) {
    const labs: NetnsLab[] = [];
    try {
      const tunnels: Tunnel[] = [];
      for (const setup of SETUPS) {
        const lab = new NetnsLab("tb");
        labs.push(lab);
        tunnels.push(await bringUp(lab, setup, profile));
      }
      for (const [i, t] of tunnels.entries()) {
        const r = await ping(t.hostA, t.params.b.hostAddr, { count: 3, intervalSeconds: 0.1 });
        if (r.received === 0) throw new Error(`${LABEL[t.setup]}: no ping through the tunnel`);
        await sleep(100 + i);
      }
      const runs = new Map<Setup, Run[]>(SETUPS.map((s) => [s, []]));
      for (let round = 0; round < RUNS; round++) {
        for (const [i, t] of tunnels.entries()) {
          const run = await measure(labs[i]!, t, 5201 + round);
          runs.get(t.setup)!.push(run);
          const per = (run.mbps * SECONDS) / run.cpu.reduce((a, b) => a + b, 0);
          console.error(
            `${profile} round ${round + 1} ${LABEL[t.setup]}: ${fmt(run.mbps)} Mbit/s, CPU ${
              t.names.map((n, j) => `${n} ${run.cpu[j]!.toFixed(2)} s`).join(", ")
            }, ${fmt(per)} Mbit/CPU-s, ${run.retransmits} retransmits`,
          );
        }
      }
      const ref = runs.get("swan");
      const refMbps = ref ? median(ref.map((r) => r.mbps)) : NaN;
      const refPer = ref
        ? median(ref.map((r) => (r.mbps * SECONDS) / r.cpu.reduce((a, b) => a + b, 0)))
        : NaN;
      const rows = tunnels.map((t) => {
        const rs = runs.get(t.setup)!;
        const mbps = rs.map((r) => r.mbps);
        const per = rs.map((r) => (r.mbps * SECONDS) / r.cpu.reduce((a, b) => a + b, 0));
        const cpuA = median(rs.map((r) => r.cpu[0]!));
        const cpuB = median(rs.map((r) => r.cpu[1]!));
        const perA = median(rs.map((r) => (r.mbps * SECONDS) / r.cpu[0]!));
        const perB = median(rs.map((r) => (r.mbps * SECONDS) / r.cpu[1]!));
        const busy = median(rs.map((r) => r.busy * 100));
        return `| ${LABEL[t.setup]} | ${range(mbps)} | ${cpuA.toFixed(2)} / ${cpuB.toFixed(2)} | ${
          fmt(perA)
        } / ${fmt(perB)} | ${range(per)} | ${(median(mbps) / refMbps).toFixed(2)} | ${
          (median(per) / refPer).toFixed(2)
        } | ${fmt(busy)} % |`;
      });
      tables.push(
        [
          `${profile} (${t0(profile)}), ${REVERSE ? "B → A" : "A → B"}, ${RUNS} × ${SECONDS} s:`,
          "",
          "| tunnel | Mbit/s | CPU-s A / B | Mbit per CPU-s of A / B | Mbit per CPU-s (A+B) | ratio Mbit/s | ratio Mbit/CPU-s | machine busy |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
          ...rows,
        ].join("\n"),
      );
    } finally {
      for (const lab of labs.reverse()) await lab.dispose().catch((e) => console.error(e));
    }
  }
  const load1 = Deno.loadavg()[0]!.toFixed(1);
  console.log(`Load average ${load0} at start, ${load1} at end.\n`);
  console.log(tables.join("\n\n"));
}

function t0(p: SwanProfileName): string {
  return p === "gcm"
    ? "aes256gcm16-prfsha256-x25519 / aes256gcm16"
    : "aes128-sha1-modp1024 / aes128-sha1";
}

if (import.meta.main) await main();
