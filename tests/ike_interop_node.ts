/**
 * Test helper program (not a test): a Tandem IKE engine on real UDP
 * sockets (ports 500 and 4500 of one address, `kernel/` FFI sockets), run
 * by the interop tests and `bench/ike_setup_rate.ts` inside a namespace
 * with `ip netns exec`, so the sockets live there. The dataplane only
 * records installs (no ESP yet).
 *
 * Protocol: one JSON command per stdin line, `{"id": n, "cmd": ...}`; one
 * JSON line per answer on stdout, `{"id": n, ...}`, and, when the config
 * asks for them, one line per engine event, `{"event": name, "data": ...}`.
 * Byte strings travel as `{"$hex": "..."}` (records round-trip through
 * `export` and `import`); in `list` answers addresses are text.
 *
 * Usage: deno run -A --unstable-net tests/ike_interop_node.ts '<NodeConfig JSON>'
 *
 * @module
 */
import { CpuProfiler } from "../lab/cpu_profile.ts";
import { systemClock } from "../core/clock.ts";
import { formatIp, type IpAddress, parseIp, parsePrefix } from "../core/ip.ts";
import { type Level, LogHub } from "../core/log.ts";
import { systemRng } from "../core/rng.ts";
import { DEFAULT_GLOBAL_OPTIONS, type TsConfig, type VpnConfig } from "../ike/config.ts";
import type { ChildSaRecord, IkeEvents, IkeSaRecord } from "../ike/events.ts";
import { parseIdentity } from "../ike/identity.ts";
import { engineOf, IkeInstance } from "../ike/instance.ts";
import type { Endpoint, VipPool } from "../ike/ports.ts";
import { PskTable } from "../ike/psk.ts";
import { IkeDpd } from "../ike/tasks/ike_dpd.ts";
import { SubnetPool } from "../ike/vip_pool.ts";
import { DatagramBatch, Poller, UdpSocket } from "../kernel/mod.ts";
import { FakeDataplane } from "./ike_fixture.ts";
import type { NodeConfig, NodeVpn } from "./ike_interop_fixture.ts";

const cfg = JSON.parse(Deno.args[0]!) as NodeConfig;
const local = parseIp(cfg.local);

const ts = (t: string | null): TsConfig =>
  t === null ? { protocol: 0 } : { prefix: parsePrefix(t), protocol: 0 };

function vpnConfig(v: NodeVpn): VpnConfig {
  return {
    name: v.name,
    vrf: "main",
    localAddress: local,
    ...(v.remote ? { remoteAddress: parseIp(v.remote) } : {}),
    ...(v.localId ? { localId: parseIdentity(v.localId) } : {}),
    ...(v.remoteId ? { remoteId: parseIdentity(v.remoteId) } : {}),
    ike: {
      proposals: v.ike,
      rekeyTime: v.rekeyTime ?? 14400,
      reauthTime: 0,
      keyingTries: v.keyingTries ?? 1,
      uniqueSa: v.uniqueSa ?? "no",
      dpdDelay: v.dpdDelay ?? 0,
    },
    children: [{
      name: v.child ?? "net",
      localTs: v.localTs.map(ts),
      remoteTs: v.remoteTs.map(ts),
      mode: "tunnel",
      proposals: v.esp,
      rekeyTime: v.childRekeyTime ?? 3600,
      replayWindow: 32,
    }],
    requestVip: v.requestVip ?? false,
    ...(v.vipPool ? { vipPool: v.vipPool } : {}),
  };
}

const pools = new Map<string, VipPool>(
  (cfg.pools ?? []).map((p) => [p.name, new SubnetPool(p.name, parsePrefix(p.prefix))]),
);
// Non-blocking FFI sockets with large receive buffers, drained in batches (as the gateway's
// port-4500 socket): a responder computing DH for one request lets the next ones queue in
// the kernel, and the default 208 KiB buffer overflows under a burst of IKE_AUTHs.
const sockets = new Map<number, UdpSocket>();
/** Outgoing datagrams held back by `hold` (to make exchanges cross on the wire). */
let held: { from: Endpoint; to: Endpoint; data: Uint8Array }[] | undefined;
for (const port of [500, 4500]) {
  sockets.set(port, UdpSocket.open({ address: local, port, receiveBuffer: 4 << 20 }));
}
const logs = new LogHub({ level: (cfg.logLevel ?? "detail") as Level });
const dataplane = new FakeDataplane();
const ike = new IkeInstance({
  vrf: "main",
  vpns: cfg.vpns.map(vpnConfig),
  options: { ...DEFAULT_GLOBAL_OPTIONS, ...cfg.options },
  ports: {
    clock: systemClock,
    rng: systemRng,
    log: { ike: logs.logger("ike"), chd: logs.logger("chd"), enc: logs.logger("enc") },
    transport: {
      send(from: Endpoint, to: Endpoint, data: Uint8Array) {
        if (held) held.push({ from, to, data: data.slice() });
        else sockets.get(from.port)?.sendTo(data, data.length, to.address, to.port);
      },
    },
    dataplane,
    psk: new PskTable([{ name: "lab", ids: [], secret: new TextEncoder().encode(cfg.psk) }]),
    pools: (n) => pools.get(n),
  },
});

/** The last datagrams received (port, source port, bytes), for replay tests. */
const received: { port: number; from: number; data: Uint8Array }[] = [];

const poller = new Poller();
for (const s of sockets.values()) poller.add(s.fd);
const batch = new DatagramBatch(32, 65536, { control: false });
(async () => {
  while (!poller.stopped) {
    for (const [port, s] of sockets) {
      let n: number;
      while ((n = s.recvBatch(batch)) > 0) {
        for (let i = 0; i < n; i++) {
          const data = batch.bufs[i]!.subarray(0, batch.lens[i]!);
          const from = batch.peerPort(i);
          if (cfg.record) {
            received.push({ port, from, data: data.slice() });
            if (received.length > cfg.record) received.shift();
          }
          ike.receive(data, { address: local, port }, {
            address: batch.peerAddress(i)!,
            port: from,
          });
        }
      }
    }
    await poller.wait();
  }
})();

const isIp = (x: unknown): x is IpAddress =>
  typeof x === "object" && x !== null && "family" in x && "bytes" in x &&
  (x as IpAddress).bytes instanceof Uint8Array;
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

/** Writes one JSON line; `ips` prints addresses as text. */
function out(v: unknown, ips = false): void {
  const line = JSON.stringify(v, function (_k, x) {
    if (typeof x === "bigint") return String(x);
    if (ips && isIp(x)) return formatIp(x);
    if (x instanceof Uint8Array) return { $hex: hex(x) };
    return x;
  });
  console.log(line);
}

const revive = (_k: string, x: unknown) =>
  typeof x === "object" && x !== null && "$hex" in x ? unhex((x as { $hex: string }).$hex) : x;

if (cfg.events) {
  const names: (keyof IkeEvents)[] = [
    "ike-sa-up",
    "ike-sa-updated",
    "ike-sa-mids",
    "ike-sa-state",
    "ike-sa-down",
    "ike-sa-failed",
    "child-sa-up",
    "child-sa-moved",
    "child-sa-state",
    "child-sa-down",
    "vip-lease",
  ];
  for (const name of names) ike.events.on(name, (data) => out({ event: name, data }, true));
}

const profiler = new CpuProfiler();
async function profile(start: boolean): Promise<Record<string, unknown>> {
  if (start) {
    await profiler.start();
    return { ok: true };
  }
  return { ...await profiler.stop() };
}

type Records = { ike: IkeSaRecord; children: ChildSaRecord[] }[];

function command(
  c: Record<string, unknown>,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  switch (c.cmd) {
    case "initiate":
      return { uid: ike.initiate(String(c.vpn ?? cfg.vpns[0]!.name)) ?? null };
    case "list":
      return {
        ike: ike.listIkeSas(),
        child: ike.listChildSas(),
        drops: ike.drops,
        counters: ike.counters,
        dataplane: dataplane.sas.size,
      };
    case "rekey-child":
      return { ok: ike.rekey({ childSpi: parseInt(String(c.spi), 16) }) };
    case "rekey-ike":
      return { ok: ike.rekey({ uid: Number(c.uid ?? ike.listIkeSas()[0]?.uid ?? -1) }) };
    case "terminate":
      return { n: ike.terminate(c.uid === undefined ? {} : { uid: Number(c.uid) }) };
    case "terminate-child":
      return { ok: ike.terminateChild(parseInt(String(c.spi), 16)) };
    case "dpd": {
      // A liveness check now (white box: the engine has no operation for it).
      const rt = engineOf(ike).runtimes()[0];
      rt?.tasks.queue(new IkeDpd(true));
      return { ok: rt !== undefined };
    }
    case "export":
      return { records: ike.exportSas() };
    case "import": {
      const recs = c.records as Records;
      let n = 0;
      for (const r of recs) {
        if (!ike.importIkeSa(r.ike)) continue;
        n++;
        for (const ch of r.children) ike.importChildSa(ch);
      }
      return { imported: n };
    }
    case "activate":
      return { n: ike.activate({}, { midSync: c.midSync === true }) };
    case "received":
      return {
        datagrams: received.map((d) => ({ port: d.port, from: d.from, data: hex(d.data) })),
      };
    case "hold":
      held ??= [];
      return { ok: true };
    case "release": {
      const out = held ?? [];
      held = undefined;
      for (const d of out) {
        sockets.get(d.from.port)?.sendTo(d.data, d.data.length, d.to.address, d.to.port);
      }
      return { released: out.length };
    }
    case "profile":
      return profile(c.start === true);
    case "log":
      return { log: logs.recent().map((r) => `${r.subsystem} ${r.message}`) };
    case "quit":
      ike.shutdown();
      return { bye: true };
    default:
      return { error: `unknown command ${String(c.cmd)}` };
  }
}

out({ ready: true });
const decoder = new TextDecoder();
let buf = "";
for await (const chunk of Deno.stdin.readable) {
  buf += decoder.decode(chunk);
  let nl: number;
  while ((nl = buf.indexOf("\n")) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    const c = JSON.parse(line, revive) as Record<string, unknown>;
    out({ id: c.id, ...await command(c) }, c.cmd === "list");
    if (c.cmd === "quit") {
      poller.stop();
      Deno.exit(0);
    }
  }
}
