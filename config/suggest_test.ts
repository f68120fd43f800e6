import { assertEquals } from "../tests/assert.ts";
import { didYouMean, editDistance, nearest } from "./suggest.ts";

Deno.test("suggest: edit distance counts a transposition as one edit", () => {
  const cases: Array<[string, string, number]> = [
    ["", "", 0],
    ["abc", "", 3],
    ["node-id", "node-id", 0],
    ["nod-id", "node-id", 1],
    ["ndoe-id", "node-id", 1],
    ["kitten", "sitting", 3],
  ];
  for (const [a, b, d] of cases) assertEquals(editDistance(a, b), d, `${a} / ${b}`);
});

Deno.test("suggest: nearest word within a third of its length, or the unique prefix match", () => {
  const words = ["node-id", "interface", "local-address", "remote-address", "listen-ha-group"];
  assertEquals(nearest("nod-id", words), "node-id");
  assertEquals(nearest("interfce", words), "interface");
  assertEquals(nearest("listen", words), "listen-ha-group");
  assertEquals(nearest("zzz", words), undefined);
  assertEquals(didYouMean("remote-adress", words), '; did you mean "remote-address"?');
  assertEquals(didYouMean("qqqq", words), "");
});
