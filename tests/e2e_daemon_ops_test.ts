/**
 * The daemon's operational commands and logging, end to end: `show log`
 * with its filters, `log level` at run time, `show version`, `show daemon`
 * and `show interface` with `--json` (every output parses); syslog
 * datagrams, and SIGHUP reopening the syslog socket; how `tandem cli`
 * finds the daemon without `--socket` (through the state directory), and
 * local mode once the daemon is stopped (its commits applied at the next
 * start).
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { rootTest } from "./netns.ts";
import { DaemonLab, tandem } from "./daemon_lab.ts";
import { sleep, waitFor } from "../lab/command.ts";

interface Levels {
  levels: Record<string, string>;
}
interface Records {
  records: { time: string; subsystem: string; level: string; message: string }[];
}

rootTest("daemon e2e: show log, log level, show version, show daemon, --json", async () => {
  await using d = await DaemonLab.create(1);
  const daemon = await d.start([
    "--config",
    d.file("c.conf", "vrf main interface physical eth1 port p1 ipv4 address 10.1.0.1/24\n"),
    "--log-level",
    "all=control,knl=detail",
  ]);
  let levels = (await d.json<Levels>("show log levels")).levels;
  assertEquals([levels["knl"], levels["cfg"], levels["ike"]], ["detail", "control", "control"]);

  const knl = (await d.json<Records>("show log subsystem knl")).records;
  assert(knl.length > 0 && knl.every((r) => r.subsystem === "knl"));
  assert(knl.some((r) => r.message === "vrf main interface eth1: address 10.1.0.1/24 added"));
  assert(!Number.isNaN(Date.parse(knl[0]!.time)));
  const audit = (await d.json<Records>("show log level audit count 2")).records;
  assert(audit.length <= 2 && audit.every((r) => ["error", "warn", "audit"].includes(r.level)));
  const text = await d.ok("show log subsystem dmn count 1");
  assert(/^\d\d:\d\d:\d\d\.\d{3} dmn {2}started: pid \d+, socket /.test(text), text);

  // Run-time levels: knl quiet, then a change logs nothing at knl.
  levels = (await d.json<Levels>("log level knl warn")).levels;
  assertEquals(levels["knl"], "warn");
  const before = (await d.json<Records>("show log subsystem knl count 1000")).records.length;
  await d.ok("vrf main interface physical eth1 ipv4 address 10.1.1.1/24", "commit");
  assertEquals((await d.json<Records>("show log subsystem knl count 1000")).records.length, before);
  await d.ok("log level all detail");
  assertEquals(
    Object.values((await d.json<Levels>("show log levels")).levels).every((l) => l === "detail"),
    true,
  );
  const bad = await d.cli("log level ike loud");
  assertEquals([bad.code, bad.stderr], [1, 'Cannot run "log level": unknown level "loud"\n']);

  const version = await d.json<{ version: string; deno: string }>("show version");
  assertEquals(version.deno, Deno.version.deno);
  const show = await d.json<{ pid: number; socket: string; stateDir: string; vrfPrefix: string }>(
    "show daemon",
  );
  assertEquals([show.pid, show.socket, show.stateDir, show.vrfPrefix], [
    daemon.pid,
    d.socket,
    d.stateDir,
    d.vrfPrefix,
  ]);
  for (const cmd of ["show interface", "show interface vrf main eth1", "show log"]) {
    JSON.parse(await d.ok(`${cmd} --json`));
  }
  const usage = await d.cli("show interface vrf");
  assertEquals(
    usage.stderr,
    'Cannot run "show interface vrf": usage: show interface [vrf <vrf>] [<name>] [--json]\n',
  );
});

rootTest("daemon e2e: syslog datagrams, SIGHUP reopens the syslog socket", async () => {
  await using d = await DaemonLab.create(1);
  const path = `${d.lab.runDir}/log.sock`;
  const daemon = await d.start(["--syslog", path]);
  assertEquals((await d.json<{ syslog: string | null }>("show daemon")).syslog, null);
  const server = Deno.listenDatagram({ transport: "unixpacket", path });
  try {
    daemon.signal("SIGHUP");
    await waitFor(async () => (await d.json<{ syslog: string | null }>("show daemon")).syslog, {
      timeoutMs: 10_000,
      what: "the daemon to reopen syslog",
    });
    await d.ok("log level knl raw");
    const dec = new TextDecoder();
    let line = "";
    while (!line.includes("log level of knl set to raw")) {
      const next = await Promise.race([server.receive(), sleep(10_000).then(() => undefined)]);
      if (!next) throw new Error("no syslog datagram within 10 s");
      line = dec.decode(next[0]);
    }
    assertEquals(line.startsWith("<29>"), true, line);
    assertStringIncludes(line, ` tandem[${daemon.pid}]: dmn audit: log level of knl set to raw`);
    assertEquals((await d.json<{ syslog: string | null }>("show daemon")).syslog, path);
  } finally {
    server.close();
  }
});

rootTest(
  "daemon e2e: tandem cli finds the daemon through the state directory; local mode when stopped",
  async () => {
    await using d = await DaemonLab.create(2);
    const first = await d.start();
    const viaStateDir = await tandem([
      "cli",
      "--state-dir",
      d.stateDir,
      "-c",
      "show daemon --json",
    ]);
    assertEquals(viaStateDir.code, 0, viaStateDir.stderr);
    assertEquals(JSON.parse(viaStateDir.stdout).pid, first.pid);

    assertEquals((await first.stop()).code, 0);
    const local = await tandem([
      "cli",
      "--state-dir",
      d.stateDir,
      "-c",
      "vrf main interface physical eth1 port p1 ipv4 address 10.1.0.1/24",
      "-c",
      "commit",
    ]);
    assertEquals([local.code, local.stdout], [0, "Configuration committed.\n"]);
    assertEquals((await d.state()).main!.addrs, [], "local mode applies nothing");
    const ops = await tandem(["cli", "--state-dir", d.stateDir, "-c", "show interface"]);
    assertEquals(ops.code, 1, "operational commands need the daemon");
    await d.start();
    assertEquals((await d.state()).main!.addrs, ["eth1 10.1.0.1/24"]);
  },
);
