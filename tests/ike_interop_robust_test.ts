/**
 * A malformed or unexpected datagram never crashes the engine or changes
 * an SA, over the real transport: while an SA with strongSwan is up, a raw
 * UDP socket in strongSwan's namespace (beside charon, another source
 * port) sends truncated, oversized, wrong-SPI, corrupted and replayed
 * copies of strongSwan's own authentic requests to the node's ports 500
 * and 4500. Every datagram must be accounted for in the node's counters,
 * the SA must stay exactly as it was (same SPIs, same peer endpoint: a
 * replay from another port must not move it, RFC 7296 §2.23), and the next
 * rekey must still work.
 */
import { assert, assertEquals } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { SeededRng } from "../core/rng.ts";
import {
  converge,
  counts,
  fromHex,
  interop,
  type Listing,
  sendRaw,
  SWAN,
} from "./ike_interop_fixture.ts";

/** Everything the node counted for a received datagram. */
const accounted = (l: Listing) =>
  Object.values(l.drops).reduce((a, b) => a + b, 0) + l.counters.retransmitsAnswered +
  l.counters.keepalives + l.counters.processed;

const MARKER = 4;
/** Offsets in an IKE header (RFC 7296 §3.1). */
const FLAGS = 19;
const MESSAGE_ID = 20;

rootTest(
  "ike interop robust: truncated, oversized, wrong-SPI, corrupted and replayed datagrams leave the SA as it was",
  async () => {
    await using lab = new NetnsLab("ti");
    const x = await interop(lab, { node: { record: 32 } });
    const { node, pair } = x;
    const p = pair.params;
    await pair.b.initiate({ child: p.child });
    await converge(x, counts(1, 1), "strongSwan's SAs");
    const spi0 = (await node.list()).child[0]!.spiIn;
    await pair.b.rekey({ child: p.child });
    const before =
      (await converge(x, (l) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi0, "rekey"))
        .ours;

    // strongSwan's protected requests as the node received them (port 4500, marker first).
    const got = (await node.call("received")).datagrams as { port: number; data: string }[];
    const requests = got.filter((d) => d.port === 4500).map((d) => fromHex(d.data))
      .filter((d) => d.length > 32 && (d[MARKER + FLAGS]! & 0x20) === 0);
    const id = (d: Uint8Array) => new DataView(d.buffer).getUint32(MARKER + MESSAGE_ID);
    const last = requests[requests.length - 1]!;
    const older = requests.find((d) => id(d) < id(last))!;
    assert(older !== undefined && id(last) === before.ike[0]!.expectRecv - 1, "two requests kept");

    const rng = new SeededRng(7);
    const out: { port: number; data: Uint8Array }[] = [];
    // Truncations of an authentic request, with and without the non-ESP marker.
    for (let n = 1; n < last.length; n += 9) out.push({ port: 4500, data: last.subarray(0, n) });
    for (let n = 1; n < last.length - MARKER; n += 9) {
      out.push({ port: 500, data: last.subarray(MARKER, MARKER + n) });
    }
    // Oversized: the request with 20 000 trailing octets; 60 000 random octets.
    const padded = new Uint8Array(last.length + 20_000);
    padded.set(last);
    out.push({ port: 4500, data: padded }, { port: 500, data: rng.fill(new Uint8Array(60_000)) });
    // Wrong SPIs, a corrupted body, random garbage.
    const wrongSpi = last.slice();
    wrongSpi[MARKER + 12]! ^= 0xff;
    const corrupted = last.slice();
    corrupted[last.length - 20]! ^= 0x01;
    out.push({ port: 4500, data: wrongSpi }, { port: 4500, data: corrupted });
    for (let i = 0; i < 20; i++) {
      out.push({ port: 500, data: rng.fill(new Uint8Array(28 + i * 7)) });
    }
    // Replays from another port: the last request (answered from the cache) and an older one.
    out.push({ port: 4500, data: last }, { port: 4500, data: older });

    const port = await sendRaw(pair.gwB, p.b.wan, p.a.wan, out);
    assert(port !== 4500 && port !== 500);
    const after = await node.until(
      (l) => accounted(l) >= accounted(before) + out.length,
      `all ${out.length} datagrams counted`,
    );
    assertEquals(accounted(after), accounted(before) + out.length, "each counted once");
    const moved = (k: keyof Listing["drops"]) => after.drops[k] - before.drops[k];
    assert(moved("invalid") >= 20, `invalid ${moved("invalid")}`);
    assertEquals([moved("invalid-spi"), moved("integrity"), moved("invalid-message-id")], [
      1,
      1,
      1,
    ]);
    assertEquals(after.counters.retransmitsAnswered - before.counters.retransmitsAnswered, 1);
    assertEquals(after.counters.processed, before.counters.processed, "nothing processed");

    // The SA is untouched, and still talks to charon's port.
    // (times are wall-clock conversions of monotonic ones: they jitter by a millisecond)
    const stable = (l: Listing) =>
      l.ike.map(({ established: _e, rekeyAt: _r, expireAt: _x, reauthAt: _a, ...rest }) => rest);
    assertEquals(stable(after), stable(before));
    assertEquals(after.child.map((c) => [c.spiIn, c.spiOut]), [[
      before.child[0]!.spiIn,
      before.child[0]!.spiOut,
    ]]);
    assertEquals(after.ike[0]!.remote, { address: p.b.wan, port: 4500 });
    assert(node.running);
    const spi1 = after.child[0]!.spiIn;
    await pair.b.rekey({ child: p.child });
    await converge(x, (l) => counts(1, 1)(l) && l.child[0]!.spiIn !== spi1, "a rekey afterwards");
  },
  SWAN,
);
