/**
 * Properties over random configurations (seeded):
 * - any tree valid for the leaf types prints as text that loads back to the
 *   same tree, with and without defaults; a redacted listing never loads;
 * - random edits (valid or not, some breaking cross-references, some met
 *   by a failing applier) never leave the running configuration, the saved
 *   file or the appliers' view of the system in a state that disagrees
 *   with the last successful commit.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { randomBelow, SeededRng } from "../core/rng.ts";
import { configText, Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { MemoryStore } from "../config/store.ts";
import { renderConfig } from "../config/text_format.ts";
import { treeEqual, type TreeObject } from "../config/tree.ts";
import { LocalSession } from "../cli/session.ts";
import { Shell } from "../cli/shell.ts";
import {
  allLeaves,
  chance,
  leafLines,
  pick,
  randomTree,
  randomValue,
  resolveSteps,
} from "./config_random.ts";
import { schemaAt } from "../config/tree.ts";
import type { Change } from "../config/appliers.ts";

const SEED = 0x7c0f1;

Deno.test("config property: random trees round-trip through the show config text", () => {
  const rng = new SeededRng(SEED);
  const covered = new Set<unknown>();
  for (let i = 0; i < 300; i++) {
    const tree = randomTree(ROOT, rng);
    for (const words of leafLines(ROOT, tree)) covered.add(schemaAt(ROOT, resolveSteps(words)));
    for (const defaults of [false, true]) {
      const text = renderConfig(ROOT, tree, [], { defaults, secrets: true }).join("\n");
      const back = parseConfigText(ROOT, text);
      assert(
        treeEqual(back, tree),
        `tree ${i} (defaults ${defaults}) did not round-trip:\n${text}`,
      );
    }
    const redacted = renderConfig(ROOT, tree, [], { defaults: false, secrets: false }).join("\n");
    if (redacted.includes("secret <hidden>")) {
      let loaded = true;
      try {
        parseConfigText(ROOT, redacted);
      } catch {
        loaded = false;
      }
      assert(!loaded, "a redacted listing must not load");
    }
  }
  const missed = allLeaves(ROOT).filter((n) => !covered.has(n));
  assertEquals(missed.length, 0, "every leaf of the schema was generated");
});

const HA1 = Deno.readTextFileSync(new URL("./vectors/config/ha1.conf", import.meta.url));

/** A random edit command: a new value for a configured leaf, a deletion, or a new dangling entry. */
function randomEdit(rng: SeededRng, tree: TreeObject): string {
  const lines = leafLines(ROOT, tree);
  const words = pick(rng, lines);
  const r = randomBelow(rng, 6);
  if (r === 0) {
    return `delete / ${words.slice(0, Math.max(1, randomBelow(rng, words.length + 1))).join(" ")}`;
  }
  if (r === 1) {
    return `/ ${words.join(" ")} ${
      pick(rng, ["16", "x y", "-1", "999999999999", "bogus", "10.0.0.1/33"])
    }`;
  }
  if (r === 2) {
    return `/ vrf main ike vpn v${randomBelow(rng, 3)} ike-policy template t${randomBelow(rng, 3)}`;
  }
  if (r === 3) {
    return `/ ha group g${randomBelow(rng, 3)}${chance(rng, 0.5) ? " state master" : ""}`;
  }
  const node = schemaAt(ROOT, resolveSteps(words));
  if (node && (node.kind === "leaf" || node.kind === "leaf-list")) {
    const value = node.type.format(randomValue(node.type, rng) as never);
    return `/ ${words.join(" ")} ${/\s/.test(value) ? JSON.stringify(value) : value}`;
  }
  return `/ ${words.join(" ")}`;
}

Deno.test("config property: random edits never change running unless a commit succeeds", async () => {
  const rng = new SeededRng(SEED + 1);
  const store = new MemoryStore(1000);
  const ds = Datastore.open({ store });
  // The appliers' model of the system: one entry per physical interface and per vpn.
  const system = new Map<string, string>();
  let failNext = false;
  for (const pattern of ["vrf * interface physical *", "vrf * ike vpn *"]) {
    ds.registerApplier(pattern, {
      apply(c: Change) {
        if (c.new === undefined) system.delete(c.pathText);
        else system.set(c.pathText, JSON.stringify(c.new));
      },
    });
  }
  // Runs last: when it refuses, everything the others applied must be reverted.
  ds.registerApplier("vrf *", {
    apply(c: Change) {
      if (failNext && c.new !== undefined) throw new Error("refused by the test");
    },
  }, { order: 100 });
  const shell = await Shell.create(new LocalSession(ds));
  for (const l of HA1.split("\n")) if (l.trim()) await shell.execute(l.trim());
  assert((await shell.execute("commit")).ok);
  const expectedSystem = () => {
    const m = new Map<string, string>();
    for (const vrf of ds.typed().vrf) {
      for (const p of vrf.interface.physical) {
        m.set(`vrf ${vrf.name} interface physical ${p.name}`, JSON.stringify(p));
      }
      for (const v of vrf.ike?.vpn ?? []) {
        m.set(`vrf ${vrf.name} ike vpn ${v.name}`, JSON.stringify(v));
      }
    }
    return m;
  };
  let commits = 0;
  let refused = 0;
  for (let i = 0; i < 250; i++) {
    const before = ds.running;
    const savedBefore = store.loadRunning()?.text;
    for (let k = randomBelow(rng, 3) + 1; k > 0; k--) {
      await shell.execute(randomEdit(rng, shell.editor.tree));
    }
    failNext = chance(rng, 0.15);
    const r = await shell.execute("commit");
    failNext = false;
    if (r.ok && r.output[0] === "Configuration committed.") {
      commits++;
      assert(
        treeEqual(ds.running, shell.editor.tree),
        "a successful commit makes the candidate running",
      );
      assertEquals(store.loadRunning()?.text.endsWith(configText(ROOT, ds.running)), true);
    } else if (!r.ok) {
      refused++;
      assert(treeEqual(ds.running, before), `iteration ${i}: a refused commit changed running`);
      assertEquals(store.loadRunning()?.text, savedBefore);
      await shell.execute("discard");
    }
    assertEquals(
      system,
      expectedSystem(),
      `iteration ${i}: the appliers' view disagrees with running`,
    );
  }
  assert(
    commits > 10 && refused > 50,
    `both outcomes were exercised (${commits} commits, ${refused} refused)`,
  );
});
