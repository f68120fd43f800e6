import { assertEquals } from "../../tests/assert.ts";
import { bigMessage, header } from "../../tests/ike_codec_build.ts";
import { doubleAead, doubleSk } from "../../tests/ike_codec_doubles.ts";
import { SeededRng } from "../../core/rng.ts";
import { NotifyType } from "../constants.ts";
import { fragmentMessage } from "./fragment.ts";
import { decodeMessage } from "./message.ts";
import { FragmentReassembler, type FragmentResult } from "./reassembly.ts";
import type { SkProtection } from "./sk.ts";
import type { IkeMessage, RawMessage } from "./types.ts";

const SIZE = 544; // 576-byte IPv4 datagrams on port 4500

function raw(bytes: Uint8Array): RawMessage {
  const r = decodeMessage(bytes);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

function split(
  sk: SkProtection,
  msg: IkeMessage = bigMessage(),
  size = SIZE,
  seed = 1,
): RawMessage[] {
  return fragmentMessage(msg, sk, new SeededRng(seed), size).map(raw);
}

function status(r: FragmentResult): string {
  if (r.status === "pending") return `pending ${r.received}/${r.total}${r.duplicate ? " dup" : ""}`;
  return r.status === "dropped" ? `dropped ${r.error.code}` : "complete";
}

Deno.test("reassembly: fragments in order, reversed and shuffled give the message back", () => {
  for (const sk of [doubleSk(), doubleAead()]) {
    const frags = split(sk);
    const rng = new SeededRng(9);
    const shuffled = frags.map((f) => ({ f, k: rng.fill(new Uint8Array(1))[0]! })).sort((a, b) =>
      a.k - b.k
    )
      .map((x) => x.f);
    for (const order of [frags, [...frags].reverse(), shuffled]) {
      const re = new FragmentReassembler();
      const results = order.map((f) => re.add(f, sk, 0));
      assertEquals(
        results.slice(0, -1).map(status),
        order.slice(1).map((_, i) => `pending ${i + 1}/${frags.length}`),
      );
      const last = results[results.length - 1]!;
      assertEquals(last.status === "complete" && last.message.payloads, bigMessage().payloads);
      assertEquals(last.status === "complete" && last.message.header.messageId, 1);
      assertEquals(re.pending, 0);
    }
  }
});

Deno.test("reassembly: duplicates are ignored", () => {
  const sk = doubleSk();
  const frags = split(sk);
  const re = new FragmentReassembler();
  assertEquals(status(re.add(frags[0]!, sk, 0)), `pending 1/${frags.length}`);
  assertEquals(status(re.add(frags[0]!, sk, 1)), `pending 1/${frags.length} dup`);
  for (const f of frags.slice(1, -1)) re.add(f, sk, 2);
  assertEquals(status(re.add(frags[1]!, sk, 3)), `pending ${frags.length - 1}/${frags.length} dup`);
  assertEquals(status(re.add(frags[frags.length - 1]!, sk, 4)), "complete");
});

Deno.test("reassembly: a forged fragment is rejected and changes nothing", () => {
  for (const sk of [doubleSk(), doubleAead()]) {
    const frags = split(sk);
    const re = new FragmentReassembler();
    re.add(frags[0]!, sk, 0);
    const forged = frags[1]!.bytes.slice();
    forged[forged.length - 20]! ^= 0x40;
    assertEquals(status(re.add(raw(forged), sk, 0)), "dropped integrity");
    const otherKey = split(doubleSk({ key: 9 }))[1]!;
    if (sk.integrity) assertEquals(status(re.add(otherKey, sk, 0)), "dropped integrity");
    const results = frags.slice(1).map((f) => re.add(f, sk, 0));
    assertEquals(status(results[results.length - 1]!), "complete");
  }
});

Deno.test("reassembly: limits on fragments, bytes, messages and time", () => {
  const sk = doubleSk();
  const frags = split(sk);
  const total = frags.length;

  const few = new FragmentReassembler({ maxFragments: total - 1 });
  assertEquals(status(few.add(frags[0]!, sk, 0)), "dropped limit");
  assertEquals(few.pending, 0);

  const small = new FragmentReassembler({ maxBytes: 1000 });
  const seen = frags.map((f) => status(small.add(f, sk, 0)));
  assertEquals(seen.includes("dropped limit"), true);
  assertEquals(seen.includes("complete"), false);

  const slow = new FragmentReassembler({ timeoutMs: 1000 });
  slow.add(frags[0]!, sk, 0);
  assertEquals(slow.expire(999), 0);
  for (const f of frags.slice(1, -1)) slow.add(f, sk, 500);
  assertEquals(status(slow.add(frags[total - 1]!, sk, 1000)), `pending 1/${total}`);
  assertEquals(slow.expire(5000), 1);
  assertEquals(slow.pending, 0);

  const two = new FragmentReassembler({ maxMessages: 2 });
  const ids = [1, 2, 3].map((messageId) =>
    split(sk, { header: header({ messageId }), payloads: bigMessage().payloads })
  );
  two.add(ids[0]![0]!, sk, 0);
  two.add(ids[1]![0]!, sk, 1);
  two.add(ids[2]![0]!, sk, 2); // evicts message 1, the oldest
  assertEquals(two.pending, 2);
  const rest1 = ids[0]!.slice(1).map((f) => status(two.add(f, sk, 3)));
  assertEquals(rest1.includes("complete"), false);
});

Deno.test("reassembly: re-fragmentation with more fragments restarts, with fewer is dropped (RFC 7383 §2.6)", () => {
  const sk = doubleSk();
  const coarse = split(sk, bigMessage(), 1200);
  const fine = split(sk, bigMessage(), SIZE, 2);
  const re = new FragmentReassembler();
  re.add(coarse[0]!, sk, 0);
  assertEquals(status(re.add(fine[0]!, sk, 1)), `pending 1/${fine.length}`);
  assertEquals(status(re.add(coarse[1]!, sk, 2)), "dropped fragment");
  const results = fine.slice(1).map((f) => status(re.add(f, sk, 3)));
  assertEquals(results[results.length - 1], "complete");
});

Deno.test("reassembly: requests and responses with one message ID are kept apart", () => {
  const sk = doubleSk();
  const req = split(sk);
  const resp = split(sk, {
    header: header({ flags: { initiator: false, response: true, higherVersion: false } }),
    payloads: bigMessage().payloads,
  });
  const re = new FragmentReassembler();
  re.add(req[0]!, sk, 0);
  re.add(resp[0]!, sk, 0);
  assertEquals(re.pending, 2);
  const done = req.slice(1).map((f) => re.add(f, sk, 0));
  const last = done[done.length - 1]!;
  assertEquals(last.status === "complete" && last.message.header.flags.response, false);
  assertEquals(re.pending, 1);
});

Deno.test("reassembly: the whole message is checked once reassembled", () => {
  const sk = doubleSk();
  const msg = bigMessage();
  msg.payloads.push({ kind: "unknown", critical: true, type: 201, data: new Uint8Array(3) });
  const frags = split(sk, msg);
  const re = new FragmentReassembler();
  const results = frags.map((f) => re.add(f, sk, 0));
  const last = results[results.length - 1]!;
  assertEquals(last.status === "dropped" && [last.error.code, last.error.notify?.type], [
    "critical",
    NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
  ]);
  const notFragment = raw(
    fragmentMessage({ header: header(), payloads: [] }, sk, new SeededRng(1), 600)[0]!,
  );
  notFragment.payloads = [];
  assertEquals(status(re.add(notFragment, sk, 0)), "dropped fragment");
});
