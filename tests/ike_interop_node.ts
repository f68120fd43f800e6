/**
 * Test helper program (not a test): a Tandem IKE engine on real UDP
 * sockets (ports 500 and 4500 of one address), run by
 * `tests/ike_interop_test.ts` inside a namespace with `ip netns exec`, so
 * the sockets live there. The dataplane only records installs (no ESP yet).
 * Commands arrive as JSON lines on stdin; every answer is one JSON line on
 * stdout.
 *
 * Usage: deno run -A --unstable-net tests/ike_interop_node.ts '<config JSON>'
 *
 * @module
 */
import { systemClock } from "../core/clock.ts";
import { formatIp, parseIp, parsePrefix } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { systemRng } from "../core/rng.ts";
import type { EspProposalConfig, IkeProposalConfig, VpnConfig } from "../ike/config.ts";
import { parseIdentity } from "../ike/identity.ts";
import { IkeInstance } from "../ike/instance.ts";
import type { Endpoint } from "../ike/ports.ts";
import { PskTable } from "../ike/psk.ts";
import { FakeDataplane } from "./ike_fixture.ts";

interface NodeConfig {
  local: string;
  remote: string;
  localId: string;
  remoteId: string;
  localTs: string;
  remoteTs: string;
  psk: string;
  ike: IkeProposalConfig;
  esp: EspProposalConfig;
}

const cfg = JSON.parse(Deno.args[0]!) as NodeConfig;
const vpn: VpnConfig = {
  name: "vpn",
  vrf: "main",
  localAddress: parseIp(cfg.local),
  remoteAddress: parseIp(cfg.remote),
  localId: parseIdentity(cfg.localId),
  remoteId: parseIdentity(cfg.remoteId),
  ike: {
    proposals: [cfg.ike],
    rekeyTime: 14400,
    reauthTime: 0,
    keyingTries: 1,
    uniqueSa: "no",
    dpdDelay: 0,
  },
  children: [{
    name: "net",
    localTs: [{ prefix: parsePrefix(cfg.localTs), protocol: 0 }],
    remoteTs: [{ prefix: parsePrefix(cfg.remoteTs), protocol: 0 }],
    mode: "tunnel",
    proposals: [cfg.esp],
    rekeyTime: 3600,
    replayWindow: 32,
  }],
  requestVip: false,
};

const sockets = new Map<number, Deno.DatagramConn>();
for (const port of [500, 4500]) {
  sockets.set(port, Deno.listenDatagram({ transport: "udp", hostname: cfg.local, port }));
}
const logs = new LogHub({ level: "detail" });
const dataplane = new FakeDataplane();
const ike = new IkeInstance({
  vrf: "main",
  vpns: [vpn],
  ports: {
    clock: systemClock,
    rng: systemRng,
    log: { ike: logs.logger("ike"), chd: logs.logger("chd"), enc: logs.logger("enc") },
    transport: {
      send(local: Endpoint, remote: Endpoint, data: Uint8Array) {
        const s = sockets.get(local.port);
        s?.send(data, { transport: "udp", hostname: formatIp(remote.address), port: remote.port })
          .catch(() => {});
      },
    },
    dataplane,
    psk: new PskTable([{ name: "lab", ids: [], secret: new TextEncoder().encode(cfg.psk) }]),
    pools: () => undefined,
  },
});

for (const [port, s] of sockets) {
  (async () => {
    for await (const [data, addr] of s) {
      const a = addr as Deno.NetAddr;
      ike.receive(data, { address: vpn.localAddress, port }, {
        address: parseIp(a.hostname),
        port: a.port,
      });
    }
  })().catch(() => {});
}

const out = (v: unknown) =>
  console.log(
    JSON.stringify(
      v,
      (_k, x) => (typeof x === "bigint" ? String(x) : x instanceof Uint8Array ? [...x] : x),
    ),
  );

out({ ready: true });
const decoder = new TextDecoder();
let buf = "";
for await (const chunk of Deno.stdin.readable) {
  buf += decoder.decode(chunk);
  let nl: number;
  while ((nl = buf.indexOf("\n")) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    const { cmd, spi } = JSON.parse(line) as { cmd: string; spi?: string };
    switch (cmd) {
      case "initiate":
        out({ uid: ike.initiate("vpn") ?? null });
        break;
      case "list":
        out({
          ike: ike.listIkeSas(),
          child: ike.listChildSas(),
          drops: ike.drops,
          counters: ike.counters,
        });
        break;
      case "rekey-child":
        out({ ok: ike.rekey({ childSpi: parseInt(spi!, 16) }) });
        break;
      case "rekey-ike":
        out({ ok: ike.rekey({ uid: ike.listIkeSas()[0]?.uid ?? -1 }) });
        break;
      case "terminate":
        out({ n: ike.terminate({}) });
        break;
      case "log":
        out({ log: logs.recent().map((r) => `${r.subsystem} ${r.message}`) });
        break;
      case "quit":
        ike.shutdown();
        for (const s of sockets.values()) s.close();
        out({ bye: true });
        Deno.exit(0);
    }
  }
}
