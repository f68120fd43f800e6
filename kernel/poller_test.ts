import { assert, assertEquals, assertRejects } from "../tests/assert.ts";
import { EFD_CLOEXEC, EFD_NONBLOCK } from "./linux.ts";
import { libc } from "./libc.ts";
import { Poller } from "./poller.ts";

function eventfd(): { fd: number; signal(): void; close(): void } {
  const L = libc();
  const fd = L.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  assert(fd >= 0);
  const one = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);
  return { fd, signal: () => void L.write(fd, one, 8), close: () => void L.close(fd) };
}

Deno.test("poller: resolves when a watched fd becomes readable, reports which", async () => {
  const p = new Poller();
  const a = eventfd();
  const b = eventfd();
  p.add(a.fd);
  p.add(b.fd);
  setTimeout(() => b.signal(), 5);
  assertEquals(await p.wait(5000), 1);
  assertEquals([p.readable(a.fd), p.readable(b.fd)], [false, true]);
  assertEquals(await p.wait(0), 1, "level-triggered: still readable until drained");
  p.close();
  a.close();
  b.close();
});

Deno.test("poller: the event loop runs while waiting; wake() ends a wait forever", async () => {
  const p = new Poller();
  const a = eventfd();
  p.add(a.fd);
  let ticks = 0;
  const iv = setInterval(() => {
    // Only a free JS thread gets here; the third tick wakes the waiter.
    if (++ticks === 3) p.wake();
  }, 1);
  const r = await p.wait(-1);
  clearInterval(iv);
  assertEquals(r, 0);
  assert(ticks >= 3);
  assertEquals(p.readable(a.fd), false);
  p.close();
  a.close();
});

Deno.test("poller: stop() ends the running wait and every later one; close is clean", async () => {
  const p = new Poller();
  const a = eventfd();
  p.add(a.fd);
  const waiting = p.wait(-1);
  await assertRejects(() => p.wait(0), Error, "twice");
  setTimeout(() => p.close(), 2);
  assertEquals(await waiting, 0);
  assert(p.stopped);
  a.signal();
  assertEquals(await p.wait(-1), 0, "a stopped poller never waits");
  a.close();
});

Deno.test("poller: removing an fd wakes the waiter; the new set applies next time", async () => {
  const p = new Poller();
  const a = eventfd();
  const b = eventfd();
  p.add(a.fd);
  p.add(b.fd);
  const waiting = p.wait(-1);
  setTimeout(() => p.remove(a.fd), 2);
  assertEquals(await waiting, 0);
  assertEquals(p.fds, [b.fd]);
  a.signal();
  assertEquals(await p.wait(20), 0, "a removed fd is not watched");
  b.signal();
  assertEquals(await p.wait(5000), 1);
  assert(p.readable(b.fd));
  p.close();
  a.close();
  b.close();
});

Deno.test("poller: a SIGTERM handler stops a dataplane-style loop cleanly", async () => {
  const p = new Poller();
  const a = eventfd();
  p.add(a.fd);
  let loops = 0;
  const onTerm = () => p.stop();
  Deno.addSignalListener("SIGTERM", onTerm);
  try {
    const loop = (async () => {
      while (!p.stopped) {
        loops++;
        await p.wait(-1);
      }
    })();
    setTimeout(() => Deno.kill(Deno.pid, "SIGTERM"), 5);
    await loop;
  } finally {
    Deno.removeSignalListener("SIGTERM", onTerm);
  }
  assert(loops >= 1 && p.stopped);
  p.close();
  a.close();
});
