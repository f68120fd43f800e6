/**
 * Real packets through two Tandem dataplanes with static keys (no IKE), in
 * network namespaces (`esp_static_fixture.ts`): ping and TCP (iperf3) in
 * both directions, in tunnel and transport mode, with and without ESN,
 * over raw ESP (IP protocol 50) and UDP encapsulation (RFC 3948). Then,
 * with the ESP relay between the gateways, real packets are replayed,
 * reordered inside and outside the replay window and corrupted, and each
 * is dropped (or accepted) and counted under the right reason.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { waitFor } from "../lab/command.ts";
import { iperf3Client, iperf3Server, ping } from "../lab/traffic.ts";
import type { Impairment } from "./esp_relay.ts";
import {
  type StaticOptions,
  type StaticPair,
  staticPair,
  type StaticSide,
  svtiPair,
} from "./esp_static_fixture.ts";
import type { DropReason } from "../esp/counters.ts";

const IPERF = { programs: ["iperf3", "ping"] };

const drops = (s: StaticSide): Partial<Record<DropReason, number>> => s.dp.counters().drops;

async function traffic(p: StaticPair, label: string): Promise<void> {
  const { a, b } = p;
  for (const [x, y] of [[a, b], [b, a]] as const) {
    const r = await ping(x.trafficNs, y.target, { count: 4, intervalSeconds: 0.05 });
    assertEquals(r.received, 4, `${label}: ping ${x.name} -> ${y.name}: ${JSON.stringify(r)}`);
  }
  for (const [x, y] of [[a, b], [b, a]] as const) {
    const lab = p.lab;
    const before = y.in.counters.bytes;
    const port = x.name === "a" ? 5201 : 5202;
    const server = await iperf3Server(lab, y.trafficNs, { port, name: `iperf3-${port}` });
    const r = await iperf3Client(x.trafficNs, y.target, { seconds: 2, port });
    await server.process.status;
    assert(r.receivedMbps > 1, `${label}: TCP ${x.name} -> ${y.name} at ${r.receivedMbps} Mbit/s`);
    assert(y.in.counters.bytes - before > 500_000, `${label}: ${y.name} decrypted the TCP stream`);
  }
  for (const s of [a, b]) {
    assertEquals(drops(s), {}, `${label}: nothing dropped by ${s.name}`);
    assert(s.out.counters.packets > 100 && s.in.counters.packets > 100, `${label}: both SAs used`);
    const io = s.io.counters();
    assertEquals([io.sendDropped, io.noSocket, io.tunWriteErrors], [0, 0, 0], `${label}: I/O`);
  }
}

const MATRIX: (StaticOptions & { label: string })[] = [
  {
    label: "tunnel udp aes128-cbc/hmac-sha1",
    mode: "tunnel",
    via: "udp",
    esn: false,
    enc: "aes128-cbc",
    integ: "hmac-sha1",
  },
  {
    label: "tunnel raw esn aes256-gcm",
    mode: "tunnel",
    via: "raw",
    esn: true,
    enc: "aes256-gcm-128",
  },
  {
    label: "transport udp esn aes128-cbc/hmac-sha1",
    mode: "transport",
    via: "udp",
    esn: true,
    enc: "aes128-cbc",
    integ: "hmac-sha1",
  },
  {
    label: "transport raw aes256-gcm",
    mode: "transport",
    via: "raw",
    esn: false,
    enc: "aes256-gcm-128",
  },
];

for (const m of MATRIX) {
  rootTest(
    `esp static keys, ${m.label}: ping and TCP both ways through real TUNs and sockets`,
    async () => {
      await using lab = new NetnsLab("te");
      const p = await staticPair(lab, m);
      await traffic(p, m.label);
      const sas = p.a.io.counters();
      if (m.via === "udp") assert(sas.udpOut > 0 && sas.rawOut === 0, "ESP in UDP");
      else assert(sas.rawOut > 0 && sas.udpOut === 0, "ESP as IP protocol 50");
      if (m.esn) assert(p.a.out.esn && p.b.in.esn, "ESN SAs");
    },
    IPERF,
  );
}

/** Waits until `s` has counted `n` drops of `reason`. */
function dropsReach(s: StaticSide, reason: DropReason, n: number): Promise<unknown> {
  return waitFor(() => Promise.resolve((drops(s)[reason] ?? 0) >= n || undefined), {
    timeoutMs: 10_000,
    what: `${n} "${reason}" drops at ${s.name} (now ${JSON.stringify(drops(s))})`,
  });
}

/** An impairment acting on the `k`-th packet (1-based) from now; the others pass. */
function onPacket(k: number, fn: (p: Uint8Array) => Uint8Array[]): Impairment {
  let n = 0;
  return (p) => (++n === k ? fn(p) : [p]);
}

for (const [via, esn] of [["udp", false], ["raw", true]] as const) {
  rootTest(
    `esp static keys through a relay (${via}${
      esn ? ", esn" : ""
    }): replays, reorders and corrupted ICVs on real packets`,
    async () => {
      await using lab = new NetnsLab("te");
      const WINDOW = 32;
      // With ESN a sequence number left of the window is taken as one 2^32 later
      // (RFC 4303 Appendix A2.2): its ICV, computed over other high bits, fails.
      const old: DropReason = esn ? "icv" : "replay-old";
      const p = await staticPair(lab, {
        mode: "tunnel",
        via,
        esn,
        enc: via === "udp" ? "aes256-gcm-128" : "aes128-cbc",
        ...(via === "raw" ? { integ: "hmac-sha1" } : {}),
        relay: true,
        replayWindow: WINDOW,
      });
      const { a, b } = p;
      const relay = p.relay!;
      const pings = (count: number) =>
        ping(a.trafficNs, b.target, { count, intervalSeconds: 0.02, waitSeconds: 3 });
      // Clean traffic first: the relay carries it, nothing is dropped.
      assertEquals((await pings(5)).received, 5);
      assertEquals(drops(b), {});

      // 1. Replays: three packets sent twice; the copies are dropped as "replay".
      let dups = 0;
      relay.impair("a->b", (pkt) => (dups++ < 3 ? [pkt, pkt.slice()] : [pkt]));
      assertEquals((await pings(5)).received, 5, "duplicates change nothing for ping");
      await dropsReach(b, "replay", 3);
      assertEquals(b.in.counters.replayDrops, 3);

      // 2. Reorder inside the window: packet 1 held until packet 2 passed; both accepted.
      let held: Uint8Array | undefined;
      const inBefore = b.in.counters.packets;
      relay.impair("a->b", (pkt) => {
        if (!held) {
          held = pkt;
          return [];
        }
        const out = [pkt, held];
        relay.impair("a->b", undefined);
        return out;
      });
      assertEquals((await pings(4)).received, 4, "a late packet inside the window is accepted");
      assertEquals(b.in.counters.packets - inBefore, 4);
      assertEquals(drops(b), { replay: 3 });

      // 3. Reorder outside the window: packet 1 released after WINDOW + 2 newer ones: dropped.
      let late: Uint8Array | undefined;
      let seen = 0;
      relay.impair("a->b", (pkt) => {
        seen++;
        if (seen === 1) {
          late = pkt;
          return [];
        }
        return seen === WINDOW + 3 ? [pkt, late!] : [pkt];
      });
      const r3 = await pings(WINDOW + 4);
      assertEquals(r3.received, WINDOW + 3, "only the packet released too late is lost");
      await dropsReach(b, old, 1);
      relay.impair("a->b", undefined);
      const icv0 = esn ? 1 : 0;

      // 4. A corrupted ICV: dropped as "icv"; the intact copy that follows is accepted,
      //    since a packet that fails the ICV does not move the window (RFC 4303 §3.4.3).
      const okBefore = b.in.counters.packets;
      relay.impair(
        "a->b",
        onPacket(2, (pkt) => {
          const bad = pkt.slice();
          bad[bad.length - 1]! ^= 0x01;
          return [bad, pkt];
        }),
      );
      assertEquals((await pings(3)).received, 3);
      await dropsReach(b, "icv", icv0 + 1);
      assertEquals(
        b.in.counters.packets - okBefore,
        3,
        "the intact packet after the bad one went in",
      );

      // 5. A flipped ciphertext bit (first byte after the IV): "icv" as well, nothing delivered.
      relay.impair(
        "a->b",
        onPacket(1, (pkt) => {
          const bad = pkt.slice();
          bad[8 + (via === "udp" ? 8 : 16)]! ^= 0x80;
          return [bad];
        }),
      );
      const r5 = await pings(3);
      assertEquals(r5.received, 2);
      await dropsReach(b, "icv", icv0 + 2);

      // 6. A flipped SPI: no SA at B.
      relay.impair(
        "a->b",
        onPacket(1, (pkt) => {
          const bad = pkt.slice();
          bad[0]! ^= 0x40;
          return [bad];
        }),
      );
      assertEquals((await pings(3)).received, 2);
      await dropsReach(b, "no-sa", 1);
      relay.impair("a->b", undefined);

      assertEquals(
        drops(b),
        esn
          ? { "no-sa": 1, replay: 3, icv: 3 }
          : { "no-sa": 1, replay: 3, "replay-old": 1, icv: 2 },
      );
      assertEquals(
        [b.in.counters.replayDrops, b.in.counters.icvFailures],
        esn ? [3, 3] : [4, 2],
      );
      assertEquals(drops(a), {}, "the return path is untouched");
      assert(relay.seen["a->b"] > WINDOW + 20);
    },
    IPERF,
  );
}

rootTest(
  "esp static keys, cross-VRF SVTI (route-based, id 888): ping and TCP between the SVTI addresses",
  async () => {
    await using lab = new NetnsLab("te");
    const { a, b } = await svtiPair(lab, {
      mode: "tunnel",
      via: "udp",
      esn: true,
      enc: "aes128-cbc",
      integ: "hmac-sha1",
    });
    await traffic({ lab, a, b, relay: undefined }, "svti");
    // The SVTI TUN lives in the interface's namespace, its MTU follows the SA.
    const mtu = await lab.exec(a.svtiNs, ["cat", "/sys/class/net/svti-hasync/mtu"]);
    assertEquals(Number(mtu.stdout.trim()), a.out.maxInner);
    assertEquals(a.dp.policies().length, 0, "route-based: no policies");
  },
  IPERF,
);
