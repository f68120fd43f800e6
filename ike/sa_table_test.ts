import { assertEquals } from "../tests/assert.ts";
import { parseIp } from "../core/ip.ts";
import { quietLogger } from "../core/log.ts";
import { IkeSa } from "./ike_sa.ts";
import { SaTable } from "./sa_table.ts";

const ep = (ip: string, port = 500) => ({ address: parseIp(ip), port });

/** An SA whose state changes are reported to `table`, as the engine wires it. */
function sa(table: SaTable, uid: number, initiator: boolean, peer: string): IkeSa {
  const spi = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, uid);
  const s: IkeSa = new IkeSa(
    uid,
    initiator,
    spi,
    ep("192.0.2.1"),
    ep(peer),
    0,
    quietLogger("ike"),
    () => table.stateChanged(s),
  );
  if (!initiator) s.spiR = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, uid);
  return s;
}

Deno.test("sa table: half-open SAs are counted in total and per responder peer address", () => {
  const t = new SaTable();
  const a1 = sa(t, 1, false, "198.51.100.7");
  const a2 = sa(t, 2, false, "198.51.100.7");
  const b = sa(t, 3, false, "198.51.100.8");
  const ours = sa(t, 4, true, "198.51.100.7");
  for (const s of [a1, a2, b, ours]) {
    t.add(s);
    s.machine.set("connecting");
  }
  assertEquals([t.halfOpenCount, t.halfOpenFrom(ep("198.51.100.7", 4500))], [4, 2]);
  a1.machine.set("established");
  assertEquals([t.halfOpenCount, t.halfOpenFrom(ep("198.51.100.7"))], [3, 1]);
  t.remove(a2);
  t.remove(a1);
  assertEquals([t.halfOpenCount, t.halfOpenFrom(ep("198.51.100.7"))], [2, 0]);
  // The peer floated to 4500 meanwhile: the SA is uncounted under the address it was counted at.
  b.remote = ep("198.51.100.8", 4500);
  b.machine.set("destroyed");
  t.remove(b);
  ours.machine.set("established");
  assertEquals([t.halfOpenCount, t.halfOpenFrom(ep("198.51.100.8")), t.size], [0, 0, 1]);
});
