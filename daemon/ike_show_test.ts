import { assertEquals } from "../tests/assert.ts";
import { LogHub } from "../core/log.ts";
import { FakeClock } from "../core/clock.ts";
import { systemRng } from "../core/rng.ts";
import { OperationalRegistry } from "../cli/operational.ts";
import { Datastore } from "../config/datastore.ts";
import { Vrfs } from "../kernel/vrf.ts";
import { IkeGateways } from "./ike_gateways.ts";
import {
  type ChildSaShow,
  formatSpan,
  type IkeSaShow,
  relative,
  renderChildSas,
  renderIkeSas,
} from "./ike_show.ts";
import { registerIkeViews } from "./ike_views.ts";

const NOW = Date.parse("2025-01-01T12:00:00Z");
const at = (s: number) => new Date(NOW + s * 1000).toISOString();

const SA: IkeSaShow = {
  vrf: "main",
  vpn: "vpn-secgw",
  uid: 1,
  state: "established",
  initiator: true,
  localAddress: "10.175.0.1",
  localPort: 4500,
  localId: "10.175.0.1",
  remoteAddress: "10.225.0.1",
  remotePort: 4500,
  remoteId: "10.225.0.1",
  spiI: "cead3cae4eb8177b",
  spiR: "2c4c8aff8c9d87d2",
  natLocal: false,
  natRemote: true,
  algorithms: "aes128-cbc/hmac-sha1/prf-hmac-sha1/modp1024",
  established: at(-5),
  rekeyAt: at(6720),
  reauthAt: null,
  expireAt: at(7860),
  childSas: 1,
  localVips: [],
  remoteVips: [],
  nextSend: 2,
  expectRecv: 0,
};

const CHILD: ChildSaShow = {
  vrf: "main",
  vpn: "vpn-secgw",
  name: "site-to-secgw-site",
  uid: 2,
  ikeUid: 1,
  state: "installed",
  spiIn: "e2f70a5d",
  spiOut: "d4a2ed4e",
  mode: "tunnel",
  encap: true,
  algorithms: "aes128-cbc/hmac-sha1",
  localTs: ["10.100.0.64/26"],
  remoteTs: ["10.250.0.192/26"],
  bytesIn: 840,
  packetsIn: 10,
  bytesOut: 840,
  packetsOut: 10,
  seqIn: 10,
  seqOut: 11,
  replayWindow: 1024,
  installed: at(-6),
  rekeyAt: at(3436),
  expireAt: at(3900),
};

Deno.test("ike show: times as spans", () => {
  assertEquals([formatSpan(0), formatSpan(12_400), formatSpan(200_000)], ["0s", "12s", "3m20s"]);
  assertEquals([formatSpan(7_140_000), formatSpan(90_000_000)], ["1h59m", "1d1h"]);
  assertEquals([relative(at(-5), NOW), relative(at(60), NOW), relative(null, NOW)], [
    "5s ago",
    "in 1m0s",
    "-",
  ]);
});

Deno.test("ike show: ike-sa is the reference's table, then one block per SA", () => {
  assertEquals(
    renderIkeSas([SA], false, NOW),
    `VPN        Local-Addr  Local-ID    Remote-Addr  Remote-ID   State        Child-SAs
vpn-secgw  10.175.0.1  10.175.0.1  10.225.0.1   10.225.0.1  established  1

vpn-secgw #1: initiator, 10.175.0.1:4500 - 10.225.0.1:4500
  SPIs cead3cae4eb8177b_i 2c4c8aff8c9d87d2_r, aes128-cbc/hmac-sha1/prf-hmac-sha1/modp1024, NAT remote side
  established 5s ago, rekey in 1h52m, expires in 2h11m
`,
  );
  const unknown: IkeSaShow = {
    ...SA,
    vpn: "(unknown)",
    state: "connecting",
    localId: "",
    remoteId: "",
  };
  assertEquals(
    renderIkeSas([unknown], true, NOW).split("\n").slice(0, 2),
    [
      "VRF   VPN        Local-Addr  Local-ID  Remote-Addr  Remote-ID  State       Child-SAs",
      "main  (unknown)  10.175.0.1  -         10.225.0.1   -          connecting  1",
    ],
  );
  assertEquals(renderIkeSas([], false, NOW), "no IKE SA\n");
});

Deno.test("ike show: child-sa is a table of policies and SPIs, then counters per CHILD SA", () => {
  assertEquals(
    renderChildSas([CHILD], false, NOW),
    `VPN        Security-Policy     State      SPI-In    SPI-Out   Local-TS        Remote-TS
vpn-secgw  site-to-secgw-site  installed  e2f70a5d  d4a2ed4e  10.100.0.64/26  10.250.0.192/26

vpn-secgw/site-to-secgw-site #2: tunnel mode, UDP-encapsulated, aes128-cbc/hmac-sha1, replay window 1024
  in  840 bytes, 10 packets, highest seq 10
  out 840 bytes, 10 packets, next seq 11
  installed 6s ago, rekey in 57m16s, expires in 1h5m
`,
  );
});

Deno.test("ike views: no gateway, a VRF without IKE, a wrong kind, completion", async () => {
  const registry = new OperationalRegistry();
  const hub = new LogHub();
  const clock = new FakeClock();
  const gateways = new IkeGateways({ vrfs: new Vrfs("tdu"), hub, clock, rng: systemRng });
  registerIkeViews(registry, gateways, Datastore.open(), clock);
  const run = async (line: string) => await registry.run(line.split(" "));
  assertEquals(await run("show ike ike-sa"), { ok: true, output: "no IKE SA\n" });
  assertEquals(await run("show ike ike-sa --json"), {
    ok: true,
    output: '{\n  "ikeSas": []\n}\n',
  });
  assertEquals(await run("show ike vrf blue child-sa"), {
    ok: false,
    error: 'Cannot run "show ike": vrf blue runs no IKE',
  });
  assertEquals(await run("show ike sas"), {
    ok: false,
    error: 'Cannot run "show ike": "sas" is not one of ike-sa, child-sa, ike-sa-count',
  });
  assertEquals(await run("flush ike"), { ok: true, output: "no IKE gateway\n" });
  assertEquals(await registry.complete(["show", "ike"]), [
    "child-sa",
    "ike-sa",
    "ike-sa-count",
  ]);
  assertEquals(await registry.complete(["show", "ike", "ike-sa", "vpn"]), ["(unknown)"]);
});
