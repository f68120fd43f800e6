import { assertEquals, assertStringIncludes, assertThrows } from "../tests/assert.ts";
import { FakeClock } from "../core/clock.ts";
import { LogHub } from "../core/log.ts";
import {
  HA_HISTORY,
  type HaController,
  HaGroupRegistry,
  type HaState,
  type HaStateChange,
} from "./group.ts";
import { renderHaGroups, showHaGroups } from "./show.ts";

class FakeController implements HaController {
  readonly kind = "vrrp group" as const;
  #state: HaState;
  #fns: ((s: HaState, r: string) => void)[] = [];
  constructor(readonly name: string, state: HaState = "backup") {
    this.#state = state;
  }
  haState(): HaState {
    return this.#state;
  }
  onHaState(fn: (s: HaState, r: string) => void): () => void {
    this.#fns.push(fn);
    return () => {
      this.#fns = this.#fns.filter((f) => f !== fn);
    };
  }
  drive(state: HaState, reason: string): void {
    this.#state = state;
    for (const f of [...this.#fns]) f(state, reason);
  }
  get subscribers(): number {
    return this.#fns.length;
  }
}

function setup() {
  const clock = new FakeClock();
  const hub = new LogHub();
  const reg = new HaGroupRegistry(clock, hub.logger("ha"));
  return { clock, hub, reg };
}

Deno.test("ha group: without controller or static state a group is backup", () => {
  const { reg } = setup();
  const g = reg.create("ha-group1");
  assertEquals(g.current(), {
    state: "backup",
    seq: 0,
    reason: "no controller",
    since: g.current().since,
  });
});

Deno.test("ha group: static state master, changed and removed by config", () => {
  const { reg } = setup();
  const g = reg.create("g", { state: "master" });
  const seen: HaStateChange[] = [];
  g.listen("ike vrf main", (c) => seen.push(c));
  assertEquals(g.state, "master");
  g.setStaticState("backup");
  g.setStaticState("backup");
  g.setStaticState(undefined);
  g.setStaticState("master");
  assertEquals(seen.map((c) => [c.seq, c.previous, c.state, c.reason]), [
    [1, "master", "backup", "static state backup"],
    [2, "backup", "master", "static state master"],
  ]);
});

Deno.test("ha group: a controller drives the state; listeners get every change in order with seq and reason", () => {
  const { reg, clock } = setup();
  const g = reg.create("ha-group1");
  const c = new FakeController("group1");
  const a: string[] = [];
  const b: string[] = [];
  reg.listen("ha-group1", "ike vrf main", (ch) => a.push(`${ch.seq}:${ch.state}:${ch.reason}`));
  reg.listen("ha-group1", "routes", (ch) => b.push(`${ch.seq}:${ch.state}`));
  reg.attach("ha-group1", c);
  clock.advance(1000);
  c.drive("master", "vrrp51 master down timer expired");
  c.drive("master", "again, no change");
  c.drive("backup", "vrrp52 higher priority 200 from 10.23.0.2");
  assertEquals(a, [
    "1:master:vrrp group group1: vrrp51 master down timer expired",
    "2:backup:vrrp group group1: vrrp52 higher priority 200 from 10.23.0.2",
  ]);
  assertEquals(b, ["1:master", "2:backup"]);
  assertEquals(g.current().seq, 2);
  assertEquals(g.current().state, "backup");
});

Deno.test("ha group: attaching a controller that is already master makes the group master at once", () => {
  const { reg } = setup();
  const g = reg.create("g");
  const seen: HaStateChange[] = [];
  g.listen("l", (c) => seen.push(c));
  reg.attach("g", new FakeController("group1", "master"));
  assertEquals(seen.map((c) => [c.seq, c.state, c.reason]), [
    [1, "master", "vrrp group group1 attached"],
  ]);
});

Deno.test("ha group: a change made by a listener is delivered after the current one, to everyone, in order", () => {
  const { reg } = setup();
  const g = reg.create("g");
  const c = new FakeController("group1");
  reg.attach("g", c);
  const first: number[] = [];
  const second: number[] = [];
  g.listen("first", (ch) => {
    first.push(ch.seq);
    // A listener reacting to master by pushing the controller back to backup.
    if (ch.state === "master") c.drive("backup", "listener reaction");
  });
  g.listen("second", (ch) => second.push(ch.seq));
  c.drive("master", "election");
  assertEquals(first, [1, 2]);
  assertEquals(second, [1, 2]);
  assertEquals(g.state, "backup");
});

Deno.test("ha group: a throwing listener is logged and the others still get the change", () => {
  const { reg, hub } = setup();
  const g = reg.create("g", { state: "backup" });
  const got: number[] = [];
  g.listen("broken", () => {
    throw new Error("boom");
  });
  g.listen("ike", (c) => got.push(c.seq));
  g.setStaticState("master");
  assertEquals(got, [1]);
  const errors = hub.recent({ subsystem: "ha", level: "error" }).map((r) => r.message);
  assertEquals(errors, ["ha group g: listener broken failed on change #1: boom"]);
});

Deno.test("ha group: only one controller; no controller over a static state; unknown groups", () => {
  const { reg } = setup();
  reg.create("ha-group1");
  reg.attach("ha-group1", new FakeController("group1"));
  assertThrows(
    () => reg.attach("ha-group1", new FakeController("group2")),
    Error,
    'Cannot attach vrrp group group2 to ha group "ha-group1": it is already controlled by vrrp group group1',
  );
  reg.create("s", { state: "master" });
  assertThrows(
    () => reg.attach("s", new FakeController("group3")),
    Error,
    'Cannot attach vrrp group group3 to ha group "s": its state is set statically',
  );
  assertThrows(
    () => reg.get("ha-group1")!.setStaticState("master"),
    Error,
    'Cannot set "state" of ha group "ha-group1": it is controlled by vrrp group group1',
  );
  assertThrows(
    () => reg.attach("nope", new FakeController("g")),
    Error,
    'Cannot attach vrrp group g: ha group "nope" does not exist',
  );
  assertThrows(
    () => reg.create("ha-group1"),
    Error,
    'Cannot create ha group "ha-group1": it exists',
  );
  assertThrows(() => reg.create("bad name"), Error, "a name is 1..64 letters");
});

Deno.test("ha group: detaching the controller falls back to backup and unsubscribes", () => {
  const { reg } = setup();
  const g = reg.create("g");
  const c = new FakeController("group1");
  reg.attach("g", c);
  c.drive("master", "won");
  reg.detach("g", new FakeController("other"));
  assertEquals(g.state, "master");
  reg.detach("g", c);
  assertEquals([g.state, c.subscribers, g.controller], ["backup", 0, undefined]);
  c.drive("master", "ignored now");
  assertEquals(g.state, "backup");
  reg.attach("g", new FakeController("group2"));
});

Deno.test("ha group: removing a master group tells listeners backup first", () => {
  const { reg } = setup();
  reg.create("g", { state: "master" });
  const seen: string[] = [];
  reg.listen("g", "ike", (c) => seen.push(`${c.seq}:${c.state}:${c.reason}`));
  reg.remove("g");
  assertEquals(seen, ["1:backup:ha group removed"]);
  assertEquals(reg.get("g"), undefined);
  assertThrows(() => reg.remove("g"), Error, 'Cannot remove ha group "g": no such group');
});

Deno.test("ha group: history keeps the last changes; show and render", () => {
  const { reg, clock } = setup();
  const g = reg.create("ha-group1");
  const c = new FakeController("group1");
  reg.attach("ha-group1", c);
  g.listen("ike vrf main", () => {});
  for (let i = 0; i < 20; i++) {
    clock.advance(1000);
    c.drive(i % 2 ? "backup" : "master", `flap ${i}`);
  }
  assertEquals(g.history.length, HA_HISTORY);
  assertEquals(g.history[0]!.seq, 5);
  reg.create("static1", { state: "master" });
  const data = showHaGroups(reg.list());
  assertEquals(JSON.parse(JSON.stringify(data)), data);
  assertEquals(data.map((d) => [d.name, d.state, d.controller, d.seq]), [
    ["ha-group1", "backup", "vrrp group group1", 20],
    ["static1", "master", "static", 0],
  ]);
  const text = renderHaGroups(data);
  assertStringIncludes(
    text,
    "ha group ha-group1: backup (since 2026-01-01T00:00:20.000Z, change #20)",
  );
  assertStringIncludes(text, "  controller: vrrp group group1\n  listeners: ike vrf main\n");
  assertStringIncludes(
    text,
    "    #20 2026-01-01T00:00:20.000Z master -> backup: vrrp group group1: flap 19\n",
  );
  assertStringIncludes(text, "ha group static1: master");
  assertEquals(renderHaGroups([]), "no ha group\n");
});
