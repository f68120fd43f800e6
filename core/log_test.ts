import { assertEquals } from "../tests/assert.ts";
import { formatRecord, LogHub, type LogRecord } from "./log.ts";

Deno.test("log: thresholds per subsystem, private off by default", () => {
  const hub = new LogHub({ wallNow: () => 0 });
  const seen: LogRecord[] = [];
  hub.addSink((r) => seen.push(r));
  const ike = hub.logger("ike");
  ike.control("SA up");
  ike.detail("payloads");
  ike.private("SK_d 00112233");
  assertEquals(seen.map((r) => r.message), ["SA up"]);
  hub.setLevel("ike", "private");
  ike.private("SK_d 00112233");
  hub.logger("esp").private("not for esp");
  assertEquals(seen.map((r) => r.message), ["SA up", "SK_d 00112233"]);
});

Deno.test("log: lazy messages are built only when enabled", () => {
  const hub = new LogHub();
  let built = 0;
  hub.logger("esp").raw(() => {
    built++;
    return "dump";
  });
  assertEquals(built, 0);
  hub.setLevel("all", "raw");
  hub.logger("esp").raw(() => {
    built++;
    return "dump";
  });
  assertEquals(built, 1);
});

Deno.test("log: ring keeps the newest records and filters", () => {
  const hub = new LogHub({ ringSize: 3, wallNow: () => 0 });
  for (let i = 0; i < 5; i++) hub.logger(i % 2 ? "ike" : "cfg").audit(`m${i}`);
  assertEquals(hub.recent().map((r) => r.message), ["m2", "m3", "m4"]);
  assertEquals(hub.recent({ subsystem: "ike" }).map((r) => r.message), ["m3"]);
  assertEquals(hub.recent({ limit: 1 }).map((r) => r.message), ["m4"]);
  assertEquals(
    formatRecord({ time: 0, subsystem: "ike", level: "warn", message: "x" }),
    "00:00:00.000 ike  WARN: x",
  );
});
