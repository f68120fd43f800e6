import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NetnsLab, rootTest } from "./netns.ts";
import { buildTopology, type TopologySpec } from "../lab/topology.ts";
import { ping } from "../lab/traffic.ts";
import { waitFor } from "../lab/command.ts";
import { sweepStaleLabs } from "../lab/sweep.ts";
import { assertGone, exists, netnsList, pidAlive } from "./lab_assert.ts";

// ha1, ha2 and a router on one bridged segment (the HA shape); a host behind the router.
const HA_SEGMENT: TopologySpec = {
  namespaces: [
    { name: "ha1", ipv6: false },
    { name: "ha2", ipv6: false },
    { name: "rt", forwarding: true, ipv6: false },
    { name: "h", ipv6: false },
  ],
  segments: [{
    name: "sw",
    members: [
      ["ha1", "lan", "10.254.10.1/24"],
      ["ha2", "lan", "10.254.10.2/24"],
      ["rt", "lan", "10.254.10.254/24"],
    ],
  }],
  links: [{ a: ["rt", "far", "10.254.20.1/24"], b: ["h", "eth0", "10.254.20.10/24"] }],
  routes: [
    { ns: "h", to: "default", via: "10.254.20.1" },
    { ns: "ha1", to: "10.254.20.0/24", via: "10.254.10.254" },
    { ns: "ha2", to: "default", via: "10.254.10.254" },
  ],
};

rootTest("lab topology: three members on one bridge reach each other, routes work", async () => {
  let names: string[] = [];
  let runDir = "";
  {
    await using lab = new NetnsLab("ts");
    runDir = lab.runDir;
    const topo = await buildTopology(lab, HA_SEGMENT);
    names = [...lab.namespaces];
    assertEquals(names.length, 5, "4 namespaces + the segment's");
    const members: Array<[string, string]> = [
      ["ha1", "10.254.10.1"],
      ["ha2", "10.254.10.2"],
      ["rt", "10.254.10.254"],
    ];
    for (const [from] of members) {
      for (const [to, addr] of members) {
        if (from === to) continue;
        const r = await ping(topo.ns(from), addr, { count: 1, waitSeconds: 2 });
        assertEquals(r.received, 1, `${from} -> ${to} (${addr})`);
      }
    }
    // Routed through rt: ha1 by a prefix route, ha2 by its default route.
    assertEquals((await ping(topo.ns("ha1"), "10.254.20.10", { count: 1 })).received, 1);
    assertEquals((await ping(topo.ns("ha2"), "10.254.20.10", { count: 1 })).received, 1);
    const list = await netnsList();
    for (const n of names) assertStringIncludes(list, n);
    const sysctl = await lab.exec(topo.ns("rt"), ["sysctl", "-n", "net.ipv4.ip_forward"]);
    assertEquals(sysctl.stdout.trim(), "1");
    const v6 = await lab.exec(topo.ns("ha1"), ["sysctl", "-n", "net.ipv6.conf.lan.disable_ipv6"]);
    assertEquals(v6.stdout.trim(), "1", "IPv6 off on links created after the namespace");
  }
  await assertGone(names, runDir);
});

rootTest(
  "lab topology: an exception half-way leaves no namespace, process or run dir",
  async () => {
    let names: string[] = [];
    let runDir = "";
    let pid = 0;
    await assertRejects(
      async () => {
        await using lab = new NetnsLab("ts");
        runDir = lab.runDir;
        const topo = await buildTopology(lab, {
          namespaces: [{ name: "a" }, { name: "b" }],
          links: [{ a: ["a", "x", "10.254.11.1/30"], b: ["b", "x", "10.254.11.2/30"] }],
        });
        names = [...lab.namespaces];
        pid = lab.start(topo.ns("a"), ["sleep", "600"], { name: "sleeper" }).pid;
        // A process the lab did not start itself, left running in a namespace.
        await lab.exec(topo.ns("b"), ["sh", "-c", "sleep 600 >/dev/null 2>&1 &"]);
        // Fails: the veth name exists already in "a".
        await lab.veth([topo.ns("a"), "x"], [topo.ns("b"), "y"]);
      },
      Error,
      "Command failed",
    );
    assert(names.length === 2 && pid > 0, "the lab was built before the failure");
    await assertGone(names, runDir, [pid]);
  },
);

rootTest("lab topology: program output goes to files in the run dir", async () => {
  await using lab = new NetnsLab("ts");
  const ns = await lab.netns("a");
  const p = lab.start(ns, ["sh", "-c", "echo out-line; echo err-line >&2; exit 3"], {
    name: "echo",
  });
  const status = await p.status;
  assertEquals(status.code, 3);
  assertEquals(await p.stdout(), "out-line\n");
  assertEquals(await p.stderr(), "err-line\n");
  assertEquals(p.stdoutPath, `${lab.runDir}/echo.out`);
  const mode = Deno.statSync(lab.runDir).mode! & 0o777;
  assertEquals(mode, 0o700, "run dir is private");
  // Every layer execs in place: the pid we signal is the program's own.
  const self = lab.start(ns, ["sh", "-c", "echo $$"], { name: "self" });
  await self.status;
  assertEquals(await self.stdout(), `${self.pid}\n`);
  const bad = lab.start(`${lab.tag}nosuch`, ["true"], { name: "bad" });
  assertEquals((await bad.status).success, false);
  assertStringIncludes(await bad.stderr(), "Cannot open network namespace");
});

rootTest("lab topology: a bind mount in the process's namespace stays private", async () => {
  await using lab = new NetnsLab("ts");
  const ns = await lab.netns("a");
  const dir = `${lab.runDir}/private-run`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/marker`, "mine");
  const p = lab.start(ns, ["cat", "/run/marker"], { name: "cat", bindMounts: [[dir, "/run"]] });
  assertEquals((await p.status).code, 0);
  assertEquals(await p.stdout(), "mine");
  assertEquals(exists("/run/marker"), false, "the host's /run is untouched");
});

/** Starts the fixture program and returns it with what it built. */
async function startFixture(): Promise<{
  child: Deno.ChildProcess;
  built: { namespaces: string[]; runDir: string; pid: number };
  close: () => Promise<void>;
}> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", new URL("./lab_signal_fixture.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const built = JSON.parse(text) as { namespaces: string[]; runDir: string; pid: number };
  assertEquals(built.namespaces.length, 2);
  assert(pidAlive(built.pid), "the sleeper runs");
  const close = async () => {
    await reader.cancel();
    await child.stderr.cancel();
  };
  return { child, built, close };
}

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  rootTest(`lab topology: ${signal} to the lab process deletes everything`, async () => {
    const { child, built, close } = await startFixture();
    child.kill(signal);
    const status = await child.status;
    await close();
    assertEquals(status.code, code);
    await assertGone(built.namespaces, built.runDir, [built.pid]);
  });
}

rootTest("lab topology: the sweeper removes what a SIGKILLed lab process left", async () => {
  const { child, built, close } = await startFixture();
  child.kill("SIGKILL");
  await child.status;
  await close();
  const list = await netnsList();
  for (const n of built.namespaces) assertStringIncludes(list, n, "SIGKILL leaves the lab behind");
  // Only labs of dead owners are swept: a live lab of this process stays.
  await using live = new NetnsLab("ts");
  const liveNs = await live.netns("live");
  const report = await sweepStaleLabs({ prefix: "ts" });
  for (const n of built.namespaces) assert(report.namespaces.includes(n), `${n} swept`);
  assert(report.killed.includes(built.pid), "the orphaned sleeper was killed");
  assert(report.runDirs.includes(built.runDir));
  await waitFor(() => !pidAlive(built.pid), { timeoutMs: 5000, what: "the sleeper to go" });
  await assertGone(built.namespaces, built.runDir, [built.pid]);
  assertStringIncludes(await netnsList(), liveNs);
  assert(exists(live.runDir));
});
