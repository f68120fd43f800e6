import { assert, assertEquals } from "../tests/assert.ts";
import { Poller } from "./poller.ts";
import { sleepSync, TimerFd } from "./timerfd.ts";

Deno.test("timerfd: wakes a poller once armed, not before; re-arming and disarming", async () => {
  using t = TimerFd.open();
  const p = new Poller();
  p.add(t.fd);
  try {
    assertEquals(t.clear(), false, "never armed");
    const start = performance.now();
    t.arm(20.5);
    assertEquals(await p.wait(5000), 1);
    assert(p.readable(t.fd));
    assert(performance.now() - start >= 20.5, "not before its time");
    assertEquals(t.clear(), true);
    assertEquals(t.clear(), false, "one expiry, read once");
    t.arm(60_000);
    t.arm(0);
    assertEquals(await p.wait(5000), 1, "re-arming replaces the earlier setting");
    assertEquals(t.clear(), true);
    t.arm(5);
    t.disarm();
    assertEquals(await p.wait(50), 0, "a disarmed timer stays quiet");
  } finally {
    p.close();
  }
});

Deno.test("timerfd: sleepSync blocks at least the time asked, and nothing for none", () => {
  const start = performance.now();
  sleepSync(0.3);
  assert(performance.now() - start >= 0.3);
  sleepSync(0);
  sleepSync(-1);
  sleepSync(NaN);
});
