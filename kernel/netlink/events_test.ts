import { formatPrefix } from "../../core/ip.ts";
import { assert, assertEquals } from "../../tests/assert.ts";
import { rootTest } from "../../tests/netns.ts";
import { type RtnlEvent, RtnlEvents } from "./events.ts";
import { Poller } from "../poller.ts";
import { Rtnl } from "./rtnl.ts";
import { NetlinkLabHelper } from "./test_lab.ts";

/** Collects events until `done` says so; closes the subscription after 5 s at worst. */
async function collect(
  sub: RtnlEvents,
  done: (seen: RtnlEvent[]) => boolean,
): Promise<RtnlEvent[]> {
  const seen: RtnlEvent[] = [];
  const guard = setTimeout(() => sub.close(), 5000);
  try {
    for await (const ev of sub) {
      seen.push(ev);
      if (done(seen)) break;
    }
  } finally {
    clearTimeout(guard);
  }
  return seen;
}

function brief(ev: RtnlEvent): string {
  switch (ev.kind) {
    case "link":
      return `link ${ev.action} ${ev.link.name}${ev.link.up ? " up" : ""}`;
    case "addr":
      return `addr ${ev.action} ${formatPrefix(ev.addr.address)}`;
    case "route":
      return `route ${ev.action} ${formatPrefix(ev.route.dst)} table ${ev.route.table}`;
    case "overrun":
      return "overrun";
  }
}

rootTest("rtnl events: link, address and route changes arrive in order", async () => {
  await using h = await NetlinkLabHelper.create("a");
  const ns = h.ns[0]!;
  using nl = Rtnl.open(ns);
  using sub = RtnlEvents.open(ns, ["link", "addr", "route"]);
  const br = h.lab.link("br");
  const want = [
    `link new ${br}`,
    `link new ${br} up`,
    "addr new 10.254.85.1/24",
    "route new 10.254.86.0/24 table 254",
    "addr del 10.254.85.1/24",
    `link del ${br}`,
  ];
  const seenP = collect(sub, (s) => s.some((e) => brief(e) === want.at(-1)));
  await nl.links.add(br, "bridge");
  await nl.links.setUp(br);
  await nl.addrs.add(br, "10.254.85.1/24");
  await nl.routes.add({ dst: "10.254.86.0/24", dev: br });
  await nl.addrs.del(br, "10.254.85.1/24");
  await nl.links.delete(br);
  const seen = (await seenP).map(brief);
  // Other events (the kernel's own local routes, IPv6 link-local) may come in between.
  const order = want.map((w) => seen.indexOf(w));
  assert(order.every((i) => i >= 0), `missing events; saw:\n${seen.join("\n")}`);
  assertEquals([...order].sort((x, y) => x - y), order, `out of order:\n${seen.join("\n")}`);
});

rootTest("rtnl events: close() ends a pending iteration", async () => {
  await using h = await NetlinkLabHelper.create("a");
  const sub = RtnlEvents.open(h.ns[0]!, ["link"]);
  const pending = sub.next();
  setTimeout(() => sub.close(), 2);
  assertEquals(await pending, undefined);
  assertEquals(await sub.next(), undefined);
});

rootTest("rtnl events: drain() from a caller's own poller", async () => {
  await using h = await NetlinkLabHelper.create("a");
  const ns = h.ns[0]!;
  using nl = Rtnl.open(ns);
  using sub = RtnlEvents.open(ns, ["link"]);
  const poller = new Poller();
  poller.add(sub.fd);
  try {
    assertEquals(sub.drain(() => {}), 0, "nothing queued yet");
    const br = h.lab.link("br");
    await nl.links.add(br, "bridge");
    const seen: string[] = [];
    for (let i = 0; i < 50 && !seen.includes(`link new ${br}`); i++) {
      if (await poller.wait(100) > 0) sub.drain((ev) => seen.push(brief(ev)));
    }
    assert(seen.includes(`link new ${br}`), `saw: ${seen.join(", ")}`);
  } finally {
    poller.close();
  }
});
