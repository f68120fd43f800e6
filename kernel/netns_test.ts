import { assert, assertEquals, assertStringIncludes, assertThrows } from "../tests/assert.ts";
import { NetnsLab, rootTest, run } from "../tests/netns.ts";
import { KernelError } from "./errno.ts";
import { readLink } from "./files.ts";
import { createNetns, deleteNetns, insideNetns, listNetns, Netns } from "./netns.ts";

/** A lab whose extra namespaces (made by our own createNetns) are removed at dispose. */
function ownNetns(lab: NetnsLab, suffix: string): string {
  const name = `${lab.tag}${suffix}`;
  lab.onDispose(() => {
    if (Netns.named(name).exists()) deleteNetns(name);
  });
  return name;
}

rootTest("netns: create and delete without ip, iproute2 sees and enters it", async () => {
  await using lab = new NetnsLab("tk");
  const name = ownNetns(lab, "c");
  const ns = createNetns(name);
  assert(ns.exists());
  assert(listNetns().includes(name));
  assertStringIncludes((await run(["ip", "netns", "list"])).stdout, name);
  // ip netns exec enters the very namespace we made.
  const viaIp = (await lab.exec(name, ["readlink", "/proc/self/ns/net"])).stdout.trim();
  assertEquals(viaIp, ns.id());
  assert(ns.id() !== Netns.home().id(), "a new namespace differs from home");
  // And it is a fresh one: only lo, down.
  const links = (await lab.exec(name, ["ip", "-o", "link"])).stdout.trim().split("\n");
  assertEquals(links.length, 1);
  assertStringIncludes(links[0]!, "lo:");

  const e = assertThrows(() => createNetns(name), KernelError, "EEXIST (File exists)");
  assertStringIncludes(e.message, `Cannot create network namespace "${name}"`);

  deleteNetns(name);
  assert(!ns.exists());
  assertEquals((await run(["ip", "netns", "list"])).stdout.includes(name), false);
  assertThrows(() => deleteNetns(name), KernelError, "ENOENT");
});

rootTest("netns: run() switches the JS thread and always comes back", async () => {
  await using lab = new NetnsLab("tk");
  const a = Netns.named(await lab.netns("a"));
  const b = Netns.named(await lab.netns("b"));
  const home = Netns.home();
  const here = () => readLink("/proc/thread-self/ns/net");
  const h = here();
  assertEquals(home.id(), h);
  const ids = a.run(() => [here(), insideNetns(), b.run(() => here()), here(), home.run(here)]);
  assertEquals(ids, [a.id(), true, b.id(), a.id(), h]);
  assertEquals(here(), h);
  assertEquals(insideNetns(), false);
  assert(a.id() !== b.id());

  // A throwing callback still returns the thread home.
  assertThrows(
    () =>
      a.run(() => {
        throw new Error("boom");
      }),
    Error,
    "boom",
  );
  assertEquals(here(), h);

  // Async callbacks are refused (after the thread is back).
  assertThrows(() => a.run(() => Promise.resolve(1)), Error, "only synchronous calls");
  assertEquals(here(), h);

  // Unknown namespace: a clear error, thread untouched.
  const ghost = Netns.named(`${lab.tag}zz`);
  assertThrows(() => ghost.run(() => 1), KernelError, `"${lab.tag}zz": ENOENT`);
  assertEquals(here(), h);
});

Deno.test("netns: names are checked", () => {
  assertThrows(() => Netns.named("a/b"), Error, `Cannot use "a/b" as a namespace name`);
  assertThrows(() => Netns.named(".."), Error, "namespace name");
  assertThrows(() => Netns.named(""), Error, "namespace name");
});
