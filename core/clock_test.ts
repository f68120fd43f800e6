import { assertEquals } from "../tests/assert.ts";
import { FakeClock } from "./clock.ts";
import { randomBelow, SeededRng } from "./rng.ts";

Deno.test("clock: fake timers fire in due order, nested timers inside one advance", () => {
  const c = new FakeClock();
  const fired: string[] = [];
  c.setTimer(20, () => fired.push(`b@${c.now()}`));
  c.setTimer(10, () => {
    fired.push(`a@${c.now()}`);
    c.setTimer(5, () => fired.push(`c@${c.now()}`));
  });
  const gone = c.setTimer(12, () => fired.push("never"));
  gone.cancel();
  c.advance(15);
  assertEquals(fired, ["a@10", "c@15"]);
  assertEquals(c.now(), 15);
  c.advance(100);
  assertEquals(fired, ["a@10", "c@15", "b@20"]);
  assertEquals(c.pending, 0);
});

Deno.test("rng: seeded generator repeats and stays in bounds", () => {
  const a = new SeededRng(42).fill(new Uint8Array(16));
  const b = new SeededRng(42).fill(new Uint8Array(16));
  const c = new SeededRng(43).fill(new Uint8Array(16));
  assertEquals(a, b);
  assertEquals(a.some((x, i) => x !== c[i]), true);
  const r = new SeededRng(1);
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) counts[randomBelow(r, 3)]!++;
  assertEquals(counts.every((n) => n > 900 && n < 1100), true);
});
