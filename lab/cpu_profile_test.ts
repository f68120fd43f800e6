import { assert, assertRejects } from "../tests/assert.ts";
import { CpuProfiler } from "./cpu_profile.ts";

function spinForProfile(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x = (x * 31 + 7) % 1_000_003;
  return x;
}

Deno.test("cpu profile: busy code shows up by function and by file; stop before start fails", async () => {
  const p = new CpuProfiler();
  await assertRejects(() => p.stop(), Error, "not started");
  await p.start();
  spinForProfile(150);
  const s = await p.stop();
  assert(
    s.functions.some((l) => l.includes("spinForProfile lab/cpu_profile_test.ts")),
    s.functions.join("\n"),
  );
  assert(s.files.some((l) => / lab\/cpu_profile_test\.ts$/.test(l)), s.files.join("\n"));
  const ms = Number(s.functions.find((l) => l.includes("spinForProfile"))!.split(" ")[0]);
  assert(ms > 0, `self time of the busy function: ${ms}`);
});
