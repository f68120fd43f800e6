/**
 * The reference manual page's examples as acceptance tests
 * (tests/vectors/config/ref/, copied verbatim; see SOURCES.md):
 *
 * - complete configurations (tests/vectors/config/*.conf, completed from
 *   the reference as described in tests/vectors/config/README.md) load,
 *   commit, and print back byte for byte, with and without defaults;
 * - the reference's complete listings load as-is and print back line for
 *   line; its partial listings (with `(...)`) are subsequences of ours;
 * - its typed command sequences replay through the shell with the prompts
 *   and outputs it shows.
 *
 * Where the reference contradicts itself, the test says so line by line in
 * DEVIATIONS (every entry is checked to be needed).
 *
 * @module
 */
import { assert, assertEquals, fail } from "./assert.ts";
import { Datastore } from "../config/datastore.ts";
import { ConfigEditor, loadText, parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { renderConfig } from "../config/text_format.ts";
import { treeEqual } from "../config/tree.ts";
import { LocalSession } from "../cli/session.ts";
import { Shell } from "../cli/shell.ts";

const DIR = new URL("./vectors/config/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, DIR));
const refLines = (name: string) => {
  const lines = read(`ref/${name}`).split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
};
const strip = (lines: readonly string[]) => lines.map((l) => l.trim());

const GOLDEN = ["ha1", "ha2", "svti-ha1", "svti-ha2", "gre-ha1", "gre-ha2", "vip-pool-ha1"];

async function committedShell(confText?: string): Promise<Shell> {
  const shell = await Shell.create(new LocalSession(Datastore.open()));
  if (confText !== undefined) {
    for (const line of confText.split("\n")) {
      if (line.trim() === "") continue;
      const r = await shell.execute(line.trim());
      if (!r.ok) fail(`preload: ${line}: ${r.errors.join("; ")}`);
    }
    const r = await shell.execute("commit");
    if (!r.ok) fail(`preload commit: ${r.errors.join("; ")}`);
  }
  return shell;
}

for (const name of GOLDEN) {
  Deno.test(`config golden: ${name} loads, commits and prints back (with and without defaults)`, async () => {
    const text = read(`${name}.conf`);
    const full = read(`${name}.full.conf`);
    const ds = Datastore.open();
    const tree = parseConfigText(ROOT, text);
    const r = await ds.commit(tree);
    assert(r.ok, r.ok ? "" : r.errors.join("\n"));
    const show = (defaults: boolean) =>
      renderConfig(ROOT, ds.running, [], { defaults, secrets: true }).join("\n") + "\n";
    assertEquals(show(false), text);
    assertEquals(show(true), full);
    assert(
      treeEqual(parseConfigText(ROOT, full), ds.running),
      "the full listing loads back to the same tree",
    );
    assert(full.length > text.length, "defaults appear only without nodefault");
  });
}

Deno.test("config golden: the ha2 listing loads as-is and prints back line for line", () => {
  const ref = refLines("ha2-nodefault.txt");
  assertEquals(ref[0], "ha2 running config# show config nodefault");
  const tree = parseConfigText(ROOT, ref.slice(1).join("\n"));
  const out = renderConfig(ROOT, tree, [], { defaults: false, secrets: true });
  assertEquals(strip(out), ref.slice(1));
  assert(treeEqual(tree, parseConfigText(ROOT, read("ha2.conf"))));
});

Deno.test("config golden: the HA IKE overview listing (with defaults) loads in ike and prints back", () => {
  const ref = refLines("overview-ha-show.txt");
  assertEquals(ref[0], "ha1 running ha# show config");
  const editor = new ConfigEditor(ROOT);
  editor.run(["vrf", "main", "ike"]);
  loadText(editor, ref.slice(1).join("\n"));
  const path = [{ name: "vrf", key: "main" }, { name: "ike" }, { name: "ha" }];
  const out = renderConfig(ROOT, editor.tree, path, { defaults: true, secrets: true });
  assertEquals(strip(out), ref.slice(1));
});

/** A block of reference lines [first, last] (1-based, inclusive) moved before line `before`. */
interface Move {
  readonly first: number;
  readonly last: number;
  readonly before: number;
}

/** Whether `sub` (without `(...)`) is a subsequence of `lines`; returns the first line not found. */
function missingFromSubsequence(
  sub: readonly string[],
  lines: readonly string[],
): string | undefined {
  let j = 0;
  for (const l of sub) {
    if (l === "(...)") continue;
    while (j < lines.length && lines[j] !== l) j++;
    if (j >= lines.length) return l;
    j++;
  }
  return undefined;
}

function applyMoves(lines: readonly string[], moves: readonly Move[]): string[] {
  let out = lines.map((l, i) => ({ l, n: i + 1 }));
  for (const m of moves) {
    const block = out.filter((x) => x.n >= m.first && x.n <= m.last);
    out = out.filter((x) => x.n < m.first || x.n > m.last);
    const at = out.findIndex((x) => x.n === m.before);
    out.splice(at, 0, ...block);
  }
  return out.map((x) => x.l);
}

const HASYNC_ORDER =
  "in vrf hasync the reference prints ike before interface; in vrf main (ha2 listing) interface comes first, which we follow";

/** The partial listings: the reference's `vrf hasync ike` starts at line `ike`, its interface block is 72..79. */
const PARTIAL = ([["svti-ha1", 29], ["svti-ha2", 29], ["gre-ha1", 30], ["gre-ha2", 30]] as const)
  .map((
    [name, ike],
  ) => ({
    file: `${name}.txt`,
    golden: name,
    moves: [{ first: 72, last: 79, before: ike }],
    why: HASYNC_ORDER,
  }));

for (const p of PARTIAL) {
  Deno.test(`config golden: the partial listing ${p.file} is a subsequence of ${p.golden}.conf`, () => {
    const ref = refLines(p.file);
    const ours = strip(read(`${p.golden}.conf`).trimEnd().split("\n"));
    const body = ref.slice(1);
    // Every move is needed: without it the check fails.
    assert(missingFromSubsequence(body, ours) !== undefined, `unneeded deviation: ${p.why}`);
    const moved = applyMoves(
      body,
      p.moves.map((m) => ({ first: m.first - 1, last: m.last - 1, before: m.before - 1 })),
    );
    assertEquals(missingFromSubsequence(moved, ours), undefined);
  });
}

// ------------------------------------------------------------- transcripts

/**
 * A known contradiction of the reference at a transcript line: the prompt
 * part to ignore (`dirty`: the `!` marker; `host`; `context`), how to compare
 * the output (`subsequence` of ours; `secrets`: our `show config` redacts
 * them), or commands the reference leaves out before the line.
 */
interface Deviation {
  readonly prompt?: "dirty" | "host" | "context";
  readonly output?: "subsequence" | "secrets" | Move[];
  readonly before?: readonly string[];
  readonly why: string;
}

const NO_MARK = "the reference shows no ! although uncommitted changes exist (no commit since)";

function range(a: number, b: number, d: Deviation): Array<[number, Deviation]> {
  return Array.from({ length: b - a + 1 }, (_, i) => [a + i, d]);
}

const TRANSCRIPTS: ReadonlyArray<{
  file: string;
  preload?: string;
  setup?: readonly string[];
  deviations: ReadonlyMap<number, Deviation>;
  final?: string;
}> = [
  {
    file: "ha1.txt",
    setup: ["system hostname vsr", "commit"],
    final: "ha1",
    deviations: new Map<number, Deviation>([
      [2, { prompt: "dirty", why: NO_MARK }],
      [4, {
        prompt: "host",
        why: "the reference still shows the old host name after committing ha1",
      }],
      [32, {
        prompt: "context",
        why: "the reference shows vrrp vrrp52 right after entering vrrp vrrp51",
      }],
      ...range(50, 51, { prompt: "dirty", why: NO_MARK }),
      [52, {
        prompt: "dirty",
        output: "subsequence",
        why:
          "the reference's listing leaves out the physical, loopback and routing it just configured",
      }],
      ...range(74, 84, { prompt: "dirty", why: NO_MARK }),
      ...range(87, 94, { prompt: "dirty", why: NO_MARK }),
      ...range(97, 98, { prompt: "dirty", why: NO_MARK }),
      [99, {
        prompt: "dirty",
        output: "secrets",
        why: "our show config redacts secrets unless asked",
      }],
      [142, { prompt: "dirty", why: NO_MARK }],
      ...range(148, 149, { prompt: "dirty", why: NO_MARK }),
    ]),
  },
  {
    file: "overview-ha1.txt",
    preload: "ha1",
    setup: ["delete / vrf main ike ha", "commit", "/"],
    deviations: new Map([[10, { prompt: "dirty" as const, why: NO_MARK }]]),
  },
  {
    file: "overview-ha2.txt",
    preload: "ha2",
    setup: ["delete / vrf main ike ha", "commit", "/"],
    deviations: new Map(),
  },
  { file: "seqnum-sync.txt", preload: "ha1", setup: ["/ vrf main"], deviations: new Map() },
  {
    file: "vip-pool.txt",
    preload: "ha1",
    setup: ["/ vrf main"],
    final: "vip-pool-ha1",
    deviations: new Map<number, Deviation>([
      ...range(5, 7, { prompt: "dirty", why: NO_MARK }),
      [8, {
        prompt: "dirty",
        before: [".."],
        why: "the reference joins two excerpts and leaves out the .. between them",
      }],
      ...range(9, 12, { prompt: "dirty", why: NO_MARK }),
      [13, {
        prompt: "dirty",
        output: [{ first: 5, last: 9, before: 2 }],
        why:
          "the reference's listing puts ha after vpn; its ha2 listing (which we follow) puts it before",
      }],
    ]),
  },
];

const PROMPT = /^(\S+) running (.*?)#(!?)(?: (.*))?$/;

for (const t of TRANSCRIPTS) {
  Deno.test(`config golden: the typed sequence ${t.file} replays with the reference's prompts and output`, async () => {
    const shell = await committedShell(t.preload ? read(`${t.preload}.conf`) : undefined);
    for (const cmd of t.setup ?? []) {
      const r = await shell.execute(cmd);
      assert(r.ok, `setup ${cmd}: ${r.errors.join("; ")}`);
    }
    const lines = refLines(t.file);
    const used = new Set<number>();
    for (let i = 0; i < lines.length;) {
      const n = i + 1;
      const m = PROMPT.exec(lines[i]!);
      if (!m) fail(`${t.file}:${n}: not a prompt line: ${lines[i]}`);
      const dev = t.deviations.get(n);
      for (const c of dev?.before ?? []) assert((await shell.execute(c)).ok);
      const [, host, context, mark, cmd] = m;
      const ours = PROMPT.exec(shell.prompt().trimEnd())!;
      const same = (
        k: "host" | "context" | "dirty",
        a: string | undefined,
        b: string | undefined,
      ) => {
        if (dev?.prompt === k) {
          if (a !== b) used.add(n);
          return;
        }
        assertEquals(a, b, `${t.file}:${n}: prompt ${k} (ours "${shell.prompt()}")`);
      };
      same("host", ours[1], host);
      same("context", ours[2], context);
      same("dirty", ours[3], mark);
      let j = i + 1;
      const expected: string[] = [];
      while (j < lines.length && !PROMPT.test(lines[j]!)) expected.push(lines[j++]!);
      const r = await shell.execute(cmd ?? "");
      assert(r.ok, `${t.file}:${n}: ${cmd}: ${r.errors.join("; ")}`);
      const got = strip(r.output);
      if (dev?.output === "subsequence") {
        assertEquals(missingFromSubsequence(expected, got), undefined, `${t.file}:${n}`);
        if (got.join("\n") !== expected.join("\n")) used.add(n);
      } else if (dev?.output === "secrets") {
        const redacted = expected.map((l) => l.replace(/^secret .*/, "secret <hidden>"));
        assertEquals(got, redacted, `${t.file}:${n}`);
        if (got.join("\n") !== expected.join("\n")) used.add(n);
      } else if (Array.isArray(dev?.output)) {
        assert(
          missingFromSubsequence(expected, got) !== undefined,
          `${t.file}:${n}: unneeded move`,
        );
        const moved = applyMoves(expected, dev.output.map((m) => ({ ...m })));
        assertEquals(missingFromSubsequence(moved, got), undefined, `${t.file}:${n}`);
        used.add(n);
      } else {
        assertEquals(got, expected, `${t.file}:${n}: output of "${cmd}"`);
      }
      if (dev?.before) used.add(n);
      i = j;
    }
    for (const n of t.deviations.keys()) {
      assert(used.has(n), `${t.file}:${n}: deviation no longer needed`);
    }
    if (t.final) {
      const r = await shell.execute("commit");
      assert(r.ok, r.errors.join("; "));
      const show = await shell.execute("show config nodefault secrets /");
      assertEquals(show.output.join("\n") + "\n", read(`${t.final}.conf`));
    }
  });
}
