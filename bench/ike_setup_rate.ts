/**
 * IKE SA setup rate (IKE_SA_INIT + IKE_AUTH + first CHILD SA) with Tandem
 * as the responder, next to strongSwan as the responder, in the same lab
 * and the same run. The initiator is always charon 5.9.8 in gateway B
 * (`dos_protection = no`, `reuse_ikesa = no`) loaded with N connections
 * `r0..rN-1` whose CHILD SA starts on load (`start_action = start`), so it
 * initiates all N at once; each CHILD has its own /32 on the responder's
 * side (`10.102.0.0/24 <=> 10.101.k.j/32`, the responder owns the /32s on
 * `lo`, as libipsec needs). The responder in gateway A is either charon
 * (one connection, `unique = never`) or the Tandem node
 * (`tests/ike_interop_node.ts`, log threshold `control` as the daemon's
 * default, no event forwarding, unique-sa `never`, DoS protection off).
 * Before the burst, `--warmup` SAs (default 400) are set up the same way
 * and stay up: the measured responder is warm and holds SAs already, as a
 * running gateway does. The JIT matters: after 100 warm-up SAs the Tandem
 * responder still spent ~60 % more CPU per SA than after 400.
 *
 * Rate: from the initiator's log timestamps, first `initiating IKE_SA` to
 * the last `CHILD_SA ... established` (STRONGSWAN.md §6's method). CPU:
 * user+system seconds of the responder process (and of the initiator)
 * from /proc around the run. Every measurement builds a fresh lab; the
 * two responders alternate within a round. Medians over the rounds.
 *
 * `sudo $DENO run -A bench/ike_setup_rate.ts [--n 200] [--warmup 400] [--rounds 3] [--profiles ref-noesn,gcm] [--quick]`
 * (`--profile`: a V8 CPU profile of the Tandem responder, by file and by function, on stderr).
 *
 * @module
 */
import { run, waitFor } from "../lab/command.ts";
import { NetnsLab } from "../lab/netns_lab.ts";
import { StrongSwanPeer } from "../lab/strongswan.ts";
import type { CharonOptions } from "../lab/strongswan_conf.ts";
import type { SwanConnection } from "../lab/swanctl_conf.ts";
import { resolvePair, swanPairTopology } from "../lab/swan_pair.ts";
import { buildTopology } from "../lab/topology.ts";
import { nodeVpn, type Profile, PROFILES, TandemNode } from "../tests/ike_interop_fixture.ts";

type Responder = "strongswan" | "tandem";

interface Run {
  profile: string;
  responder: Responder;
  n: number;
  established: number;
  seconds: number;
  rate: number;
  responderCpu: number;
  /** Of which system time (syscalls: sending and receiving over the veth). */
  responderSys: number;
  initiatorCpu: number;
  /** UDP datagrams the kernel dropped for a full receive buffer in the responder's namespace. */
  rcvbufErrors: number;
  retransmits: number;
}

const CLK_TCK = 100;

/** utime and stime of a process in seconds (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTimes(pid: number): [user: number, system: number] {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(f[11]) / CLK_TCK, Number(f[12]) / CLK_TCK];
}

const cpuSeconds = (pid: number) => cpuTimes(pid).reduce((a, b) => a + b, 0);

/** The /32 of connection `i` on the responder's side. */
const host = (i: number) => `10.101.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`;

/** Quiet enough not to cost much, loud enough for the lines the rate is read from. */
const CHARON: CharonOptions = {
  dosProtection: false,
  reuseIkesa: false,
  logLevels: { default: 0, ike: 1, chd: 0, cfg: 0, knl: 0, net: 0, enc: 0, esp: 0 },
};

/** `Udp: ... RcvbufErrors` of a namespace (/proc/net/snmp). */
async function rcvbufErrors(ns: string): Promise<number> {
  const snmp = (await run(["ip", "netns", "exec", ns, "cat", "/proc/net/snmp"])).stdout;
  const [head, values] = snmp.split("\n").filter((l) => l.startsWith("Udp:"));
  const i = head!.split(" ").indexOf("RcvbufErrors");
  return Number(values!.split(" ")[i]);
}

const stamp = (l: string) => Date.parse(l.slice(0, 23).replace(" ", "T"));

async function measure(p: Profile, responder: Responder, n: number, warmup: number): Promise<Run> {
  await using lab = new NetnsLab("ti");
  const r = resolvePair({ profile: p.swan });
  const topo = await buildTopology(lab, swanPairTopology(r));
  const [gwA, gwB] = [topo.ns(r.a.gw), topo.ns(r.b.gw)];
  const batch = Array.from({ length: n + warmup }, (_, i) => `addr add ${host(i)}/32 dev lo`).join(
    "\n",
  );
  await run(["ip", "-n", gwA, "-batch", "-"], true, { stdin: batch + "\n" });
  const ids = { local: { id: r.b.wan }, remote: { id: r.a.wan } };
  const secrets = [{ ids: [r.a.wan, r.b.wan], secret: r.psk }];
  const common = { proposals: [p.swan.ike], unique: "never" as const, mobike: false };

  let pid: number;
  let node: TandemNode | undefined;
  if (responder === "strongswan") {
    const a = await StrongSwanPeer.start(lab, { ...CHARON, name: "gwa", ns: gwA });
    await a.load({
      connections: [{
        name: "rate",
        localAddrs: [r.a.wan],
        remoteAddrs: [r.b.wan],
        local: { id: r.a.wan },
        remote: { id: r.b.wan },
        ...common,
        children: [{
          name: "c",
          localTs: ["10.101.0.0/16"],
          remoteTs: [r.b.ts],
          espProposals: [p.swan.esp],
        }],
      }],
      secrets,
    });
    pid = a.pid;
  } else {
    node = await TandemNode.start(lab, gwA, {
      local: r.a.wan,
      psk: r.psk,
      logLevel: "control",
      options: { dosProtection: false },
      vpns: [nodeVpn(r, p, { name: "rate", localTs: ["10.101.0.0/16"], uniqueSa: "never" })],
    });
    pid = node.pid;
  }

  const b = await StrongSwanPeer.start(lab, { ...CHARON, name: "gwb", ns: gwB });
  const conn = (prefix: string, i: number, k: number): SwanConnection => ({
    name: `${prefix}${i}`,
    localAddrs: [r.b.wan],
    remoteAddrs: [r.a.wan],
    ...ids,
    ...common,
    children: [{
      name: `${prefix === "r" ? "c" : "wc"}${i}`,
      localTs: [r.b.ts],
      remoteTs: [`${host(k)}/32`],
      espProposals: [p.swan.esp],
      startAction: "start",
    }],
  });
  const warm = Array.from({ length: warmup }, (_, i) => conn("w", i, n + i));
  const measured = Array.from({ length: n }, (_, i) => conn("r", i, i));
  const upTo = async (re: RegExp, count: number, from: number) => {
    let last = -1;
    let stalled = 0;
    await waitFor(async () => {
      const got = (await b.logLines()).slice(from).filter((l) => re.test(l)).length;
      if (got >= count) return true;
      stalled = got === last ? stalled + 1 : 0;
      last = got;
      return stalled >= 100; // 10 s without progress: report what got up
    }, { timeoutMs: 300_000, intervalMs: 100, what: `${count} CHILD SAs` });
  };
  // Warm-up SAs first (JIT-compiled responder, a table that is not empty), then the burst.
  if (warmup > 0) {
    await b.load({ connections: warm, secrets });
    await upTo(/CHILD_SA wc\d+\{\d+\} established/, warmup, 0);
  }
  const mark = (await b.logLines()).length;
  const profiling = node !== undefined && Deno.args.includes("--profile");
  if (profiling) await node!.call("profile", { start: true });
  const cpu0 = [cpuSeconds(pid), cpuSeconds(b.pid), cpuTimes(pid)[1]];
  await b.load({ connections: [...warm, ...measured], secrets });
  const done = /CHILD_SA c\d+\{\d+\} established/;
  await upTo(done, n, mark);
  const cpu1 = [cpuSeconds(pid), cpuSeconds(b.pid), cpuTimes(pid)[1]];
  if (profiling) {
    const prof = await node!.call("profile", { start: false });
    console.error(
      `--- ${p.name}: Tandem responder self time (ms) by file\n${
        (prof.files as string[]).join("\n")
      }\n--- by function\n${(prof.functions as string[]).join("\n")}`,
    );
  }
  const lines = (await b.logLines()).slice(mark);
  if (Deno.env.get("RATE_LOG")) Deno.writeTextFileSync(Deno.env.get("RATE_LOG")!, lines.join("\n"));
  const first = lines.find((l) => /initiating IKE_SA r\d+/.test(l));
  const ok = lines.filter((l) => done.test(l));
  const seconds = first && ok.length ? (stamp(ok[ok.length - 1]!) - stamp(first)) / 1000 : NaN;
  return {
    profile: p.name,
    responder,
    n,
    established: ok.length,
    seconds,
    rate: ok.length / seconds,
    responderCpu: cpu1[0]! - cpu0[0]!,
    responderSys: cpu1[2]! - cpu0[2]!,
    initiatorCpu: cpu1[1]! - cpu0[1]!,
    rcvbufErrors: await rcvbufErrors(gwA),
    retransmits: lines.filter((l) => /retransmit \d+ of request/.test(l)).length,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function arg(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && Deno.args[i + 1] ? Deno.args[i + 1]! : def;
}

if (import.meta.main) {
  if (Deno.uid() !== 0) {
    console.error("ike_setup_rate: needs root (network namespaces, charon)");
    Deno.exit(2);
  }
  const quick = Deno.args.includes("--quick");
  const n = Number(arg("n", quick ? "50" : "200"));
  const rounds = Number(arg("rounds", quick ? "1" : "3"));
  const warmup = Number(arg("warmup", quick ? "50" : "400"));
  const wanted = arg("profiles", "ref-noesn,gcm").split(",");
  const profiles = PROFILES.filter((p) => wanted.includes(p.name));
  const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  const runs: Run[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const p of profiles) {
      // Alternate which responder goes first, so that drift in the load hits both alike.
      const order: Responder[] = round % 2 ? ["tandem", "strongswan"] : ["strongswan", "tandem"];
      for (const who of order) {
        const res = await measure(p, who, n, warmup);
        runs.push(res);
        console.error(`round ${round + 1} load ${load()}: ${JSON.stringify(res)}`);
      }
    }
  }
  const rows = [
    "| profile | responder | established | SA/s (median, min–max) | responder CPU-s | SA per responder CPU-s | initiator CPU-s | ratio Tandem/strongSwan (SA/s) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const p of profiles) {
    const of = (who: Responder) => runs.filter((x) => x.profile === p.name && x.responder === who);
    const ratios = of("tandem").map((t, i) => t.rate / (of("strongswan")[i]?.rate ?? NaN));
    for (const who of ["strongswan", "tandem"] as const) {
      const rs = of(who);
      const rate = rs.map((x) => x.rate);
      rows.push(
        `| ${p.name} | ${who} | ${rs.map((x) => x.established).join(", ")} | ${
          median(rate).toFixed(0)
        } (${Math.min(...rate).toFixed(0)}–${Math.max(...rate).toFixed(0)}) | ${
          median(rs.map((x) => x.responderCpu)).toFixed(2)
        } | ${median(rs.map((x) => x.established / x.responderCpu)).toFixed(0)} | ${
          median(rs.map((x) => x.initiatorCpu)).toFixed(2)
        } | ${who === "tandem" ? median(ratios).toFixed(2) : ""} |`,
      );
    }
  }
  console.log(
    `N = ${n} after ${warmup} warm-up SAs, ${rounds} round(s), load at the end ${load()}\n`,
  );
  console.log(rows.join("\n"));
}
