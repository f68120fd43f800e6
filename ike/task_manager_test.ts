import { assert, assertEquals } from "../tests/assert.ts";
import { FakeClock } from "../core/clock.ts";
import { quietLogger } from "../core/log.ts";
import { DEFAULT_GLOBAL_OPTIONS } from "./config.ts";
import type { InMessage, OutMessage, Task, TaskStatus } from "./task.ts";
import { type ReceiveOutcome, TaskManager } from "./task_manager.ts";

/** Payloads are strings; a message on the fake wire is its JSON. */
type P = string;

interface Wire {
  sent: { at: number; from: string; msg: OutMessage<P>; response: boolean }[];
}

/** A task scripted by a list of statuses for each step. */
class Scripted implements Task<P> {
  readonly name = "ike-informational" as const;
  seen: string[] = [];
  aborted: string | undefined;
  constructor(
    readonly initiator: boolean,
    readonly tag: string,
    private readonly steps: TaskStatus[],
    private readonly exchanges: number[],
    private readonly fixed?: number,
  ) {}
  exchange(): number {
    return this.exchanges[0]!;
  }
  fixedMessageId(): number | undefined {
    return this.fixed;
  }
  build(msg: OutMessage<P>): TaskStatus {
    msg.payloads.push(`${this.tag}:b`);
    return this.initiator ? "more" : this.#next();
  }
  process(msg: InMessage<P>): TaskStatus {
    this.seen.push(msg.payloads.join(","));
    if (!this.initiator) return "more";
    const st = this.#next();
    if (st === "more" && this.exchanges.length > 1) this.exchanges.shift();
    return st;
  }
  #next(): TaskStatus {
    return this.steps.shift() ?? "done";
  }
  abort(reason: string): void {
    this.aborted = reason;
  }
}

function pair() {
  const clock = new FakeClock();
  const wire: Wire = { sent: [] };
  const fails: string[] = [];
  let deliver = true;
  const managers: Record<string, TaskManager<P>> = {};
  const responders: Record<string, Scripted[]> = { a: [], b: [] };
  const outcomes: ReceiveOutcome[] = [];
  const make = (me: string, peer: string) =>
    new TaskManager<P>(clock, quietLogger("ike"), DEFAULT_GLOBAL_OPTIONS.retransmit, {
      send(msg, response) {
        wire.sent.push({ at: clock.now(), from: me, msg, response });
        const dg = new TextEncoder().encode(JSON.stringify({ ...msg, response }));
        if (deliver) {
          clock.setTimer(1, () => outcomes.push(managers[peer]!.receive({ ...msg, response })));
        }
        return [dg];
      },
      resend(dgs) {
        for (const d of dgs) {
          const m = JSON.parse(new TextDecoder().decode(d));
          wire.sent.push({ at: clock.now(), from: me, msg: m, response: m.response });
          if (deliver) clock.setTimer(1, () => outcomes.push(managers[peer]!.receive(m)));
        }
      },
      responderTasks() {
        const t = new Scripted(false, `${me}r`, [], [37]);
        responders[me]!.push(t);
        return [t];
      },
      isMidSync: (m) => m.payloads.includes("sync:b"),
      fail: (reason, timeout) => fails.push(`${me}:${reason}:${timeout}`),
      exchangeDone() {},
    });
  managers.a = make("a", "b");
  managers.b = make("b", "a");
  return {
    clock,
    wire,
    fails,
    a: managers.a,
    b: managers.b,
    responders,
    outcomes,
    setDeliver: (v: boolean) => (deliver = v),
  };
}

Deno.test("task manager: one exchange moves both message IDs", () => {
  const p = pair();
  const t = new Scripted(true, "x", ["done"], [37]);
  p.a.queue(t);
  p.clock.advance(10);
  assertEquals(p.wire.sent.map((s) => `${s.from}:${s.msg.messageId}:${s.response}`), [
    "a:0:false",
    "b:0:true",
  ]);
  assertEquals(t.seen, ["br:b"]);
  assertEquals([p.a.nextSend, p.a.expectRecv, p.b.nextSend, p.b.expectRecv], [1, 0, 0, 1]);
  assertEquals(p.a.busy, false);
});

Deno.test("task manager: retransmits at 4 s × 1.8^n and gives up after 5", () => {
  const p = pair();
  p.setDeliver(false);
  const t = new Scripted(true, "x", ["done"], [37]);
  p.a.queue(t);
  p.clock.advance(200_000);
  const times = p.wire.sent.map((s) => Math.round(s.at / 100) / 10);
  assertEquals(times, [0, 4, 11.2, 24.2, 47.5, 89.5]);
  assertEquals(p.fails, ["a:peer not responding:true"]);
  assertEquals(t.aborted, "peer not responding");
});

Deno.test("task manager: a lost response is recovered, the request is processed once", () => {
  const p = pair();
  const t = new Scripted(true, "x", ["done"], [37]);
  p.a.queue(t);
  p.clock.advance(0);
  // The request reaches b (its delivery is already scheduled), b's response is lost.
  p.setDeliver(false);
  p.clock.advance(1);
  assertEquals(p.wire.sent.map((s) => s.from), ["a", "b"]);
  p.setDeliver(true);
  p.clock.advance(5000);
  // a retransmitted; b answered from its cache without running a task again.
  assertEquals(p.responders.b!.length, 1);
  assertEquals(p.outcomes.includes("retransmit-answered"), true);
  assertEquals(t.seen, ["br:b"]);
  assertEquals(p.b.expectRecv, 1);
  assertEquals(p.a.nextSend, 1);
});

Deno.test("task manager: out-of-window requests and stray responses are refused", () => {
  const p = pair();
  assertEquals(
    p.b.receive({ exchange: 37, messageId: 5, response: false, payloads: [] }),
    "invalid-message-id",
  );
  assertEquals(
    p.b.receive({ exchange: 37, messageId: 0, response: true, payloads: [] }),
    "unexpected-response",
  );
  assertEquals(p.responders.b!.length, 0);
  assertEquals([p.b.nextSend, p.b.expectRecv], [0, 0]);
});

Deno.test("task manager: multi-exchange tasks, restart, queued groups in order", () => {
  const p = pair();
  const init = new Scripted(true, "i", ["restart", "more", "done"], [34, 35]);
  const later = new Scripted(true, "l", ["done"], [37]);
  p.a.queue(init);
  p.a.queue(later);
  p.clock.advance(100);
  const reqs = p.wire.sent.filter((s) => s.from === "a").map((s) =>
    `${s.msg.exchange}/${s.msg.messageId}/${s.msg.payloads}`
  );
  assertEquals(reqs, ["34/0/i:b", "34/0/i:b", "35/1/i:b", "37/2/l:b"]);
  assertEquals(p.a.nextSend, 3);
});

Deno.test("task manager: a restart rebuilds the exchange with every task, done ones included", () => {
  const p = pair();
  const init = new Scripted(true, "i", ["restart", "more", "done"], [34, 35]);
  const natd = new Scripted(true, "n", ["done", "done"], [34]);
  p.a.queue(init, natd);
  p.clock.advance(100);
  const reqs = p.wire.sent.filter((s) => s.from === "a").map((s) =>
    `${s.msg.exchange}/${s.msg.messageId}/${s.msg.payloads}`
  );
  assertEquals(reqs, ["34/0/i:b,n:b", "34/0/i:b,n:b", "35/1/i:b"]);
  assertEquals(natd.seen.length, 2, "the retried response is processed by both tasks");
});

Deno.test("task manager: a fixed message ID (RFC 6311) does not move the counters", () => {
  const p = pair();
  p.a.nextSend = 7;
  p.b.expectRecv = 9;
  const sync = new Scripted(true, "sync", ["done"], [37], 0);
  p.a.queue(sync);
  p.clock.advance(10);
  assertEquals(p.wire.sent.map((s) => s.msg.messageId), [0, 0]);
  assertEquals(p.a.nextSend, 7);
  assertEquals(p.b.expectRecv, 9);
  assert(sync.seen.length === 1);
});

Deno.test("task manager: flush aborts queued work; passive managers stay silent", () => {
  const p = pair();
  const t = new Scripted(true, "x", ["done"], [37]);
  p.a.setPassive(true);
  p.a.queue(t);
  p.clock.advance(10);
  assertEquals(p.wire.sent.length, 0);
  assertEquals(
    p.a.receive({ exchange: 37, messageId: 0, response: false, payloads: [] }),
    "passive",
  );
  p.a.flush("gone");
  assertEquals(t.aborted, "gone");
});
