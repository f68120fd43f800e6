import { assert, assertEquals, assertThrows } from "./assert.ts";
import { SeededRng } from "../core/rng.ts";
import { CryptoError } from "../crypto/types.ts";
import { ExchangeType, NotifyType } from "../ike/constants.ts";
import { engineOf } from "../ike/instance.ts";
import { encodeMessage, protect } from "../ike/message/message.ts";
import { createSkProtection } from "../ike/message/sk.ts";
import type { IkeHeader, Payload } from "../ike/message/types.ts";
import { ikeSuite } from "../ike/suite.ts";
import { notify } from "../ike/wire.ts";
import { parseIp } from "../core/ip.ts";
import { type Datagram, dump, establishedPair, type Node, pair } from "./ike_fixture.ts";

/** Everything observable about a node's SAs that a bad datagram must not change. */
const snapshot = (n: Node) =>
  JSON.stringify({
    ike: n.ike.listIkeSas(),
    child: n.ike.listChildSas().map((c) => ({
      ...c,
      seqIn: String(c.seqIn),
      seqOut: String(c.seqOut),
    })),
    dp: [...n.dataplane.sas.keys()],
  });

const header = (
  spiI: Uint8Array,
  spiR: Uint8Array,
  exchange: number,
  messageId: number,
  response: boolean,
  initiator: boolean,
): IkeHeader => ({
  spiI,
  spiR,
  nextPayload: 0,
  majorVersion: 2,
  minorVersion: 0,
  exchange,
  flags: { initiator, response, higherVersion: false },
  messageId,
  length: 0,
});

Deno.test("ike robust: garbage, truncations, oversize, wrong SPIs and replays change nothing", () => {
  const { clock, wire, a, b } = establishedPair();
  const before = snapshot(b);
  const local = { address: b.address, port: 500 };
  const remote = { address: a.address, port: 500 };
  const rng = new SeededRng(5);
  const accounted = () =>
    Object.values(b.ike.drops).reduce((x, y) => x + y, 0) + b.ike.counters.retransmitsAnswered +
    b.ike.counters.keepalives + b.ike.counters.processed;
  const a0 = accounted();
  let fed = 0;
  const feed = (d: Uint8Array, port = 500) => {
    fed++;
    b.ike.receive(d, { ...local, port }, { ...remote, port });
  };
  // Random garbage and every truncation of every message seen so far.
  for (let i = 0; i < 200; i++) feed(rng.fill(new Uint8Array(1 + (i % 90))));
  for (const d of wire.log) for (let n = 0; n < d.data.length; n += 7) feed(d.data.subarray(0, n));
  feed(new Uint8Array(70_000));
  // Bit flips of authentic messages.
  for (const d of wire.log) {
    for (let k = 0; k < 20; k++) {
      const m = d.data.slice();
      const i = 28 + Math.floor((k / 20) * (m.length - 28));
      m[i]! ^= 1 << (k % 8);
      feed(m);
    }
  }
  // Replays of the whole conversation, in order.
  const replays = wire.log.filter((d) => d.to.address.bytes[0] === b.address.bytes[0]).map((d) =>
    d.data
  );
  for (const d of replays) feed(d);
  // Port 4500 noise: short datagrams, keepalives.
  feed(new Uint8Array([0xff]), 4500);
  feed(new Uint8Array([0, 0, 0]), 4500);
  clock.advance(1);
  assertEquals(snapshot(b), before);
  assertEquals(accounted() - a0, fed, "every datagram was counted");
  assertEquals(b.ike.counters.processed, 2, "only the two real requests were ever processed");
  assert(
    b.ike.drops.integrity > 0 && b.ike.drops.invalid > 0 && b.ike.drops["invalid-spi"] > 0,
    JSON.stringify(b.ike.drops),
  );
  assertEquals(b.ike.counters.keepalives, 1);
  assert(
    b.ike.counters.retransmitsAnswered >= 1,
    "the replayed IKE_AUTH was answered from the cache",
  );
});

Deno.test("ike robust: authentic but unexpected messages are refused without side effects", () => {
  const { clock, a, b } = establishedPair();
  const rec = a.ike.exportSas()[0]!.ike;
  const suite = ikeSuite(rec.proposal!);
  // What a (compromised or confused) initiator could send: protected with its real keys.
  const sk = createSkProtection(
    suite.enc,
    rec.keys!.skEi,
    suite.integ,
    suite.integ ? rec.keys!.skAi : undefined,
  );
  const rng = new SeededRng(9);
  const send = (exchange: number, id: number, response: boolean, payloads: Payload[]) =>
    b.ike.receive(
      protect(
        { header: header(rec.spiI, rec.spiR, exchange, id, response, true), payloads },
        sk,
        rng,
      ),
      { address: b.address, port: 500 },
      { address: a.address, port: 500 },
    );
  const before = snapshot(b);
  const d0 = { ...b.ike.drops };
  send(ExchangeType.INFORMATIONAL, 7, true, []); // a response to nothing
  send(ExchangeType.INFORMATIONAL, 9, false, []); // outside the window
  send(ExchangeType.IKE_AUTH, 2, false, [notify(NotifyType.INITIAL_CONTACT)]); // IKE_AUTH again
  send(ExchangeType.CREATE_CHILD_SA, 2, false, [{
    kind: "nonce",
    critical: false,
    data: new Uint8Array(32),
  }]);
  send(99, 2, false, []); // an exchange that does not exist
  // IKE_SA_INIT for an established SA, in clear.
  b.ike.receive(
    encodeMessage({
      header: header(rec.spiI, new Uint8Array(8), ExchangeType.IKE_SA_INIT, 0, false, true),
      payloads: [],
    }),
    { address: b.address, port: 500 },
    { address: a.address, port: 500 },
  );
  clock.advance(1);
  assertEquals(snapshot(b), before, dump(b));
  assertEquals(b.ike.drops["unexpected-response"], d0["unexpected-response"] + 1);
  assert(b.ike.drops["invalid-message-id"] >= d0["invalid-message-id"] + 2);
  assert(b.ike.drops.malformed >= d0.malformed + 2, JSON.stringify(b.ike.drops));
});

Deno.test("ike robust: keys are wiped and keyed objects destroyed when the SA dies", () => {
  const { clock, a, b } = establishedPair();
  const sa = engineOf(a.ike).runtimes()[0]!.sa;
  const keys: Uint8Array[] = Object.values(sa.keys!);
  const child = sa.children[0]!;
  const childKeys = [child.keys!.encIn, child.keys!.encOut];
  const nonce = sa.nonceI!;
  const cipher = sa.crypto!.out.cipher;
  assert(keys.every((k) => k.some((x) => x !== 0)));
  a.ike.terminate({});
  clock.advance(100);
  assertEquals(b.ike.counts().ikeSas, 0);
  assert(keys.every((k) => k.every((x) => x === 0)), "SK_* zeroed");
  assert(childKeys.every((k) => k.every((x) => x === 0)), "KEYMAT zeroed");
  assert(nonce.every((x) => x === 0), "nonce zeroed");
  assertEquals(sa.keys, undefined);
  assertThrows(
    () => cipher.encrypt(new Uint8Array(16), new Uint8Array(0), new Uint8Array(16)),
    CryptoError,
  );
});

Deno.test("ike robust: behind a NAT, a new message moves the peer's endpoint; a replay does not", () => {
  // Found against strongSwan: an authentic request replayed from another port moved the SA (and
  // its ESP) to the replayer's port. RFC 7296 §2.23: update only on new messages.
  const { clock, wire, a, b } = pair({ b: { remoteAddress: parseIp("203.0.113.7") } });
  wire.natFor(a, "203.0.113.7");
  a.ike.initiate("vpn");
  clock.advance(100);
  const sa = () => b.ike.listIkeSas()[0]!;
  const esp = () => [...b.dataplane.sas.values()].map((s) => s.remote.port);
  const port0 = sa().remote.port;
  assert(port0 >= 40000 && esp()[0] === port0, dump(b));
  const auth = wire.log.find((d) => d.to.port === 4500)!;
  const answered = b.ike.counters.retransmitsAnswered;
  b.ike.receive(auth.data, auth.to, { address: auth.from.address, port: 50000 });
  assertEquals(b.ike.counters.retransmitsAnswered, answered + 1, "answered from the cache");
  assertEquals([sa().remote.port, ...esp()], [port0, port0], "a replay does not move the SA");

  // The NAT rebinds: a's next request arrives from a new port, and the SA follows it.
  let held: Datagram | undefined;
  wire.rules = [(d) => (d.to.port === 4500 && !held ? ((held = d), { drop: true }) : undefined)];
  a.ike.rekey({ uid: a.ike.listIkeSas()[0]!.uid });
  clock.advance(10);
  wire.rules = [];
  b.ike.receive(held!.data, held!.to, { address: held!.from.address, port: 50001 });
  clock.advance(100);
  assertEquals(sa().remote.port, 50001, dump(b));
  assert(esp().length > 0 && esp().every((p) => p === 50001), "ESP follows");
  assert(wire.log.some((d) => d.to.port === 50001), "the answer went to the new port");
});
