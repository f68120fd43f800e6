/**
 * Traffic and measurement for the lab: `ping` with parsed statistics,
 * `iperf3` client/server with the JSON report parsed, and per-process CPU
 * time from `/proc/<pid>/stat` (utime + stime) so throughput can be given
 * per CPU-second, which varies far less than raw Mbit/s on a shared host.
 *
 * @module
 */
import { run, waitFor } from "./command.ts";
import type { LabProcess } from "./lab_process.ts";
import type { NetnsLab } from "./netns_lab.ts";

/** Options of {@linkcode ping}. */
export interface PingOptions {
  /** Echo requests to send (default 3). */
  count?: number;
  /** Seconds between requests (default 0.2). */
  intervalSeconds?: number;
  /** Seconds to wait for each reply (`-W`, default 2). */
  waitSeconds?: number;
  /** Overall deadline in seconds (`-w`). */
  deadlineSeconds?: number;
  /** Payload bytes (`-s`). */
  size?: number;
  /** Source address or interface (`-I`). */
  source?: string;
}

/** Round-trip times in milliseconds. */
export interface Rtt {
  min: number;
  avg: number;
  max: number;
  mdev: number;
}

/** What `ping` reported. */
export interface PingResult {
  sent: number;
  received: number;
  lossPercent: number;
  /** Absent when nothing came back. */
  rtt?: Rtt;
  /** Why ping sent nothing (e.g. "Network is unreachable"). */
  error?: string;
}

/** Parses the summary of iputils `ping`; undefined when there is none. */
export function parsePing(text: string): PingResult | undefined {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received,.*?([\d.]+)% packet loss/
    .exec(text);
  if (!m) return undefined;
  const res: PingResult = { sent: Number(m[1]), received: Number(m[2]), lossPercent: Number(m[3]) };
  const r = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(text);
  if (r) {
    res.rtt = { min: Number(r[1]), avg: Number(r[2]), max: Number(r[3]), mdev: Number(r[4]) };
  }
  return res;
}

/**
 * Pings `dst` from namespace `ns`. Lost replies and an unreachable
 * destination are results (see `error`), not exceptions.
 */
export async function ping(ns: string, dst: string, opts: PingOptions = {}): Promise<PingResult> {
  const args = [
    "ping",
    "-n",
    "-c",
    String(opts.count ?? 3),
    "-i",
    String(opts.intervalSeconds ?? 0.2),
    "-W",
    String(opts.waitSeconds ?? 2),
  ];
  if (opts.deadlineSeconds !== undefined) args.push("-w", String(opts.deadlineSeconds));
  if (opts.size !== undefined) args.push("-s", String(opts.size));
  if (opts.source !== undefined) args.push("-I", opts.source);
  const r = await run(["ip", "netns", "exec", ns, ...args, dst], false);
  return parsePing(r.stdout) ??
    { sent: 0, received: 0, lossPercent: 100, error: (r.stderr || r.stdout).trim() };
}

/** Options of {@linkcode iperf3Client}. */
export interface Iperf3Options {
  /** Test length in seconds (default 5). */
  seconds?: number;
  port?: number;
  udp?: boolean;
  /** Target bitrate (`-b`), e.g. `"100M"`; UDP defaults to 1 Mbit/s without it. */
  bitrate?: string;
  /** Server sends, client receives (`-R`). */
  reverse?: boolean;
  /** Parallel streams (`-P`). */
  parallel?: number;
  /** Buffer / datagram length (`-l`), e.g. `1400` or `"128K"`. */
  length?: number | string;
}

/** The summary of one iperf3 run. */
export interface Iperf3Result {
  seconds: number;
  sentMbps: number;
  receivedMbps: number;
  /** TCP only. */
  retransmits?: number;
  /** UDP only. */
  lostPercent?: number;
  jitterMs?: number;
  /** CPU use reported by iperf3 itself (percent of one core, may exceed 100). */
  cpuLocalPercent?: number;
  cpuRemotePercent?: number;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" ? v as Json : {});
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** Parses `iperf3 -J` output; throws with iperf3's own error text. */
export function parseIperf3(json: string): Iperf3Result {
  let doc: Json;
  try {
    doc = obj(JSON.parse(json));
  } catch {
    throw new Error(`Cannot parse iperf3 output: not JSON: ${json.slice(0, 200)}`);
  }
  if (typeof doc.error === "string") throw new Error(`iperf3 failed: ${doc.error}`);
  const end = obj(doc.end);
  const cpu = obj(end.cpu_utilization_percent);
  const isUdp = obj(obj(doc.start).test_start).protocol === "UDP";
  // UDP reports carry `sum` (older iperf3) and, from 3.x, `sum_sent`/`sum_received` too.
  const sent = obj(end.sum_sent ?? end.sum);
  const received = obj(end.sum_received ?? end.sum);
  const mbps = (o: Json) => (num(o.bits_per_second) ?? NaN) / 1e6;
  const res: Iperf3Result = {
    seconds: num(received.seconds) ?? NaN,
    sentMbps: mbps(sent),
    receivedMbps: mbps(received),
  };
  if (!isUdp && num(sent.retransmits) !== undefined) res.retransmits = num(sent.retransmits)!;
  if (isUdp) {
    res.lostPercent = num(received.lost_percent) ?? NaN;
    res.jitterMs = num(received.jitter_ms) ?? NaN;
  }
  if (num(cpu.host_total) !== undefined) res.cpuLocalPercent = num(cpu.host_total)!;
  if (num(cpu.remote_total) !== undefined) res.cpuRemotePercent = num(cpu.remote_total)!;
  if (Number.isNaN(res.receivedMbps)) throw new Error("Cannot parse iperf3 output: no summary");
  return res;
}

/** A running `iperf3 -s`. */
export interface Iperf3Server {
  readonly process: LabProcess;
  readonly ns: string;
  readonly port: number;
}

/**
 * Starts `iperf3 -s` in `ns` and returns once it listens. With `oneOff`
 * (default) it serves one test and exits.
 */
export async function iperf3Server(
  lab: NetnsLab,
  ns: string,
  opts: { bind?: string; port?: number; oneOff?: boolean; name?: string } = {},
): Promise<Iperf3Server> {
  const port = opts.port ?? 5201;
  const args = ["iperf3", "-s", "-p", String(port)];
  if (opts.oneOff ?? true) args.push("-1");
  if (opts.bind) args.push("-B", opts.bind);
  const process = lab.start(ns, args, {
    name: opts.name ?? `iperf3-s-${port}-${lab.namespaces.indexOf(ns)}`,
  });
  await waitFor(async () => {
    if (!process.running) {
      throw new Error(`iperf3 server in ${ns} exited: ${(await process.stderr()).trim()}`);
    }
    const r = await run(["ip", "netns", "exec", ns, "ss", "-Hltn", `sport = :${port}`], false);
    return r.stdout.trim() !== "";
  }, { timeoutMs: 5000, what: `iperf3 to listen on port ${port} in ${ns}`, clock: lab.clock });
  return { process, ns, port };
}

/** Runs an iperf3 client in `ns` against `server` and returns the parsed summary. */
export async function iperf3Client(
  ns: string,
  server: string,
  opts: Iperf3Options = {},
): Promise<Iperf3Result> {
  const args = ["iperf3", "-c", server, "-J", "-t", String(opts.seconds ?? 5)];
  if (opts.port !== undefined) args.push("-p", String(opts.port));
  if (opts.udp) args.push("-u");
  if (opts.bitrate !== undefined) args.push("-b", opts.bitrate);
  if (opts.reverse) args.push("-R");
  if (opts.parallel !== undefined) args.push("-P", String(opts.parallel));
  if (opts.length !== undefined) args.push("-l", String(opts.length));
  const r = await run(["ip", "netns", "exec", ns, ...args], false);
  return parseIperf3(r.stdout || r.stderr);
}

/** utime, stime and start time of a process, in clock ticks. */
export interface ProcStat {
  utime: number;
  stime: number;
  startTime: number;
}

/** Parses `/proc/<pid>/stat` (the command name may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  // Fields after the name start at field 3 (state); utime is 14, stime 15, starttime 22.
  const f = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const startTime = Number(f[19]);
  if (![utime, stime, startTime].every(Number.isFinite)) return undefined;
  return { utime, stime, startTime };
}

let clockTicks: number | undefined;

/** `sysconf(_SC_CLK_TCK)`: the unit of /proc times (100 on Linux). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stderr: "null" }).outputSync();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    clockTicks = out.success && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = parseProcStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  if (!stat) throw new Error(`Cannot parse /proc/${pid}/stat`);
  return (stat.utime + stat.stime) / clockTicksPerSecond();
}

/**
 * Measures the CPU seconds a set of processes spends from now on:
 * `const m = cpuMeter([a, b]); ...; m.elapsed()`.
 */
export function cpuMeter(pids: number[]): { elapsed(): number } {
  const start = pids.map(cpuSeconds);
  return {
    elapsed: () => pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - start[i]!, 0),
  };
}

/** Megabits moved per CPU-second: received Mbit/s x seconds / CPU seconds. */
export function mbitPerCpuSecond(result: Iperf3Result, cpuSecondsUsed: number): number {
  return cpuSecondsUsed > 0 ? (result.receivedMbps * result.seconds) / cpuSecondsUsed : NaN;
}
