/**
 * One VRF's gateway as a process, for tests and benchmarks until the
 * daemon exists: `deno run -A gateway/standalone.ts --config gw.json`
 * runs a {@linkcode VrfGateway} in the current network namespace
 * (`ip netns exec <ns> …`), configured by the JSON file
 * (`standalone_config.ts`).
 *
 * - stdout: one JSON object per line. `{"event":"ready",…}` once running;
 *   `{"event":"<name>","data":{…}}` for IKE and ESP events (summaries: no
 *   key material ever; none with `"events": false`);
 *   `{"reply":"<cmd>","id":…,…}` for each command.
 * - stdin: one JSON command per line, `{"cmd":"…","id":…,…}`:
 *   `initiate {vpn}`, `terminate {vpn?}`, `terminate-child {spi}`,
 *   `rekey {uid} | {spi}`, `flush`, `list` (IKE and CHILD SAs with
 *   counters), `sas` (ESP SAs), `counters`, `set-seq {spi, direction,
 *   value}` (the HA hooks: outbound sequence number / inbound window top),
 *   `log {limit?}`, `profile {start}` (a V8 CPU profile of this process:
 *   `start: true` begins, `start: false` ends it and replies with self
 *   time by function and by file), `quit`. stdin reaching its end changes
 *   nothing.
 * - stderr: the log (`logLevel`, default `control`).
 * - SIGTERM/SIGINT or `quit`: clean shutdown (IKE Deletes sent, sockets
 *   and TUNs closed), exit 0.
 *
 * @module
 */
import { formatIp, type IpAddress } from "../core/ip.ts";
import { CpuProfiler } from "../lab/cpu_profile.ts";
import { LogHub, stderrSink } from "../core/log.ts";
import { formatChosen } from "../ike/proposal.ts";
import { spiHex } from "../ike/spi.ts";
import { type GatewayJson, parseGatewayConfig } from "./standalone_config.ts";
import { VrfGateway } from "./vrf_gateway.ts";

const enc = new TextEncoder();

function isIp(v: object): v is IpAddress {
  return "family" in v && "bytes" in v && (v as IpAddress).bytes instanceof Uint8Array;
}

/** JSON-safe copy: addresses as text, bigints as decimal, byte arrays as hex. */
export function plain(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) {
    return Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    if (isIp(v)) return formatIp(v);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function out(v: Record<string, unknown>): void {
  Deno.stdout.writeSync(enc.encode(JSON.stringify(plain(v)) + "\n"));
}

function argValue(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const path = argValue("--config");
  if (!path) {
    console.error("Usage: deno run -A gateway/standalone.ts --config <gateway.json>");
    Deno.exit(2);
  }
  const json = JSON.parse(await Deno.readTextFile(path)) as GatewayJson;
  const cfg = parseGatewayConfig(json);
  const logs = new LogHub({ level: json.logLevel ?? "control" });
  logs.addSink(stderrSink());
  hubForLog = logs;
  const gw = await VrfGateway.create({
    vrf: cfg.vrf,
    logs,
    addresses: cfg.addresses,
    vpns: cfg.vpns,
    psks: cfg.psks,
    ...(json.ike ? { ike: json.ike } : {}),
    ...(json.policyTun !== undefined ? { policyTun: json.policyTun } : {}),
    ...(json.routeTable !== undefined ? { routeTable: json.routeTable } : {}),
    ...(json.rawEsp !== undefined ? { rawEsp: json.rawEsp } : {}),
    ...(json.linkMtu !== undefined ? { linkMtu: json.linkMtu } : {}),
    ...(json.crypto !== undefined ? { crypto: json.crypto } : {}),
    ...(json.batch !== undefined ? { batch: json.batch } : {}),
    ...(json.initiateOnAcquire !== undefined ? { initiateOnAcquire: json.initiateOnAcquire } : {}),
  });
  if (json.events ?? true) wireEvents(gw);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= gw.shutdown().then(() => {
      out({ event: "stopped" });
      Deno.exit(0);
    });
    return stopping;
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  out({ event: "ready", vrf: cfg.vrf, pid: Deno.pid, tun: gw.io.policyTun?.name ?? null });
  for (const name of json.initiate ?? []) gw.initiate(name);
  await commands(gw, stop);
}

function wireEvents(gw: VrfGateway): void {
  const ike = gw.ike.events;
  const ref = (e: { vpn?: string | undefined; spiI: Uint8Array; spiR: Uint8Array }) => ({
    vpn: e.vpn ?? null,
    spiI: spiHex(e.spiI),
    spiR: spiHex(e.spiR),
  });
  ike.on("ike-sa-up", ({ record: r }) =>
    out({
      event: "ike-sa-up",
      data: {
        ...ref(r),
        initiator: r.initiator,
        local: r.local,
        remote: r.remote,
        nat: r.nat,
        proposal: r.proposal ? formatChosen(r.proposal) : null,
      },
    }));
  ike.on(
    "ike-sa-state",
    (e) => out({ event: "ike-sa-state", data: { ...ref(e), old: e.old, state: e.state } }),
  );
  ike.on(
    "ike-sa-down",
    (e) => out({ event: "ike-sa-down", data: { ...ref(e), reason: e.reason } }),
  );
  ike.on("ike-sa-failed", (e) => out({ event: "ike-sa-failed", data: e }));
  ike.on("child-sa-up", ({ record: r, rekeyOf }) =>
    out({
      event: "child-sa-up",
      data: {
        vpn: r.vpn,
        name: r.name,
        spiIn: r.spiIn.toString(16).padStart(8, "0"),
        spiOut: r.spiOut.toString(16).padStart(8, "0"),
        mode: r.mode,
        encap: r.encap,
        proposal: formatChosen(r.proposal),
        rekeyOf: rekeyOf?.toString(16).padStart(8, "0") ?? null,
      },
    }));
  ike.on("child-sa-down", (e) =>
    out({
      event: "child-sa-down",
      data: {
        vpn: e.vpn,
        name: e.name,
        spiIn: e.spiIn.toString(16).padStart(8, "0"),
        reason: e.reason,
      },
    }));
  const esp = gw.dataplane.events;
  for (const type of ["sa-soft-expired", "sa-hard-expired"] as const) {
    esp.on(type, (e) => out({ event: type, data: { sa: e.sa.name, reason: e.reason } }));
  }
  esp.on(
    "acquire",
    (e) =>
      out({
        event: "acquire",
        data: { reqid: e.reqid, src: e.src, dst: e.dst, protocol: e.protocol },
      }),
  );
}

type Command = { cmd: string; id?: unknown } & Record<string, unknown>;

function run(gw: VrfGateway, c: Command): Record<string, unknown> {
  const spi = () => parseInt(String(c.spi), 16);
  switch (c.cmd) {
    case "initiate":
      return { uid: gw.initiate(String(c.vpn)) ?? null };
    case "terminate":
      return { count: gw.terminate(c.vpn !== undefined ? { vpn: String(c.vpn) } : {}) };
    case "terminate-child":
      return { ok: gw.terminateChild(spi()) };
    case "rekey":
      return {
        ok: c.uid !== undefined ? gw.rekey({ uid: Number(c.uid) }) : gw.rekey({ childSpi: spi() }),
      };
    case "flush":
      return { count: gw.flush() };
    case "list":
      return { ike: gw.listIkeSas(), child: gw.listChildSas() };
    case "sas":
      return { sas: gw.listEspSas() };
    case "counters":
      return { counters: gw.counters() };
    case "set-seq": {
      const dir = c.direction === "in" ? "in" : "out";
      const sa = gw.dataplane.findSa(dir, spi());
      if (!sa) return { ok: false };
      if (dir === "out") gw.dataplane.setOutboundSeq(sa, Number(c.value));
      else gw.dataplane.advanceReplay(sa, Number(c.value));
      return { ok: true };
    }
    case "log": {
      const limit = c.limit !== undefined ? Number(c.limit) : 200;
      return { log: logLines(limit) };
    }
    default:
      return { error: `Unknown command "${c.cmd}"` };
  }
}

let hubForLog: LogHub | undefined;
function logLines(limit: number): string[] {
  return (hubForLog?.recent({ limit }) ?? []).filter((r) => r.level !== "private").map((r) =>
    `${r.subsystem} ${r.level} ${r.message}`
  );
}

const profiler = new CpuProfiler();
async function profile(start: boolean): Promise<Record<string, unknown>> {
  if (!start) return { ...await profiler.stop() };
  await profiler.start();
  return { ok: true };
}

async function commands(gw: VrfGateway, stop: () => Promise<void>): Promise<void> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of Deno.stdin.readable) {
    buf += dec.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line === "") continue;
      let c: Command;
      try {
        c = JSON.parse(line) as Command;
      } catch {
        out({ reply: "error", error: `Cannot parse command: ${line.slice(0, 80)}` });
        continue;
      }
      if (c.cmd === "quit") {
        out({ reply: "quit", id: c.id ?? null });
        await stop();
        return;
      }
      try {
        const reply = c.cmd === "profile" ? await profile(c.start === true) : run(gw, c);
        out({ reply: c.cmd, id: c.id ?? null, ...reply });
      } catch (e) {
        out({ reply: c.cmd, id: c.id ?? null, error: (e as Error).message });
      }
    }
  }
  // stdin closed (e.g. /dev/null): keep serving until a signal.
  await new Promise(() => {});
}

if (import.meta.main) await main();
