import { assertEquals } from "../tests/assert.ts";
import { formatRecord, LogHub, type LogRecord, stderrSink } from "./log.ts";

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

Deno.test("log: the stderr sink writes one task's lines in one write, warnings at once", async () => {
  const writes: string[] = [];
  const out = {
    writeSync(p: Uint8Array): number {
      // A short write: the sink must continue with the rest.
      const n = Math.min(p.length, 40);
      writes.push(new TextDecoder().decode(p.subarray(0, n)));
      return n;
    },
  };
  const hub = new LogHub({ wallNow: () => 0 });
  hub.addSink(stderrSink(out));
  const ike = hub.logger("ike");
  ike.control("vpn[1]: connecting -> established");
  ike.control("CHILD SA net{1} installed");
  assertEquals(writes, [], "nothing written before the task ends");
  await Promise.resolve();
  assertEquals(
    writes.join(""),
    "00:00:00.000 ike  vpn[1]: connecting -> established\n" +
      "00:00:00.000 ike  CHILD SA net{1} installed\n",
  );
  const before = writes.length;
  ike.control("pending");
  ike.warn("peer gone");
  assertEquals(
    writes.slice(before).join(""),
    "00:00:00.000 ike  pending\n00:00:00.000 ike  WARN: peer gone\n",
    "a warning takes the pending lines with it at once",
  );
  await Promise.resolve();
  assertEquals(writes.slice(before).join("").split("\n").length, 3, "nothing written twice");
});

Deno.test("log: lines pending when the process exits or throws still reach stderr", async () => {
  const mod = new URL("./log.ts", import.meta.url).href;
  for (
    const [end, code] of [["Deno.exit(3);", 3], ["throw new Error('boom');", 1]] as const
  ) {
    const script = `import { LogHub, stderrSink } from "${mod}";
      const hub = new LogHub(); hub.addSink(stderrSink());
      hub.logger("dmn").control("last words"); ${end}`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", script],
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(out.code, code);
    const err = new TextDecoder().decode(out.stderr);
    assertEquals(err.includes("dmn  last words\n"), true, `${end}: ${err}`);
  }
});
