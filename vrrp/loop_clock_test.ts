/** The VRRP loop's timerfd clock: order, cancellation, timers set while firing. */
import { assertEquals } from "../tests/assert.ts";
import { Poller } from "../kernel/mod.ts";
import { LoopClock } from "./loop_clock.ts";

Deno.test("vrrp loop clock: timers fire in due order through a poller, never early", async () => {
  const clock = new LoopClock();
  const poller = new Poller();
  poller.add(clock.fd);
  const fired: string[] = [];
  const early: string[] = [];
  const at = (name: string, ms: number, then?: () => void) => {
    const due = clock.now() + ms;
    return clock.setTimer(ms, () => {
      if (clock.now() < due) early.push(name);
      fired.push(name);
      then?.();
    });
  };
  try {
    at("c", 30);
    at("a", 10, () => at("a0", 0));
    at("b", 20.25);
    at("b2", 20.25);
    at("gone", 15).cancel();
    for (let i = 0; i < 100 && clock.pending > 0; i++) {
      await poller.wait(1000);
      clock.runDue((e) => {
        throw e;
      });
    }
    assertEquals(fired, ["a", "a0", "b", "b2", "c"]);
    assertEquals(early, []);
    const errors: unknown[] = [];
    at("boom", 0, () => {
      throw new Error("boom");
    });
    at("after", 0);
    await poller.wait(1000);
    clock.runDue((e) => errors.push(e));
    assertEquals([fired.at(-1), errors.length], ["after", 1], "a throwing timer stops no other");
  } finally {
    poller.close();
    clock.close();
  }
});
