/**
 * One-shot use: `tandem cli -c … -f …` runs the steps in order on the state
 * directory, prints errors on stderr (with file and line for -f), stops at
 * the first failure with exit status 1, and keeps only what was committed.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { tandemCommand } from "../lab/tandem_node.ts";

async function cli(dir: string, args: string[], stdin?: string) {
  const [program, ...before] = tandemCommand();
  const child = new Deno.Command(program!, {
    args: [...before, "cli", "--state-dir", dir, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("cli one-shot: -c and -f in order, errors on stderr, exit status, persistence", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tc-oneshot-" });
  try {
    const file = `${dir}/edits.txt`;
    Deno.writeTextFileSync(file, "# a comment\n/ ha group g state master\n\nsystem hostname gw1\n");
    let r = await cli(dir, [
      "-c",
      "system hostname first",
      "-f",
      file,
      "-c",
      "commit",
      "-c",
      "show config nodefault",
    ]);
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals(
      r.stdout,
      [
        "Configuration committed.",
        "config",
        "  system",
        "    hostname gw1",
        "  ..",
        "  ha",
        "    group g",
        "      state master",
        "    ..",
        "  ..",
        "..",
        "",
      ].join("\n"),
    );

    r = await cli(dir, ["-c", "vrf main ike ha node-id 16", "-c", "system hostname never"]);
    assertEquals(r.code, 1);
    assertEquals(r.stderr, 'Cannot set "node-id": 16 is out of range 1..15\n');

    Deno.writeTextFileSync(file, "system hostname x\nsystem hostnam y\n");
    r = await cli(dir, ["-f", file]);
    assertEquals(r.code, 1);
    assertEquals(
      r.stderr,
      `${file}:2: Cannot parse "hostnam": not a node of system; did you mean "hostname"?\n`,
    );

    r = await cli(dir, ["-c", "system hostname gw2"]);
    assertEquals([r.code, r.stderr], [
      0,
      "Uncommitted changes were not kept (end the commands with commit).\n",
    ]);

    r = await cli(
      dir,
      [],
      "system hostname gw2\ncommit\nrollback 1\nshow config nodefault system\ncommit\n",
    );
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals(
      r.stdout,
      [
        "Configuration committed.",
        "Loaded commit from 1 commit ago; commit to apply it.",
        "system",
        "  hostname gw1",
        "..",
        "Configuration committed.",
        "",
      ].join("\n"),
    );
    const saved = Deno.readTextFileSync(`${dir}/config.txt`);
    assert(saved.includes("# commit 3\n") && saved.includes("hostname gw1"), saved);

    r = await cli(dir, ["-f", `${dir}/missing.txt`]);
    assertEquals(r.code, 1);
    assert(r.stderr.startsWith(`Cannot read "${dir}/missing.txt": `));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cli one-shot: a reader that stops early (| head) loses the output, not the commit", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "tc-oneshot-" });
  try {
    const vrfs = Array.from({ length: 300 }, (_, i) => `/ vrf v${i}`).join("\n");
    Deno.writeTextFileSync(`${dir}/vrfs.txt`, vrfs + "\n");
    // Far more than a pipe holds (64 KiB) before the commit, so writing meets a closed pipe.
    const shows = Array.from({ length: 20 }, () => ["-c", "show config"]).flat();
    const args = [
      ...tandemCommand(),
      "cli",
      "--state-dir",
      dir,
      "-f",
      `${dir}/vrfs.txt`,
      "-c",
      "/",
      ...shows,
    ];
    const quoted = [...args, "-c", "/ system hostname piped", "-c", "commit"]
      .map((a) => `'${a}'`).join(" ");
    const out = await new Deno.Command("bash", {
      args: ["-c", `${quoted} 2>"${dir}/err" | head -n 1; echo "status \${PIPESTATUS[0]}"`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(text, "config\nstatus 0\n");
    assertEquals(Deno.readTextFileSync(`${dir}/err`), "", "no EPIPE trace");
    const r = await cli(dir, ["-c", "show config system"]);
    assert(r.stdout.includes("hostname piped"), `the commit after the lost output: ${r.stdout}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
