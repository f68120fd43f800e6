import { assertEquals, assertThrows } from "../tests/assert.ts";
import { testSa } from "../tests/esp_fixtures.ts";
import { SeqSync } from "./seq_sync.ts";

Deno.test("seq sync: threshold, sweep, drain and re-arm", () => {
  const s = new SeqSync({ packets: 10, timeMs: 1000 });
  const sa = testSa();
  s.arm(sa);
  assertEquals(sa.syncAt, 10);
  sa.seqOut = 10; // the dataplane would now call mark(): seq >= syncAt
  s.mark(sa);
  s.mark(sa);
  const got: number[] = [];
  s.drain((_, v) => got.push(v));
  assertEquals(got, [10], "queued once");
  assertEquals([sa.syncedSeq, sa.syncAt, sa.syncPending], [10, 20, false]);
  sa.seqOut = 13;
  s.sweep([sa]);
  s.drain((_, v) => got.push(v));
  assertEquals(got, [10, 13], "the sweep reports a change below the threshold");
  s.sweep([sa]);
  s.drain((_, v) => got.push(v));
  assertEquals(got, [10, 13], "no change, no report");
  sa.seqOut = 20;
  s.mark(sa);
  sa.destroy();
  s.drain((_, v) => got.push(v));
  assertEquals(got, [10, 13], "removed SAs are not reported");
  s.config = { packets: 0, timeMs: 0 };
  s.arm(sa);
  assertEquals(sa.syncAt, Infinity);
  assertThrows(() => (s.config = { packets: -1, timeMs: 0 }), RangeError, "packets to -1");
});
