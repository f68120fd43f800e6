/**
 * `tandem lab`, the README's first command, as a user runs it: against
 * strongSwan and against a second Tandem node it exits 0 after a tunnel
 * that carried pings, prints `show ike` and a summary whose SPIs agree with
 * the peer's, and leaves no namespace, process or directory behind; with
 * `--keep` it waits until Ctrl-C and then tears down the same way.
 *
 * @module
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { netnsList } from "./lab_assert.ts";
import { rootTest } from "./netns.ts";
import { waitFor } from "../lab/command.ts";
import { tandem, tandemCommand } from "../lab/tandem_node.ts";

const NEEDS_SWAN = {
  programs: ["swanctl", "charon", "ping", "nsenter"],
  programPaths: ["/usr/lib/ipsec", "/usr/libexec/ipsec"],
};

/** The namespaces the demo says it built. */
function namespacesOf(out: string): string[] {
  const m = /network built: namespaces (.*)/.exec(out);
  assert(m, `no "network built" line in:\n${out}`);
  return m[1]!.trim().split(" ");
}

async function checkClean(out: string): Promise<void> {
  const names = namespacesOf(out);
  assertEquals(names.length, 4);
  const left = await netnsList();
  for (const n of names) assert(!left.includes(n), `namespace ${n} left behind`);
  const tag = names[0]!.replace(/lan1$/, "");
  const dirs = [...Deno.readDirSync("/tmp")].filter((e) => e.name.startsWith(`tandem-lab-${tag}-`));
  assertEquals(dirs, [], "run directory left behind");
}

function checkRun(out: string, peer: string): void {
  assertStringIncludes(out, "Configuration committed.");
  assertMatch(out, /tunnel up [\d.]+ s after the commit/);
  // Replies through the tunnel both ways (the demo fails with none; a loaded host may lose one).
  assertMatch(out, /ping lan1 -> 10\.250\.0\.200: [1-9]\d*\/10 replies/);
  assertMatch(out, /ping lan2 -> 10\.100\.0\.65: [1-9]\d*\/10 replies/);
  assertStringIncludes(out, "ha1> show ike vrf main ike-sa");
  assertMatch(out, /VPN +Local-Addr +Local-ID +Remote-Addr +Remote-ID +State +Child-SAs/);
  assertMatch(
    out,
    /vpn-secgw +10\.175\.0\.1 +10\.175\.0\.1 +10\.225\.0\.1 +10\.225\.0\.1 +established +1/,
  );
  assertStringIncludes(out, "ha1> show ike vrf main child-sa");
  assertStringIncludes(out, `SPIs agree with ${peer}`);
  assertStringIncludes(out, `teardown: IKE Delete seen by ${peer}`);
}

rootTest("tandem lab: against strongSwan, exit 0, nothing left behind", async () => {
  const r = await tandem(["lab", "--peer", "strongswan"]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  checkRun(r.stdout, "strongSwan");
  assertStringIncludes(r.stdout, "esn false: strongSwan 5.9.8's libipsec");
  await checkClean(r.stdout);
}, NEEDS_SWAN);

rootTest("tandem lab --peer tandem: two Tandem daemons, exit 0, nothing left behind", async () => {
  const r = await tandem(["lab", "--peer", "tandem"]);
  assertEquals(r.code, 0, r.stdout + r.stderr);
  checkRun(r.stdout, "the Tandem SecGW");
  assertStringIncludes(r.stdout, "esn true");
  await checkClean(r.stdout);
}, { programs: ["ping", "nsenter"] });

rootTest("tandem lab --keep: runs until Ctrl-C, then tears down in order", async () => {
  const child = new Deno.Command(tandemCommand()[0]!, {
    args: [...tandemCommand().slice(1), "lab", "--keep", "--peer", "tandem"],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let out = "";
  const dec = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of child.stdout) out += dec.decode(chunk, { stream: true });
  })();
  const errText = new Response(child.stderr).text();
  try {
    await waitFor(() => out.includes("Ctrl-C tears it all down."), {
      timeoutMs: 120_000,
      what: "tandem lab --keep to wait",
      detail: () => out,
    });
    // Still up: the tunnel stays while it waits.
    assert(!out.includes("stopping the tandem daemon"));
    child.kill("SIGINT");
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  const status = await child.status;
  await reading;
  assertEquals(status.code, 0, out + (await errText));
  assertStringIncludes(out, "daemon exited with status 0");
  assertStringIncludes(out, "namespaces removed; nothing left behind");
  await checkClean(out);
}, { programs: ["ping", "nsenter"] });
