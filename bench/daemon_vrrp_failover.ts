/**
 * Whether `tandem daemon` should run with V8's `--no-lazy` (compile every
 * function at start, as the standalone VRRP runner does) for its VRRP
 * takeovers: the same rounds with and without it, alternating, each with
 * a fresh daemon process (its first takeover is the cold one).
 *
 * One round, on one bridged LAN (the daemon's node `t`, keepalived 2.2.7
 * on node `ka`, VRRPv3 at 1 s, tcpdump on ka's link: kernel timestamps):
 *
 * 1. keepalived (priority 200) is master; the daemon (priority 100)
 *    starts and follows it. **Start**: spawn → the daemon answers;
 *    **RSS** after start.
 * 2. keepalived stops gracefully (priority 0). **Takeover**: its
 *    priority-0 advert → the daemon's first advert as master, on the wire,
 *    minus the daemon's Skew_Time (609.375 ms at priority 100, RFC 5798
 *    §6.1): the time the daemon took to notice and act.
 * 3. keepalived returns at priority 50 (backup); the daemon gets SIGTERM.
 *    **Resign**: SIGTERM → the daemon's priority-0 advert on the wire.
 *
 * Run as root: `deno run -A bench/daemon_vrrp_failover.ts [--rounds 5]`.
 *
 * @module
 */
import { waitFor } from "../lab/command.ts";
import { NetnsLab } from "../lab/netns_lab.ts";
import { realtimeMs } from "../kernel/mod.ts";
import { DaemonNode } from "../tests/daemon_vrrp_lab.ts";
import { startKeepalived } from "../tests/vrrp_lab.ts";

const SKEW_MS = ((256 - 100) * 1000) / 256;
const KA = { iface: "eth0", vrid: 1, advertInt: 1, vips: ["10.100.0.2/24"] };
const CONFIG = [
  "vrf main interface physical eth1 ipv4 address 10.22.0.1/24",
  "vrf main interface vrrp vrrp51 link-interface eth1 vrid 1 virtual-address 10.100.0.2/24",
].map((l) => `/ ${l}\n`).join("");

function option(name: string, def: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] ?? def : def;
}

/** `1764257502.298123 IP 10.22.0.9 > 224.0.0.18: VRRPv3, Advertisement, vrid 1, prio 200, …` */
function adverts(text: string): { t: number; src: string; prio: number }[] {
  const out: { t: number; src: string; prio: number }[] = [];
  for (const m of text.matchAll(/^(\d+\.\d+) IP ([\d.]+) > 224\.0\.0\.18: VRRPv3.*prio (\d+)/gm)) {
    out.push({ t: Number(m[1]) * 1000, src: m[2]!, prio: Number(m[3]) });
  }
  return out;
}

interface Sample {
  startMs: number;
  rssMb: number;
  takeoverMs: number;
  resignMs: number;
}

async function round(lab: NetnsLab, ns: string, kaNs: string, flags: string[], tag: string) {
  const dump = lab.start(
    kaNs,
    ["tcpdump", "-i", "eth0", "-n", "-tt", "-l", "--immediate-mode", "ip proto 112"],
    { name: `tcpdump-${tag}` },
  );
  const node = new DaemonNode(lab, `t${tag}`, ns);
  const ka = startKeepalived(lab, kaNs, { ...KA, priority: 200 }, `keepalived-${tag}-a`);
  let ka2: ReturnType<typeof startKeepalived> | undefined;
  try {
    await ka.waitLog(/Entering MASTER STATE/, "MASTER");
    const spawned = realtimeMs();
    await node.start(CONFIG, { denoFlags: flags });
    const startMs = realtimeMs() - spawned;
    const status = await Deno.readTextFile(`/proc/${node.daemon.pid}/status`);
    const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    await node.waitInstances(
      "following keepalived",
      (i) => i["vrrp51"]?.state === "backup" && (i["vrrp51"].counters.advertsReceived ?? 0) >= 2,
    );

    await ka.term();
    await node.waitStates("master", ["vrrp51"]);
    const took = await waitFor(() => {
      return dump.stdout().then((text) => {
        const all = adverts(text);
        const zero = all.find((a) => a.src === "10.22.0.9" && a.prio === 0);
        const first = zero && all.find((a) => a.src === "10.22.0.1" && a.t > zero.t);
        return first && zero ? first.t - zero.t : undefined;
      });
    }, { timeoutMs: 10_000, what: "the takeover in the capture" });

    ka2 = startKeepalived(lab, kaNs, { ...KA, priority: 50 }, `keepalived-${tag}-b`);
    await ka2.waitLog(/Entering BACKUP STATE/, "BACKUP");
    const t1 = realtimeMs();
    node.daemon.signal("SIGTERM");
    const resign = await waitFor(() => {
      return dump.stdout().then((text) => {
        const z = adverts(text).find((a) => a.src === "10.22.0.1" && a.prio === 0 && a.t > t1);
        return z ? z.t - t1 : undefined;
      });
    }, { timeoutMs: 10_000, what: "the daemon's priority 0 in the capture" });
    await node.daemon.status;
    return { startMs, rssMb, takeoverMs: took - SKEW_MS, resignMs: resign } satisfies Sample;
  } finally {
    await node.proc?.stop({ timeoutMs: 10_000 });
    await ka2?.proc.stop({ timeoutMs: 5000 });
    await ka.proc.stop({ timeoutMs: 5000 });
    await dump.stop();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (xs: number[], digits: number) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${
    Math.max(...xs).toFixed(digits)
  })`;

if (import.meta.main) {
  if (Deno.uid() !== 0) {
    console.error("daemon_vrrp_failover: needs root (network namespaces)");
    Deno.exit(2);
  }
  const rounds = Number(option("rounds", "5"));
  await using lab = new NetnsLab("tw");
  const ns = await lab.netns("t");
  const kaNs = await lab.netns("ka");
  await lab.segment("lan1", [[ns, "eth1"], [kaNs, "eth0", "10.22.0.9/24"]]);
  const modes: Record<string, string[]> = { lazy: [], "--no-lazy": ["--v8-flags=--no-lazy"] };
  const results: Record<string, Sample[]> = { lazy: [], "--no-lazy": [] };
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [mode, flags] of Object.entries(modes)) {
      const s = await round(lab, ns, kaNs, flags, `${n++}`);
      results[mode]!.push(s);
      console.error(
        `${mode} round ${r + 1}: start ${s.startMs.toFixed(0)} ms, RSS ${s.rssMb.toFixed(0)} MB, ` +
          `takeover +${s.takeoverMs.toFixed(2)} ms over skew, resign ${s.resignMs.toFixed(2)} ms`,
      );
    }
  }
  console.log(`\ntandem daemon, lazy vs --no-lazy, ${rounds} rounds, median (min–max)\n`);
  console.log(
    "| V8 | daemon start (ms) | RSS after start (MB) | cold takeover: after Skew_Time (ms) | " +
      "SIGTERM → priority 0 (ms) |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const [mode, s] of Object.entries(results)) {
    console.log(
      `| ${mode} | ${fmt(s.map((x) => x.startMs), 0)} | ${fmt(s.map((x) => x.rssMb), 0)} | ` +
        `${fmt(s.map((x) => x.takeoverMs), 2)} | ${fmt(s.map((x) => x.resignMs), 2)} |`,
    );
  }
}
