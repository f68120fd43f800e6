/**
 * VRRP failover times, Tandem against keepalived 2.2.7 on the same bench
 * in the same run: routers `a` (priority 200, master) and `b` (priority
 * 100, backup) and a LAN host `h` on one bridge (`tests/vrrp_lab.ts`). The
 * master is stopped at t0 and the clock runs until
 *
 * - **LAN host**: the host's first echo reply from the new master (an ICMP
 *   prober, `vrrp_probe.ts`, sends every 1 ms and keeps the kernel's
 *   receive timestamps; the first reply after the gap), and
 * - **backup**: the backup's first advert as master, on the wire (tcpdump
 *   on the host: kernel timestamps, the same probe for both programs).
 *
 * The backup's **reaction** is its first advert after the master's last
 * advert (hard) or after the master's priority-0 advert (graceful): the
 * Master_Down_Interval / Skew_Time it waited plus everything it took to
 * notice and act, without the random phase of the stop within an
 * advertisement interval. It compares the two programs as backups.
 *
 * Stops: **hard** = the master node dies (its LAN link is cut over netlink
 * at t0, its processes are killed right after: no priority-0 advert, the
 * backup waits out Master_Down_Interval); **graceful** = SIGTERM at t0
 * (priority-0 advert, the backup takes over after its skew time).
 * Pairs (master → backup): keepalived → keepalived (the baseline),
 * keepalived → Tandem (Tandem as backup), Tandem → Tandem, Tandem →
 * keepalived; advertisement intervals 1 s and 100 ms. Prints medians
 * (min–max) over the rounds and each median's ratio to keepalived →
 * keepalived's.
 *
 * Run as root: `deno run -A bench/vrrp_failover.ts [--rounds 5]
 * [--intervals 1000,100] [--pairs ka-ka,ka-tandem,tandem-tandem,tandem-ka]
 * [--modes hard,graceful]`
 *
 * @module
 */
import { waitFor } from "../lab/command.ts";
import type { LabProcess } from "../lab/lab_process.ts";
import { Netns, realtimeMs, Rtnl } from "../kernel/mod.ts";
import { type EchoReply, IcmpProber } from "./vrrp_probe.ts";
import {
  type KeepalivedNode,
  lanAddress,
  oneInstance,
  type Router,
  type TandemNode,
  VrrpLan,
} from "../tests/vrrp_lab.ts";

type Impl = "ka" | "tandem";
type Mode = "hard" | "graceful";
type Node = { kind: "ka"; n: KeepalivedNode } | { kind: "tandem"; n: TandemNode };

const VIP = lanAddress(4, 0, 10);
const VMAC = "00:00:5e:00:01:4f";

function option(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] ?? def : def;
}

const rounds = Number(option("rounds", "5"));
const intervals = option("intervals", "1000,100").split(",").map(Number);
const pairs = option("pairs", "ka-ka,ka-tandem,tandem-tandem,tandem-ka").split(",")
  .map((p) => p.split("-") as [Impl, Impl]);
const modes = option("modes", "hard,graceful").split(",") as Mode[];

async function start(
  lan: VrrpLan,
  who: Router,
  impl: Impl,
  priority: number,
  intervalMs: number,
  tag: string,
): Promise<Node> {
  if (impl === "tandem") {
    const cfg = oneInstance({ priority, advertisementInterval: intervalMs });
    return { kind: "tandem", n: await lan.tandem(who, cfg, `tandem-${who}-${tag}`) };
  }
  const n = lan.keepalived(who, {
    vrid: 79,
    priority,
    advertInt: intervalMs / 1000,
    vips: [`${VIP}/24`],
  });
  return { kind: "ka", n };
}

async function waitRole(node: Node, role: "master" | "backup"): Promise<void> {
  if (node.kind === "tandem") await node.n.waitState("vr79", role);
  else await node.n.waitLog(new RegExp(`Entering ${role.toUpperCase()} STATE`), role);
}

/** The first reply after t0 that follows a lost request: the new master's. */
function firstReplyAfterGap(replies: readonly EchoReply[], t0: number): number | undefined {
  const before = replies.filter((r) => r.t <= t0).at(-1);
  const after = replies.filter((r) => r.t > t0);
  let prev = before?.seq;
  for (const r of after) {
    if (prev !== undefined && r.seq > prev + 1) return r.t;
    prev = r.seq;
  }
  return undefined;
}

/** `1764257502.298123 IP 10.79.0.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 79, prio 200, …` */
function adverts(text: string): { t: number; src: string; prio: number }[] {
  const out: { t: number; src: string; prio: number }[] = [];
  for (const m of text.matchAll(/^(\d+\.\d+) IP ([\d.]+) > 224\.0\.0\.18: VRRPv3.*prio (\d+)/gm)) {
    out.push({ t: Number(m[1]) * 1000, src: m[2]!, prio: Number(m[3]) });
  }
  return out;
}

async function cleanRouter(lan: VrrpLan, who: Router): Promise<void> {
  await lan.exec(who, ["ip", "link", "set", "eth0", "up"]);
  await lan.exec(who, ["ip", "addr", "del", `${VIP}/24`, "dev", "eth0"], false);
  await lan.exec(who, ["ip", "link", "del", "vr79"], false);
}

/** One round's times, ms. */
interface Sample {
  /** t0 → the LAN host's first echo reply from the new master. */
  host: number;
  /** t0 → the backup's first advert as master, on the wire. */
  wire: number;
  /** The master's last advert (hard) or its priority-0 advert (graceful) → the backup's first. */
  reaction: number;
  /** Graceful: t0 (SIGTERM) → the priority-0 advert on the wire. */
  resign?: number;
}

async function round(
  lan: VrrpLan,
  pair: [Impl, Impl],
  intervalMs: number,
  mode: Mode,
  tag: string,
): Promise<Sample> {
  const dump = lan.lab.start(
    lan.ns.h,
    ["tcpdump", "-i", "eth0", "-n", "-tt", "-l", "--immediate-mode", "ip proto 112"],
    { name: `tcpdump-${tag}` },
  );
  const procs: LabProcess[] = [dump];
  const prober = new IcmpProber(lan.ns.h, VIP);
  try {
    const master = await start(lan, "a", pair[0], 200, intervalMs, tag);
    procs.push(master.n.proc);
    await waitRole(master, "master");
    const backup = await start(lan, "b", pair[1], 100, intervalMs, tag);
    procs.push(backup.n.proc);
    await waitRole(backup, "backup");
    if (backup.kind === "tandem") await backup.n.waitFollowing("vr79", "10.79.0.1", 2);
    else await new Promise((r) => setTimeout(r, 3 * intervalMs));
    await lan.exec("h", ["ip", "neigh", "flush", "dev", "eth0"]);
    prober.start();
    await waitFor(() => prober.replies.length > 20, {
      timeoutMs: 10_000,
      what: "echo replies from the master",
    });
    let t0: number;
    if (mode === "hard") {
      using nl = Rtnl.open(Netns.named(lan.ns.a));
      t0 = realtimeMs();
      await nl.links.setDown("eth0");
      await master.n.crash();
    } else {
      t0 = realtimeMs();
      master.n.proc.signal("SIGTERM");
    }
    await waitRole(backup, "master");
    const newMac = backup.kind === "tandem" ? VMAC : await lan.mac("b");
    await waitFor(async () => {
      return firstReplyAfterGap(prober.replies, t0) !== undefined &&
        (await lan.hostNeighbour(VIP)) === newMac;
    }, { timeoutMs: 20_000, what: "echo replies from the new master", intervalMs: 50 });
    const host = firstReplyAfterGap(prober.replies, t0)! - t0;
    const fromB = await waitFor(
      async () => adverts(await dump.stdout()).find((a) => a.src === "10.79.0.2" && a.t > t0),
      { timeoutMs: 10_000, what: "the new master's advert in the capture" },
    );
    const fromA = adverts(await dump.stdout()).filter((a) => a.src === "10.79.0.1");
    const wire = fromB.t - t0;
    if (mode === "hard") {
      const last = fromA.filter((a) => a.t <= t0).at(-1);
      if (!last) throw new Error(`round ${tag}: no advert from the master before t0`);
      return { host, wire, reaction: fromB.t - last.t };
    }
    const zero = fromA.find((a) => a.prio === 0 && a.t > t0);
    if (!zero) throw new Error(`round ${tag}: no priority-0 advert seen`);
    return { host, wire, reaction: fromB.t - zero.t, resign: zero.t - t0 };
  } finally {
    await prober.stop();
    for (const p of procs.reverse()) await p.stop({ timeoutMs: 5000 });
    await cleanRouter(lan, "a");
    await cleanRouter(lan, "b");
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (xs: number[]) =>
  `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const NAMES: Record<Impl, string> = { ka: "keepalived", tandem: "Tandem" };

if (import.meta.main) {
  if (Deno.uid() !== 0) {
    console.error("vrrp_failover: needs root (network namespaces)");
    Deno.exit(2);
  }
  const results = new Map<string, Sample[]>();
  await using lan = await VrrpLan.create();
  let n = 0;
  for (const intervalMs of intervals) {
    for (const mode of modes) {
      for (const pair of pairs) {
        const key = `${pair.join("-")}/${intervalMs}/${mode}`;
        for (let r = 0; r < rounds; r++) {
          const s = await round(lan, pair, intervalMs, mode, `${n++}`);
          (results.get(key) ?? results.set(key, []).get(key)!).push(s);
          console.error(
            `${key} round ${r + 1}: host ${s.host.toFixed(1)} ms, wire ${s.wire.toFixed(1)} ms, ` +
              `reaction ${s.reaction.toFixed(1)} ms` +
              (s.resign === undefined ? "" : `, resign ${s.resign.toFixed(1)} ms`),
          );
        }
      }
    }
  }
  console.log(
    `\nVRRP failover, ${rounds} rounds each, median (min–max) ms from the master's stop\n`,
  );
  console.log(
    "| master → backup | advert interval | stop | LAN host: first echo reply | " +
      "backup: first advert as master | backup reaction (after the master's last / priority-0 advert) | " +
      "master: priority 0 after SIGTERM | host vs keepalived | reaction vs keepalived |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  const ratio = (xs: number[], base: number[] | undefined) =>
    base ? (median(xs) / median(base)).toFixed(3) : "–";
  for (const intervalMs of intervals) {
    for (const mode of modes) {
      const base = results.get(`ka-ka/${intervalMs}/${mode}`);
      for (const pair of pairs) {
        const s = results.get(`${pair.join("-")}/${intervalMs}/${mode}`)!;
        const pick = (f: (x: Sample) => number | undefined) =>
          s.map(f).filter((x): x is number => x !== undefined);
        const resign = pick((x) => x.resign);
        console.log(
          `| ${NAMES[pair[0]]} → ${NAMES[pair[1]]} | ${intervalMs} ms | ${mode} | ` +
            `${fmt(pick((x) => x.host))} | ${fmt(pick((x) => x.wire))} | ` +
            `${fmt(pick((x) => x.reaction))} | ${resign.length ? fmt(resign) : "–"} | ` +
            `${ratio(pick((x) => x.host), base?.map((x) => x.host))} | ` +
            `${ratio(pick((x) => x.reaction), base?.map((x) => x.reaction))} |`,
        );
      }
    }
  }
}
