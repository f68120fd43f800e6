/**
 * Child process of config_persist_test.ts, killed by it with SIGKILL.
 * `datastore <dir>`: commits forever, each commit a configuration whose host
 * name carries its commit number (`h<n>`), printing `committed <n>` after
 * each. `atomic <file>`: replaces a 4 MiB file forever with
 * `writeFileAtomic`, each version made of one repeated line `<n>`, printing
 * `committed <n>`.
 *
 * @module
 */
import { writeFileAtomic } from "../config/atomic_write.ts";
import { Datastore } from "../config/datastore.ts";
import { parseConfigText } from "../config/editor.ts";
import { ROOT } from "../config/root_schema.ts";
import { FileStore } from "../config/store.ts";

const [mode, target] = [Deno.args[0]!, Deno.args[1]!];
const enc = new TextEncoder();
if (mode === "atomic") {
  for (let n = 1;; n++) {
    const line = `${n}`.padStart(15, "0") + "\n";
    writeFileAtomic(target, line.repeat(4 * 65536));
    Deno.stdout.writeSync(enc.encode(`committed ${n}\n`));
  }
}
const ds = Datastore.open({ store: new FileStore(target, 5) });
const bulk: string[] = [];
for (let k = 0; k < 400; k++) {
  bulk.push(`vrf main interface loopback lo${k} ipv4 address 10.${k >> 8}.${k & 255}.1/32`);
}
for (;;) {
  const n = ds.version + 1;
  const tree = parseConfigText(
    ROOT,
    `system hostname h${n}\n${
      bulk.join("\n")
    }\nvrf main interface loopback lo0 ipv6 address 2001:db8::${n.toString(16)}/128\n`,
  );
  const r = await ds.commit(tree);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  Deno.stdout.writeSync(enc.encode(`committed ${r.version}\n`));
}
