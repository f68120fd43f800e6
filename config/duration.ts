/**
 * Durations as operators write them (`10s`, `2h`, `1d`, `500ms`, `1h30m`,
 * or a bare number of seconds as in strongSwan), stored as milliseconds and
 * printed in the largest unit that represents them exactly.
 *
 * @module
 */
import type { ValueType } from "./schema.ts";

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];
const UNIT_MS = new Map(UNITS);

/** Parses a duration into milliseconds, or returns undefined. */
export function parseDuration(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  const re = /([0-9]+)(ms|d|h|m|s)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS.get(m[2]!)!;
    pos = re.lastIndex;
  }
  return pos > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** Canonical text: `0s`, or one number in the largest unit that divides the value. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  for (const [unit, size] of UNITS) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A duration leaf type between `min` and `max` milliseconds. */
export function duration(min = 0, max = 365 * 86_400_000): ValueType<number> {
  return {
    syntax: "<duration: 500ms 10s 5m 2h 1d>",
    parse(text) {
      const v = parseDuration(text);
      if (v === undefined) {
        return { ok: false, reason: `"${text}" is not a duration (e.g. 10s, 2h)` };
      }
      if (v < min || v > max) {
        return {
          ok: false,
          reason: `${text} is out of range ${formatDuration(min)}..${formatDuration(max)}`,
        };
      }
      return { ok: true, value: v };
    },
    format: formatDuration,
  };
}
