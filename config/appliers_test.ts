import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { quietLogger } from "../core/log.ts";
import { ApplierRegistry, ApplyError, type Change } from "./appliers.ts";
import { parseConfigText } from "./editor.ts";
import { ROOT } from "./root_schema.ts";
import { type TreeObject, withDefaults } from "./tree.ts";

const typed = (text: string) => withDefaults(ROOT, parseConfigText(ROOT, text)) as TreeObject;
const log = quietLogger("cfg");

const BASE = `vrf main interface physical eth1 ipv4 address 10.0.0.1/24
vrf main interface physical eth2 ipv4 address 10.0.1.1/24
vrf main ike ha node-id 1
`;

function recorder(
  reg: ApplierRegistry,
  pattern: string,
  calls: string[],
  opts: { fail?: string; order?: number } = {},
) {
  reg.register(pattern, {
    apply(c: Change) {
      const what = c.old === undefined ? "create" : c.new === undefined ? "remove" : "modify";
      if (opts.fail && c.pathText.startsWith(opts.fail) && c.new !== undefined) {
        throw new Error("device busy");
      }
      calls.push(`${what} ${c.pathText} [${c.keys.join(",")}]`);
    },
  }, { name: pattern, order: opts.order ?? 0 });
}

Deno.test("appliers: creations in order, removals in reverse order, only changed instances", async () => {
  const reg = new ApplierRegistry(ROOT);
  const calls: string[] = [];
  recorder(reg, "vrf * ike", calls, { order: 20 });
  recorder(reg, "vrf * interface physical *", calls, { order: 10 });
  await reg.apply(typed(""), typed(BASE), log);
  assertEquals(calls, [
    "create vrf main interface physical eth1 [main,eth1]",
    "create vrf main interface physical eth2 [main,eth2]",
    "create vrf main ike [main]",
  ]);
  calls.length = 0;
  await reg.apply(typed(BASE), typed(BASE + "vrf main interface physical eth2 mtu 9000\n"), log);
  assertEquals(calls, ["modify vrf main interface physical eth2 [main,eth2]"]);
  calls.length = 0;
  await reg.apply(typed(BASE), typed(""), log);
  assertEquals(calls, [
    "remove vrf main ike [main]",
    "remove vrf main interface physical eth2 [main,eth2]",
    "remove vrf main interface physical eth1 [main,eth1]",
  ]);
});

Deno.test("appliers: a failure reverts what was applied, in reverse order, and names the path", async () => {
  const reg = new ApplierRegistry(ROOT);
  const calls: string[] = [];
  const reverted: string[] = [];
  recorder(reg, "vrf * interface physical *", calls, { order: 10 });
  reg.register("system hostname", {
    apply(c: Change) {
      calls.push(`hostname ${String(c.new)}`);
    },
    revert(c: Change) {
      reverted.push(`hostname back to ${String(c.old)}`);
    },
  }, { order: 5 });
  recorder(reg, "vrf * ike", calls, { order: 20, fail: "vrf main ike" });
  const err = await reg.apply(typed(""), typed(BASE + "system hostname ha1\n"), log).then(
    () => undefined,
    (e) => e,
  );
  assert(err instanceof ApplyError);
  assertEquals(err.message, 'Cannot commit "vrf main ike": device busy');
  assertEquals(calls, [
    "hostname ha1",
    "create vrf main interface physical eth1 [main,eth1]",
    "create vrf main interface physical eth2 [main,eth2]",
    "remove vrf main interface physical eth2 [main,eth2]",
    "remove vrf main interface physical eth1 [main,eth1]",
  ]);
  assertEquals(reverted, ["hostname back to tandem"]);
});

Deno.test("appliers: patterns are checked against the schema", () => {
  const reg = new ApplierRegistry(ROOT);
  assertThrows(() => reg.register("vrf * nothing", { apply() {} }), Error, 'no node "nothing"');
  assertThrows(
    () => reg.register("system hostname x", { apply() {} }),
    Error,
    "nothing below a leaf",
  );
  const off = reg.register("vrf main ike", { apply() {} });
  off();
});
