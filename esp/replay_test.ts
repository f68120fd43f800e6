import { assertEquals, assertThrows } from "../tests/assert.ts";
import { REPLAY_INVALID, REPLAY_OK, REPLAY_OLD, REPLAY_SEEN, ReplayWindow } from "./replay.ts";

const TWO32 = 0x100000000;
const NAMES = ["ok", "seen", "old", "invalid"];

/** Feeds `steps` (seq, expected verdict) through check + update, as the dataplane does. */
function run(w: ReplayWindow, steps: [number, string][], label: string): void {
  for (const [seq, want] of steps) {
    const got = NAMES[w.check(seq)];
    assertEquals(got, want, `${label}: seq ${seq}`);
    if (got === "ok") assertEquals(w.update(seq), REPLAY_OK, `${label}: update ${seq}`);
  }
}

Deno.test("replay: edge cases without ESN (table)", () => {
  const cases: { name: string; size: number; steps: [number, string][] }[] = [
    { name: "seq 0 is never valid", size: 64, steps: [[0, "invalid"], [1, "ok"], [0, "invalid"]] },
    { name: "in order", size: 64, steps: [[1, "ok"], [2, "ok"], [3, "ok"]] },
    { name: "duplicate", size: 64, steps: [[1, "ok"], [1, "seen"], [2, "ok"], [1, "seen"]] },
    {
      name: "reorder inside the window",
      size: 64,
      steps: [[5, "ok"], [3, "ok"], [4, "ok"], [1, "ok"], [2, "ok"], [3, "seen"], [6, "ok"]],
    },
    {
      name: "exactly window size back is outside, size-1 back is inside",
      size: 64,
      steps: [[100, "ok"], [36, "old"], [37, "ok"], [37, "seen"]],
    },
    {
      name: "far jump clears everything behind",
      size: 64,
      steps: [[1, "ok"], [2, "ok"], [1_000_000, "ok"], [999_999, "ok"], [2, "old"], [
        999_937,
        "ok",
      ]],
    },
    {
      name: "jump of exactly one ring",
      size: 32,
      steps: [[31, "ok"], [95, "ok"], [63, "old"], [64, "ok"], [94, "ok"], [95, "seen"]],
    },
    {
      name: "block boundary bits",
      size: 128,
      steps: [[31, "ok"], [32, "ok"], [63, "ok"], [64, "ok"], [32, "seen"], [33, "ok"], [
        31,
        "seen",
      ]],
    },
    {
      name: "top of 32-bit space",
      size: 64,
      steps: [[0xfffffffe, "ok"], [0xffffffff, "ok"], [0xffffffff, "seen"], [0xfffffffd, "ok"]],
    },
    {
      name: "large window 4096",
      size: 4096,
      steps: [[5000, "ok"], [905, "ok"], [904, "old"], [4999, "ok"], [905, "seen"], [9095, "ok"], [
        5000,
        "seen",
      ], [4999, "old"]],
    },
    {
      name: "window 0 disables the check",
      size: 0,
      steps: [[5, "ok"], [5, "ok"], [1, "ok"], [0, "invalid"]],
    },
  ];
  for (const c of cases) run(new ReplayWindow(c.size, false), c.steps, c.name);
});

Deno.test("replay: ESN high-bit inference (RFC 4303 A2.2, table)", () => {
  // [top, seqLo, expected full seq or -1]
  const W = 128;
  const cases: [string, number, number, number][] = [
    ["fresh SA, seq 1", 0, 1, 1],
    ["fresh SA, low 0 is the invalid seq 0", 0, 0, -1],
    ["fresh SA, low near 2^32 would be epoch -1", 0, 0xffffffff, -1],
    ["case A, same epoch", 1000, 999, 999],
    ["case A, bottom of window", 1000, 1000 - W + 1, 1000 - W + 1],
    ["case A, below bottom wraps to next epoch", 1000, 1000 - W, TWO32 + 1000 - W],
    ["case A, top of epoch 0, low 5 goes to epoch 1", 0xfffffff0, 5, TWO32 + 5],
    ["case B, window straddles epochs, late packet", TWO32 + 10, 0xfffffff0, 0xfffffff0],
    ["case B, current epoch", TWO32 + 10, 20, TWO32 + 20],
    ["case B, bottom of the straddling window", TWO32 + 10, 0xffffff8b, 0xffffff8b],
    [
      "case B, just below the bottom is the current epoch",
      TWO32 + 10,
      0xffffff8a,
      TWO32 + 0xffffff8a,
    ],
    ["case B, epoch 1 low 0", TWO32 + 10, 0, TWO32],
    ["case A in epoch 3", 3 * TWO32 + 500, 400, 3 * TWO32 + 400],
  ];
  for (const [name, top, lo, want] of cases) {
    const w = new ReplayWindow(W, true);
    if (top > 0) w.advanceTo(top);
    assertEquals(w.infer(lo), want, name);
  }
  const plain = new ReplayWindow(W, false);
  assertEquals(plain.infer(0), -1, "no ESN: 0 invalid");
  assertEquals(plain.infer(0xffffffff), 0xffffffff, "no ESN: identity");
});

Deno.test("replay: ESN epoch change through the window", () => {
  const w = new ReplayWindow(64, true);
  const deliver = (lo: number) => {
    const seq = w.infer(lo);
    const v = seq < 0 ? REPLAY_INVALID : w.check(seq);
    if (v === REPLAY_OK) w.update(seq);
    return [seq, NAMES[v]];
  };
  w.advanceTo(TWO32 - 3); // 0xfffffffd seen
  assertEquals(deliver(0xfffffffe), [0xfffffffe, "ok"]);
  assertEquals(deliver(1), [TWO32 + 1, "ok"]); // jumps into epoch 1
  assertEquals(deliver(0xffffffff), [0xffffffff, "ok"]); // late, still inside the window
  assertEquals(deliver(0), [TWO32, "ok"]);
  assertEquals(deliver(0), [TWO32, "seen"]);
  assertEquals(deliver(0xfffffffe), [0xfffffffe, "seen"]);
  assertEquals(w.top, TWO32 + 1);
});

Deno.test("replay: advanceTo marks the past as received, keeps the future open", () => {
  const w = new ReplayWindow(128, false);
  run(w, [[10, "ok"]], "before");
  w.advanceTo(1000);
  assertEquals(w.top, 1000);
  run(w, [[999, "seen"], [1000, "seen"], [873, "seen"], [872, "old"], [1003, "ok"], [1002, "ok"], [
    1001,
    "ok",
  ], [1001, "seen"]], "after");
  w.advanceTo(900); // backwards: no-op
  assertEquals(w.top, 1003);
  // block-aligned tops (bit 31 and bit 0 of a block)
  for (const top of [2047, 2048]) {
    const v = new ReplayWindow(64, false);
    v.advanceTo(top);
    run(
      v,
      [[top, "seen"], [top + 1, "ok"], [top - 1, "seen"], [top + 3, "ok"], [top + 2, "ok"]],
      `top ${top}`,
    );
  }
  assertThrows(() => w.advanceTo(2 ** 33), RangeError, "exceeds 32 bits");
});

Deno.test("replay: snapshot/restore is exact", () => {
  const a = new ReplayWindow(256, true);
  for (const s of [1, 2, 5, 300, 290, 77]) a.update(s);
  const b = new ReplayWindow(256, true);
  b.restore(a.snapshot());
  for (let s = 1; s < 400; s++) assertEquals(b.check(s), a.check(s), `seq ${s}`);
  assertThrows(() => new ReplayWindow(32, true).restore(a.snapshot()), RangeError, "bitmap");
});

Deno.test("replay: matches a naive model on random traffic", () => {
  // Model: a Set of seen numbers plus the top; the window is [top-W+1, top].
  let x = 12345;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const size of [32, 100, 1024]) {
    const w = new ReplayWindow(size, false);
    const seen = new Set<number>();
    let top = 0;
    let base = 1;
    for (let i = 0; i < 20000; i++) {
      const r = rnd();
      base += r < 0.05 ? Math.floor(rnd() * 3 * size) : 1;
      const seq = Math.max(1, base - Math.floor(rnd() * 1.5 * size));
      const model = seq > top
        ? REPLAY_OK
        : seq <= top - size
        ? REPLAY_OLD
        : seen.has(seq)
        ? REPLAY_SEEN
        : REPLAY_OK;
      assertEquals(w.check(seq), model, `size ${size} step ${i} seq ${seq} top ${top}`);
      if (model === REPLAY_OK) {
        w.update(seq);
        seen.add(seq);
        top = Math.max(top, seq);
      }
    }
  }
});

Deno.test("replay: invalid sizes are refused", () => {
  assertThrows(() => new ReplayWindow(-1, false), RangeError, "0..65536");
  assertThrows(() => new ReplayWindow(70000, false), RangeError, "0..65536");
  assertThrows(() => new ReplayWindow(0, true), RangeError, "ESN");
  assertEquals(new ReplayWindow(4096, true).size, 4096);
  assertEquals(new ReplayWindow(1, false).check(1), REPLAY_OK);
});
