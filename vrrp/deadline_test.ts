import { assertEquals } from "../tests/assert.ts";
import { FakeClock } from "../core/clock.ts";
import { Deadline } from "./deadline.ts";

Deno.test("vrrp deadline: pushed later without new timers, pulled earlier re-arms, fires once", () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const d = new Deadline(clock, () => fired.push(clock.now()));
  d.set(100);
  for (let t = 10; t <= 90; t += 10) {
    clock.advance(10);
    d.setIn(100);
  }
  assertEquals(clock.pending, 1);
  clock.advance(100);
  assertEquals(fired, [190]);
  d.setIn(1000);
  d.setIn(50);
  clock.advance(2000);
  assertEquals(fired, [190, 240]);
  d.setIn(10);
  d.cancel();
  clock.advance(100);
  assertEquals([fired.length, d.due, clock.pending], [2, undefined, 0]);
});

Deno.test("vrrp deadline: fractional deadlines (skew times) fire exactly once at their time", () => {
  const clock = new FakeClock(0.1);
  const fired: number[] = [];
  const d = new Deadline(clock, () => fired.push(clock.now()));
  d.set(0.1 + 0.2 + 3609.375);
  clock.advance(5000);
  assertEquals(fired.length, 1);
  assertEquals(Math.abs(fired[0]! - 3609.675) < 1e-6, true);
});
