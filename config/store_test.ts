import { assert, assertEquals } from "../tests/assert.ts";
import { removeTemporaries, TMP_MARK, writeFileAtomic } from "./atomic_write.ts";
import { FileStore, formatStored, MemoryStore, parseStored } from "./store.ts";

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix: "tc-store-" });
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

Deno.test(
  "atomic write: replaces the file, leaves no temporary, mode 0600",
  withDir((dir) => {
    const p = `${dir}/f.txt`;
    writeFileAtomic(p, "one\n");
    writeFileAtomic(p, "two\n");
    assertEquals(Deno.readTextFileSync(p), "two\n");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["f.txt"]);
    assertEquals(Deno.statSync(p).mode! & 0o777, 0o600);
    Deno.writeTextFileSync(`${p}${TMP_MARK}123`, "half");
    removeTemporaries(dir);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["f.txt"]);
  }),
);

Deno.test("store: header lines carry the commit metadata and are comments of the text", () => {
  const text = formatStored({
    version: 7,
    time: Date.UTC(2026, 0, 2),
    user: "root",
    comment: "a\nb",
    text: "config\n..\n",
  });
  assertEquals(text.split("\n").slice(0, 5), [
    "# tandem configuration",
    "# commit 7",
    "# time 2026-01-02T00:00:00.000Z",
    "# user root",
    "# comment a b",
  ]);
  const back = parseStored(text);
  assertEquals([back.version, back.time, back.user, back.comment], [
    7,
    Date.UTC(2026, 0, 2),
    "root",
    "a b",
  ]);
});

Deno.test(
  "store: a state directory keeps the running file and a bounded history",
  withDir((dir) => {
    const s = new FileStore(dir, 3);
    assertEquals(s.loadRunning(), undefined);
    for (let v = 1; v <= 5; v++) {
      s.saveRunning({
        version: v,
        time: v * 1000,
        text: `config\n  system\n    hostname h${v}\n  ..\n..\n`,
      });
    }
    assertEquals(s.loadRunning()?.version, 5);
    assertEquals(s.history().map((h) => h.version), [5, 4, 3]);
    assert(s.loadCommit(4)!.text.includes("hostname h4"));
    assertEquals(s.loadCommit(1), undefined);
    assertEquals([...Deno.readDirSync(`${dir}/history`)].length, 3);
    // A history entry newer than the running file (a crash between the two writes) is not listed.
    Deno.writeTextFileSync(`${dir}/history/6.txt`, formatStored({ version: 6, time: 0, text: "" }));
    assertEquals(s.history()[0]!.version, 5);
  }),
);

Deno.test("store: the commit lock is exclusive", async () => {
  const m = new MemoryStore();
  const order: string[] = [];
  const r1 = await m.lock();
  const p2 = m.lock().then((r) => {
    order.push("second");
    r();
  });
  order.push("first");
  r1();
  await p2;
  assertEquals(order, ["first", "second"]);
});
