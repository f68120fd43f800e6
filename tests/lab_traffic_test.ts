/**
 * Traffic tools of the lab against real programs: iperf3 over a bare veth
 * and through a strongSwan tunnel, with the charons' CPU time measured from
 * /proc. Asserts that the numbers exist and are consistent, never how big
 * they are (the host is shared).
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { buildTopology } from "../lab/topology.ts";
import { pairUp } from "../lab/swan_pair.ts";
import { cpuMeter, iperf3Client, iperf3Server, mbitPerCpuSecond, ping } from "../lab/traffic.ts";

rootTest("lab traffic: iperf3 TCP and UDP over a veth, parsed", async () => {
  await using lab = new NetnsLab("ts");
  const t = await buildTopology(lab, {
    namespaces: [{ name: "c", ipv6: false }, { name: "s", ipv6: false }],
    links: [{ a: ["c", "e0", "10.254.30.1/24"], b: ["s", "e0", "10.254.30.2/24"] }],
  });
  const srv = await iperf3Server(lab, t.ns("s"), { bind: "10.254.30.2", oneOff: false });
  const tcp = await iperf3Client(t.ns("c"), "10.254.30.2", { seconds: 1 });
  assert(tcp.receivedMbps > 0 && tcp.sentMbps > 0, JSON.stringify(tcp));
  assertEquals(typeof tcp.retransmits, "number");
  const udp = await iperf3Client(t.ns("c"), "10.254.30.2", {
    seconds: 1,
    udp: true,
    bitrate: "5M",
  });
  assert(udp.sentMbps > 0, JSON.stringify(udp));
  assertEquals(typeof udp.lostPercent, "number");
  assertEquals(udp.retransmits, undefined);
  assert(srv.process.running, "a server without -1 keeps serving");
  const r = await ping(t.ns("c"), "10.254.30.99", { count: 1, waitSeconds: 1 });
  assertEquals([r.sent, r.received, r.lossPercent, r.error], [1, 0, 100, undefined]);
  const off = await ping(t.ns("c"), "10.254.31.1", { count: 1 });
  assertEquals([off.sent, off.received, off.error], [
    0,
    0,
    "ping: connect: Network is unreachable",
  ]);
}, { programs: ["iperf3", "ss"] });

rootTest(
  "lab traffic: iperf3 through a strongSwan tunnel, Mbit per charon CPU-second",
  async () => {
    await using lab = new NetnsLab("ts");
    const pair = await pairUp(lab, { profile: "gcm" });
    await pair.a.initiate({ child: pair.params.child });
    await iperf3Server(lab, pair.hostB, { bind: pair.params.b.hostAddr });
    const meter = cpuMeter([pair.a.pid, pair.b.pid]);
    const res = await iperf3Client(pair.hostA, pair.params.b.hostAddr, { seconds: 1 });
    const cpu = meter.elapsed();
    assert(cpu > 0, "the charons encrypted and decrypted");
    const perCpu = mbitPerCpuSecond(res, cpu);
    assert(perCpu > 0 && Number.isFinite(perCpu));
    const child = (await pair.b.listSas())[0]!.childSas.find((c) => c.state === "INSTALLED")!;
    assert(
      child.bytesIn > res.receivedMbps * 1e6 * res.seconds / 8 * 0.9,
      "traffic went through the SA",
    );
    console.log(
      `lab traffic: gcm tunnel ${res.receivedMbps.toFixed(0)} Mbit/s, ` +
        `${cpu.toFixed(2)} charon CPU-s, ${perCpu.toFixed(0)} Mbit per CPU-s, ` +
        `${res.retransmits} retransmits (1 s, not a benchmark)`,
    );
  },
  { programs: ["iperf3", "ss", "swanctl", "charon"], programPaths: ["/usr/lib/ipsec"] },
);
