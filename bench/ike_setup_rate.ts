/**
 * IKE SA setup rate (IKE_SA_INIT + IKE_AUTH + first CHILD SA) with Tandem
 * as the responder, next to strongSwan as the responder, in the same lab
 * and the same run. The initiator is always charon 5.9.8 in gateway B
 * (`dos_protection = no`, `reuse_ikesa = no`) loaded with N connections
 * `r0..rN-1` whose CHILD SA starts on load (`start_action = start`), so it
 * initiates all N at once; each CHILD has its own /32 on the responder's
 * side (`10.102.0.0/24 <=> 10.101.k.j/32`, the responder owns the /32s on
 * `lo`, as libipsec needs).
 *
 * Both responders in gateway A do the whole job of a gateway, dataplane
 * included:
 * - strongSwan: charon with kernel-libipsec (one connection,
 *   `unique = never`): every CHILD SA goes into libipsec's SAD/SPD, its
 *   routes into table 220 toward charon's TUN.
 * - Tandem: the real gateway process, `gateway/standalone.ts` (a
 *   `VrfGateway`: ESP dataplane, policy TUN `ipsec0`, UDP 500/4500 and raw
 *   ESP sockets), started as `./tandem daemon` runs (V8 `--no-lazy`), log
 *   threshold `control` (the daemon's default), DoS protection off,
 *   unique-sa `never`, no event lines on stdout: every CHILD SA is
 *   installed in the dataplane (SAs, policies, the route into the TUN,
 *   TUN MTU), as in normal operation.
 *
 * UDP receive buffers (read with `ss -m` after the run, `rb` in the
 * per-run line): Tandem asks for 4 MiB with `SO_RCVBUFFORCE` (`VrfIo`'s
 * default; the kernel reports twice that); charon keeps the system
 * default (`net.core.rmem_default`), as socket-default has no buffer
 * setting and the sysctl is read-only inside a namespace. The datagrams
 * the kernel dropped for a full buffer in A's namespace are counted per
 * run (`rcvbufErrors`).
 *
 * Before the burst, `--warmup` SAs (default 400) are set up the same way
 * and stay up: the measured responder is warm and holds SAs already, as a
 * running gateway does. The JIT matters: after 100 warm-up SAs a Tandem
 * responder still spent ~60 % more CPU per SA than after 400.
 *
 * Rate: from the initiator's log timestamps, first `initiating IKE_SA` to
 * the last `CHILD_SA ... established` (STRONGSWAN.md §6's method). CPU:
 * user+system seconds of the responder process (and of the initiator)
 * from /proc around the run. Every measurement builds a fresh lab; the
 * two responders alternate within a round. Medians over the rounds.
 *
 * `sudo $DENO run -A bench/ike_setup_rate.ts [--n 200] [--warmup 400] [--rounds 3] [--profiles ref-noesn,gcm] [--quick] [--profile]`
 * (`--profile`: a V8 CPU profile of the Tandem responder during the
 * burst, by file and by function, on stderr; the profiler's own session
 * shows as `ext:deno_node/inspector.js`).
 *
 * @module
 */
import { run, waitFor } from "../lab/command.ts";
import { NetnsLab } from "../lab/netns_lab.ts";
import { StrongSwanPeer } from "../lab/strongswan.ts";
import type { CharonOptions } from "../lab/strongswan_conf.ts";
import type { SwanConnection } from "../lab/swanctl_conf.ts";
import {
  resolvePair,
  SWAN_PROFILES,
  swanPairTopology,
  type SwanProfileName,
} from "../lab/swan_pair.ts";
import { DAEMON_DENO_FLAGS } from "../lab/tandem_node.ts";
import { buildTopology } from "../lab/topology.ts";
import { GatewayNode, TANDEM_PROFILES } from "../tests/gateway_node.ts";

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
  /** Smallest receive buffer (bytes, `ss -m` rb) of the responder's UDP 500/4500 sockets. */
  responderRcvbuf: number;
  retransmits: number;
  /** CHILD SAs in the responder's dataplane after the burst (warm-up ones included). */
  installed: number;
  /** The responder's route to the initiator's network (`ip route show table all`). */
  route: string;
  /** WARN/ERROR lines in the Tandem responder's log (0 for strongSwan). */
  warnings: number;
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

/** The smallest `rb` (receive buffer, bytes) of the UDP sockets on port 500 or 4500 in `ns`. */
async function ikeReceiveBuffer(ns: string): Promise<number> {
  const lines = (await run(["ip", "netns", "exec", ns, "ss", "-uamn"])).stdout.split("\n");
  const sizes: number[] = [];
  lines.forEach((l, i) => {
    const local = l.trim().split(/\s+/)[3] ?? "";
    const rb = /skmem:\(.*\brb(\d+)/.exec(lines[i + 1] ?? "");
    if (/:(500|4500)$/.test(local) && rb) sizes.push(Number(rb[1]));
  });
  return sizes.length ? Math.min(...sizes) : NaN;
}

const stamp = (l: string) => Date.parse(l.slice(0, 23).replace(" ", "T"));

async function measure(
  profile: SwanProfileName,
  responder: Responder,
  n: number,
  warmup: number,
): Promise<Run> {
  await using lab = new NetnsLab("ti");
  const swan = SWAN_PROFILES[profile];
  const r = resolvePair({ profile });
  const topo = await buildTopology(lab, swanPairTopology(r));
  const [gwA, gwB] = [topo.ns(r.a.gw), topo.ns(r.b.gw)];
  const batch = Array.from({ length: n + warmup }, (_, i) => `addr add ${host(i)}/32 dev lo`).join(
    "\n",
  );
  await run(["ip", "-n", gwA, "-batch", "-"], true, { stdin: batch + "\n" });
  const ids = { local: { id: r.b.wan }, remote: { id: r.a.wan } };
  const secrets = [{ ids: [r.a.wan, r.b.wan], secret: r.psk }];
  const common = { proposals: [swan.ike], unique: "never" as const, mobike: false };

  let pid: number;
  let installed: () => Promise<number>;
  let warnings = () => Promise.resolve(0);
  let tandemGw: GatewayNode | undefined;
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
          espProposals: [swan.esp],
        }],
      }],
      secrets,
    });
    pid = a.pid;
    installed = async () =>
      (await a.listSas()).flatMap((s) => s.childSas).filter((c) => c.state === "INSTALLED")
        .length;
  } else {
    const t = TANDEM_PROFILES[profile];
    const gw = await GatewayNode.start(lab, gwA, "tandem", {
      vrf: "a",
      addresses: [r.a.wan],
      psks: [{ ids: [r.a.wan, r.b.wan], secret: r.psk }],
      ike: { dosProtection: false },
      logLevel: "control",
      events: false,
      vpns: [{
        name: "rate",
        localAddress: r.a.wan,
        remoteAddress: r.b.wan,
        localId: r.a.wan,
        remoteId: r.b.wan,
        ike: { proposals: [t.ike], uniqueSa: "never" },
        children: [{
          name: "c",
          localTs: ["10.101.0.0/16"],
          remoteTs: [r.b.ts],
          proposals: [t.esp],
        }],
      }],
    }, { denoArgs: [...DAEMON_DENO_FLAGS] });
    pid = gw.pid;
    tandemGw = gw;
    installed = async () => {
      const sas = (await gw.call("sas")).sas as { direction: string }[];
      return sas.filter((s) => s.direction === "in").length;
    };
    warnings = async () => {
      const bad = (await Deno.readTextFile(gw.stderrPath)).split("\n")
        .filter((l) => / (WARN|ERROR): /.test(l));
      if (bad.length) console.error(`Tandem responder: ${bad.length} warnings, first: ${bad[0]}`);
      return bad.length;
    };
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
      espProposals: [swan.esp],
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
  const profiling = tandemGw !== undefined && Deno.args.includes("--profile");
  if (profiling) await tandemGw!.call("profile", { start: true });
  const cpu0 = [cpuSeconds(pid), cpuSeconds(b.pid), cpuTimes(pid)[1]];
  await b.load({ connections: [...warm, ...measured], secrets });
  const done = /CHILD_SA c\d+\{\d+\} established/;
  await upTo(done, n, mark);
  const cpu1 = [cpuSeconds(pid), cpuSeconds(b.pid), cpuTimes(pid)[1]];
  if (profiling) {
    const prof = await tandemGw!.call("profile", { start: false });
    console.error(
      `--- ${profile}: Tandem responder self time (ms) by file\n${
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
    profile,
    responder,
    n,
    established: ok.length,
    seconds,
    rate: ok.length / seconds,
    responderCpu: cpu1[0]! - cpu0[0]!,
    responderSys: cpu1[2]! - cpu0[2]!,
    initiatorCpu: cpu1[1]! - cpu0[1]!,
    rcvbufErrors: await rcvbufErrors(gwA),
    responderRcvbuf: await ikeReceiveBuffer(gwA),
    retransmits: lines.filter((l) => /retransmit \d+ of request/.test(l)).length,
    installed: await installed(),
    route: (await run(["ip", "-n", gwA, "route", "show", "table", "all", r.b.ts])).stdout.trim(),
    warnings: await warnings(),
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
  const profiles = (Object.keys(SWAN_PROFILES) as SwanProfileName[]).filter((p) =>
    wanted.includes(p)
  );
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
    const of = (who: Responder) => runs.filter((x) => x.profile === p && x.responder === who);
    const ratios = of("tandem").map((t, i) => t.rate / (of("strongswan")[i]?.rate ?? NaN));
    for (const who of ["strongswan", "tandem"] as const) {
      const rs = of(who);
      const rate = rs.map((x) => x.rate);
      rows.push(
        `| ${p} | ${who} | ${rs.map((x) => x.established).join(", ")} | ${
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
