/**
 * Malformed input against the IKE codec, starting from the strongSwan
 * captures: truncation at every offset, length fields off, unknown and
 * critical payloads, broken structures inside authentic encrypted
 * payloads, and seeded random mutations. Every case is rejected with the
 * expected reason (and notification) or decoded consistently; nothing
 * throws.
 */
import { assert, assertEquals } from "./assert.ts";
import { type CapturedIke, CAPTURES, keysOf, loadCapture } from "./ike_codec_captures.ts";
import { toHex } from "./pcap.ts";
import { skForProposal } from "./ike_codec_suites.ts";
import { SeededRng } from "../core/rng.ts";
import { MAX_MESSAGE_SIZE, NotifyType, PayloadType as T } from "../ike/constants.ts";
import {
  checkPayloadRules,
  decodeMessage,
  describeMessage,
  encodeMessage,
  encodePayloadChain,
  type RawMessage,
  type SkProtection,
  unprotect,
} from "../ike/message/mod.ts";
import { sealBody } from "../ike/message/sk.ts";

const ALL: CapturedIke[] = CAPTURES.flatMap((c) => loadCapture(c));
const REF = loadCapture("ref-noesn-encap_no");
/** The IKE proposal each capture's IKE_SA_INIT response accepted. */
const PROPOSALS = new Map(CAPTURES.map((c) => {
  const r = decodeMessage(loadCapture(c)[1]!.bytes);
  const sa = r.ok ? r.value.payloads.find((p) => p.kind === "sa") : undefined;
  if (sa?.kind !== "sa") throw new Error(`no SA in the IKE_SA_INIT response of ${c}`);
  return [c, sa.proposals[0]!];
}));

/** The SK protection of a captured message (none for IKE_SA_INIT). */
function skOf(m: CapturedIke): SkProtection | undefined {
  if (m.record.exchange === "IKE_SA_INIT") return undefined;
  const { enc, integ } = keysOf(m);
  return skForProposal(PROPOSALS.get(m.capture)!, enc, integ);
}

/** The SK protection of a protected message. */
function skOfSealed(m: CapturedIke): SkProtection {
  const sk = skOf(m);
  if (!sk) throw new Error(`${m.capture} #${m.index} is not protected`);
  return sk;
}

function decoded(bytes: Uint8Array): RawMessage {
  const r = decodeMessage(bytes);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

/** A copy of `bytes` with its IKE Length field rewritten to match (when it has one). */
function withLength(bytes: Uint8Array): Uint8Array {
  const b = bytes.slice();
  if (b.length >= 28) new DataView(b.buffer).setUint32(24, b.length);
  return b;
}

/**
 * The payloads of a well-formed chain: where each starts, its type, and
 * where the Next Payload field announcing it is (`-1`: outside the chain).
 */
function walk(
  bytes: Uint8Array,
  start: number,
  first: number,
): { at: number; type: number; announcer: number }[] {
  const out: { at: number; type: number; announcer: number }[] = [];
  for (let at = start, type = first, announcer = -1; type !== 0;) {
    out.push({ at, type, announcer });
    type = bytes[at]!;
    announcer = at;
    at += (bytes[at + 2]! << 8) | bytes[at + 3]!;
  }
  return out;
}

/** The plaintext inner chain of a captured ref-noesn message. */
function innerOf(m: CapturedIke): { plain: Uint8Array; first: number } {
  const r = unprotect(decoded(m.bytes), skOfSealed(m));
  if (!r.ok) throw new Error(r.error.reason);
  const chain = encodePayloadChain(r.value.message.payloads);
  return { plain: chain.bytes, first: chain.firstType };
}

/** Re-seals `plain` (any bytes) in the header of `m` with `m`'s keys: authentic garbage. */
function sealRaw(m: CapturedIke, plain: Uint8Array, first: number): Uint8Array {
  const sk = skOfSealed(m);
  const pad = (16 - ((plain.length + 1) % 16)) % 16;
  const skLength = 4 + 16 + plain.length + pad + 1 + 12;
  const out = new Uint8Array(28 + skLength);
  out.set(m.bytes.subarray(0, 28));
  out[16] = T.SK;
  new DataView(out.buffer).setUint32(24, out.length);
  out.set([first, 0, skLength >> 8, skLength & 0xff], 28);
  sealBody(out, 32, plain, new Uint8Array(pad), new Uint8Array(16).fill(0x42), sk);
  return out;
}

Deno.test("malformed: every truncation of every captured message is rejected", () => {
  let cases = 0;
  for (const m of ALL) {
    const sk = skOf(m);
    for (let k = 0; k < m.bytes.length; k++) {
      cases++;
      const cut = m.bytes.subarray(0, k);
      const plain = decodeMessage(cut);
      assertEquals(plain.ok, false, `${m.capture} #${m.index} cut at ${k}`);
      if (k < 28) continue;
      // The same cut with the Length field fixed: the payload parser must catch it.
      const fixed = decodeMessage(withLength(cut));
      if (!fixed.ok) {
        assert(["truncated", "length", "syntax"].includes(fixed.error.code), fixed.error.reason);
        continue;
      }
      assert(sk !== undefined, `${m.capture} #${m.index} cut at ${k} decoded`);
      assertEquals(unprotect(fixed.value, sk).ok, false, `${m.capture} #${m.index} cut at ${k}`);
    }
  }
  assertEquals(cases, ALL.reduce((n, m) => n + m.bytes.length, 0));
});

Deno.test("malformed: generic payload lengths off by any amount are caught where they are", () => {
  const init = REF[0]!.bytes; // SA KE No N N N N N, unprotected
  const starts = walk(init, 28, init[16]!).map((p) => p.at);
  assertEquals(starts.length, 8);
  for (const at of starts) {
    const len = (init[at + 2]! << 8) | init[at + 3]!;
    for (const bad of [0, 1, 3, len - 1, len + 1, len + 4, 0xffff]) {
      const b = init.slice();
      b[at + 2] = bad >> 8;
      b[at + 3] = bad & 0xff;
      const r = decodeMessage(b);
      assertEquals(r.ok, false, `payload at ${at} with length ${bad}`);
      if (r.ok) continue;
      assertEquals(
        r.error.notify?.type,
        NotifyType.INVALID_SYNTAX,
        `payload at ${at} length ${bad}`,
      );
      assert(r.error.offset >= at, `payload at ${at} length ${bad}: error at ${r.error.offset}`);
    }
  }
});

Deno.test("malformed: unknown payloads in a captured message: skipped, or refused when critical", () => {
  const init = REF[0]!.bytes;
  // The third notify (FRAG_SUP, the 6th payload) becomes payload type 200.
  const { at, announcer, type } = walk(init, 28, init[16]!)[5]!;
  assertEquals(type, T.NOTIFY);
  const b = init.slice();
  b[announcer] = 200;
  const r = decodeMessage(b);
  assertEquals(
    r.ok && r.value.payloads.map((p) => p.kind).join(" "),
    "sa ke nonce notify notify unknown notify notify",
  );
  if (r.ok) assertEquals(toHex(encodeMessage(r.value)), toHex(b)); // kept whole, re-encoded exactly
  b[at + 1] = 0x80;
  const c = decodeMessage(b);
  assertEquals(c.ok ? undefined : [c.error.code, c.error.offset, c.error.notify], [
    "critical",
    at,
    { type: NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, data: Uint8Array.of(200) },
  ]);
  // Next-payload pointing past the end, and a loop-inducing zero length.
  const last = init.slice();
  last[walk(init, 28, init[16]!)[7]!.at] = T.NOTIFY;
  assertEquals(decodeMessage(last).ok ? "ok" : "refused", "refused");
  const oversized = new Uint8Array(MAX_MESSAGE_SIZE + 1);
  oversized.set(init);
  assertEquals(decodeMessage(withLength(oversized)).ok ? "" : "limit", "limit");
});

Deno.test("malformed: broken structures inside authentic encrypted payloads", () => {
  const auth = REF[2]!; // IDi N IDr AUTH SA TSi TSr N N N
  const { plain, first } = innerOf(auth);
  const chain = walk(plain, 0, first); // IDi N IDr AUTH SA TSi TSr N N N
  const sa = chain[4]!.at;
  const tsi = chain[5]!.at;
  const idr = chain[2]!;
  const mutate = (edits: [number, number][]) => {
    const p = plain.slice();
    for (const [at, v] of edits) p[at] = v;
    return p;
  };
  const del = REF[6]!; // INFORMATIONAL [ D(proto 3, 1 SPI) ]
  const delPlain = innerOf(del);
  const cases: [string, CapturedIke, Uint8Array, number, string, number][] = [
    ["TS selector length 15", auth, mutate([[tsi + 8 + 3, 15]]), first, "length", tsi + 8 + 2],
    ["TS count 2", auth, mutate([[tsi + 4, 2]]), first, "truncated", tsi + 4 + 4 + 16],
    ["TS type 8 with IPv4 length", auth, mutate([[tsi + 8, 8]]), first, "length", tsi + 8 + 2],
    ["proposal number 0", auth, mutate([[sa + 4 + 4, 0]]), first, "syntax", sa + 4 + 4],
    ["ESP SPI size 8", auth, mutate([[sa + 4 + 6, 8]]), first, "syntax", sa + 4 + 6],
    ["transform count 4", auth, mutate([[sa + 4 + 7, 4]]), first, "length", sa + 4 + 7],
    [
      "delete SPI size 8",
      del,
      (() => {
        const p = delPlain.plain.slice();
        p[5] = 8;
        return p;
      })(),
      delPlain.first,
      "syntax",
      5,
    ],
    [
      "unknown critical inner payload",
      auth,
      mutate([[idr.announcer, 222], [idr.at + 1, 0x80]]),
      first,
      "critical",
      idr.at,
    ],
    [
      "SK inside SK",
      auth,
      mutate([[idr.announcer, T.SK]]),
      first,
      "syntax",
      idr.at,
    ],
  ];
  for (const [label, m, p, f, code, offset] of cases) {
    const r = unprotect(decoded(sealRaw(m, p, f)), skOfSealed(m));
    assertEquals(
      r.ok ? undefined : [r.error.code, r.error.offset],
      [code, offset],
      `${label}: ${r.ok ? "" : r.error.reason}`,
    );
    if (!r.ok) {
      const want = code === "critical"
        ? NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD
        : NotifyType.INVALID_SYNTAX;
      assertEquals(r.error.notify?.type, want, label);
    }
  }
  // The unmodified plaintext re-sealed still decodes: the harness itself is sound.
  assertEquals(unprotect(decoded(sealRaw(auth, plain, first)), skOfSealed(auth)).ok, true);
});

/** One random mutation: flip, set, cut, extend or duplicate bytes. */
function mutateBytes(rng: SeededRng, src: Uint8Array): Uint8Array {
  const r = () => rng.fill(new Uint8Array(4)).reduce((a, b) => a * 256 + b, 0);
  const kind = r() % 5;
  let b = src.slice();
  const at = r() % Math.max(1, b.length);
  if (kind === 0) { for (let i = 1 + (r() % 4); i > 0; i--) b[r() % b.length]! ^= 1 << (r() % 8); }
  else if (kind === 1) b[at] = [0, 0xff, 1, 4, 0x80, r() & 0xff][r() % 6]!;
  else if (kind === 2) b = b.subarray(0, at);
  else if (kind === 3) b = Uint8Array.of(...b, ...rng.fill(new Uint8Array(1 + (r() % 8))));
  else b = Uint8Array.of(...b.subarray(0, at), ...b.subarray(at - Math.min(at, 8)));
  return r() % 2 ? withLength(b) : b;
}

/** Decodes everything there is to decode; a thrown exception fails the caller. */
function exercise(bytes: Uint8Array, sk: SkProtection | undefined): string {
  const r = decodeMessage(bytes);
  if (!r.ok) return `outer ${r.error.code}`;
  let payloads = r.value.payloads;
  if (payloads[payloads.length - 1]?.kind === "sk") {
    if (!sk) return "sealed";
    const u = unprotect(r.value, sk);
    if (!u.ok) return `inner ${u.error.code}`;
    payloads = u.value.message.payloads;
  }
  const msg = { header: r.value.header, payloads };
  describeMessage(msg);
  checkPayloadRules(msg.header.exchange, msg.header.flags.response, payloads);
  // Whatever decodes re-encodes, and decodes again to the same model.
  const again = decodeMessage(encodeMessage(msg));
  if (!again.ok) throw new Error(`re-encoded message does not decode: ${again.error.reason}`);
  assertEquals(again.value.payloads, payloads);
  return "decoded";
}

Deno.test("malformed: 10 000 seeded random mutations of captured messages, zero exceptions", () => {
  const rng = new SeededRng(7296);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 10_000; i++) {
    const m = ALL[i % ALL.length]!;
    const sk = skOf(m);
    const bytes = mutateBytes(rng, m.bytes);
    let outcome: string;
    try {
      outcome = exercise(bytes, sk);
    } catch (e) {
      throw new Error(`mutation ${i} of ${m.capture} #${m.index} threw: ${e}\n${toHex(bytes)}`);
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  assertEquals([...outcomes.values()].reduce((a, b) => a + b, 0), 10_000);
  assert(
    (outcomes.get("decoded") ?? 0) > 0 && (outcomes.get("inner integrity") ?? 0) > 0,
    JSON.stringify([...outcomes]),
  );
});

Deno.test("malformed: 10 000 seeded mutations of authentic plaintexts, zero exceptions", () => {
  const rng = new SeededRng(5996);
  const sources = REF.filter((m) => m.record.exchange !== "IKE_SA_INIT").map((m) => ({
    m,
    ...innerOf(m),
  }));
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 10_000; i++) {
    const { m, plain, first } = sources[i % sources.length]!;
    const mutated = mutateBytes(rng, plain);
    const firstType = i % 7 === 0 ? rng.fill(new Uint8Array(1))[0]! : first;
    let outcome: string;
    try {
      outcome = exercise(sealRaw(m, mutated, firstType), skOfSealed(m));
    } catch (e) {
      throw new Error(`plaintext mutation ${i} of #${m.index} threw: ${e}\n${toHex(mutated)}`);
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  assertEquals(outcomes.get("inner integrity"), undefined);
  assert(
    (outcomes.get("decoded") ?? 0) > 0 && (outcomes.get("inner syntax") ?? 0) > 0,
    JSON.stringify([...outcomes]),
  );
});
