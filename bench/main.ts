/**
 * `deno task bench`: every benchmark of the project, one after the other.
 * Each prints its own Markdown table (copy them into BENCHMARKS.md).
 *
 * @module
 */
import { runCryptoBench } from "./crypto.ts";

const quick = Deno.args.includes("--quick");
console.log("## Crypto\n");
console.log(
  runCryptoBench(
    quick ? { budgetUs: 100_000, rounds: 1 } : { budgetUs: 300_000, rounds: 3 },
    (l) => console.error(l),
  ),
);
