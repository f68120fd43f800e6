import { assertEquals, assertThrows } from "../tests/assert.ts";
import { LogHub, type LogRecord } from "../core/log.ts";
import { DaemonLogging, parseLogLevels } from "./logging.ts";
import { formatSyslog } from "./syslog.ts";

Deno.test("logging: --log-level settings, left to right, with the error voice", () => {
  assertEquals(parseLogLevels("detail"), [{ subsystem: "all", level: "detail" }]);
  assertEquals(parseLogLevels("all=audit, ike=raw,esp=private"), [
    { subsystem: "all", level: "audit" },
    { subsystem: "ike", level: "raw" },
    { subsystem: "esp", level: "private" },
  ]);
  assertThrows(() => parseLogLevels("ikev2=detail"), Error, 'unknown subsystem "ikev2"');
  assertThrows(() => parseLogLevels("ike=loud"), Error, 'Cannot parse --log-level "ike=loud"');
  assertThrows(() => parseLogLevels(""), Error, "empty");
});

Deno.test("logging: syslog datagrams carry facility daemon, the severity and the tag", () => {
  const r: LogRecord = {
    time: new Date(2025, 10, 3, 4, 5, 6).getTime(),
    subsystem: "ike",
    level: "warn",
    message: "peer gone",
  };
  assertEquals(formatSyslog(r, 42), "<28>Nov  3 04:05:06 tandem[42]: ike warn: peer gone");
  assertEquals(formatSyslog({ ...r, level: "audit" }, 42).slice(0, 4), "<29>");
  assertEquals(formatSyslog({ ...r, level: "raw" }, 42).slice(0, 4), "<31>");
});

Deno.test("logging: records reach a syslog socket, never at the private level; reopen after it appears", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "td-syslog-" });
  const target = `${dir}/log`;
  const hub = new LogHub({ level: "private" });
  const logging = new DaemonLogging(hub, { stderr: false, syslog: target, bindDir: dir });
  try {
    assertEquals(logging.syslogPath, undefined, "no socket yet");
    const server = Deno.listenDatagram({ transport: "unixpacket", path: target });
    try {
      await logging.reopen();
      assertEquals(logging.syslogPath, target);
      const log = hub.logger("cfg");
      log.private("psk is s3cret");
      log.audit("commit 7");
      const [data] = await server.receive();
      const text = new TextDecoder().decode(data);
      assertEquals(
        /^<29>\w{3} [ \d]\d \d\d:\d\d:\d\d tandem\[\d+\]: cfg audit: commit 7$/.test(text),
        true,
        text,
      );
    } finally {
      server.close();
    }
  } finally {
    await logging.close();
    Deno.removeSync(dir, { recursive: true });
  }
});
