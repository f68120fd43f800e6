import { assertEquals, assertStringIncludes } from "./assert.ts";
import { NetnsLab, rootTest, run } from "./netns.ts";

rootTest("netns fixture: two namespaces, a veth, a ping, and nothing left behind", async () => {
  let names: string[] = [];
  {
    await using lab = new NetnsLab("tf");
    const a = await lab.netns("a");
    const b = await lab.netns("b");
    names = [a, b];
    await lab.veth([a, lab.link("x"), "10.254.77.1/30"], [b, lab.link("y"), "10.254.77.2/30"]);
    const ping = await lab.exec(a, ["ping", "-c", "1", "-W", "2", "10.254.77.2"]);
    assertStringIncludes(ping.stdout, "1 received");
  }
  const left = (await run(["ip", "netns", "list"])).stdout;
  for (const n of names) assertEquals(left.includes(n), false, `${n} still exists`);
});
