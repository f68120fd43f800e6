import { assertEquals } from "../tests/assert.ts";
import { duration, formatDuration, parseDuration } from "./duration.ts";

Deno.test("duration: operator forms parse to milliseconds", () => {
  const cases: Array<[string, number | undefined]> = [
    ["10s", 10_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["500ms", 500],
    ["1h30m", 5_400_000],
    ["90", 90_000],
    ["0s", 0],
    ["", undefined],
    ["10x", undefined],
    ["s", undefined],
    ["1h 2m", undefined],
  ];
  for (const [text, ms] of cases) assertEquals(parseDuration(text), ms, text);
});

Deno.test("duration: printed in the largest exact unit", () => {
  const cases: Array<[number, string]> = [
    [0, "0s"],
    [10_000, "10s"],
    [90_000, "90s"],
    [5_400_000, "90m"],
    [7_200_000, "2h"],
    [86_400_000, "1d"],
    [1500, "1500ms"],
  ];
  for (const [ms, text] of cases) assertEquals(formatDuration(ms), text);
  assertEquals(duration().parse("3600s"), { ok: true, value: 3_600_000 });
  assertEquals(formatDuration(duration().parse("3600s").ok ? 3_600_000 : 0), "1h");
});

Deno.test("duration: ranges", () => {
  assertEquals(duration(0, 86_400_000).parse("2d"), {
    ok: false,
    reason: "2d is out of range 0s..1d",
  });
  assertEquals(duration(1000).parse("500ms"), {
    ok: false,
    reason: "500ms is out of range 1s..365d",
  });
});
