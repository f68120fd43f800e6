import { assertEquals } from "../tests/assert.ts";
import { JobQueue } from "./job_queue.ts";

Deno.test("vrrp job queue: in order, sync jobs at once when idle, errors reported and passed over", async () => {
  const errors: string[] = [];
  const q = new JobQueue((e) => errors.push((e as Error).message));
  const done: string[] = [];
  q.push(() => void done.push("sync"));
  assertEquals([done, q.busy], [["sync"], false], "ran inside push");
  let release = () => {};
  q.push(async () => {
    await new Promise<void>((r) => release = r);
    done.push("slow");
  });
  q.push(() => {
    throw new Error("boom");
  });
  q.push(() => void done.push("after"));
  assertEquals(q.busy, true);
  const idle = q.idle();
  release();
  await idle;
  assertEquals([done, errors, q.busy], [["sync", "slow", "after"], ["boom"], false]);
  await q.idle();
});
