import { assertEquals } from "../tests/assert.ts";
import { formatIp, parseIp, parsePrefix } from "../core/ip.ts";
import { parseIdentity } from "./identity.ts";
import { SubnetPool } from "./vip_pool.ts";

Deno.test("vip pool: leases per identity, requested address, exhaustion, release", () => {
  const pool = new SubnetPool("p", parsePrefix("192.168.0.0/30"));
  const a = parseIdentity("a@example");
  const b = parseIdentity("b@example");
  const c = parseIdentity("c@example");
  const ipA = pool.allocate(a, 4)!;
  assertEquals(formatIp(ipA), "192.168.0.1");
  assertEquals(pool.allocate(a, 4), ipA, "same identity, same lease");
  assertEquals(
    formatIp(pool.allocate(b, 4, parseIp("192.168.0.1"))!),
    "192.168.0.2",
    "taken request",
  );
  assertEquals(pool.allocate(c, 4), undefined, "only .1 and .2 in a /30");
  assertEquals(pool.allocate(c, 6), undefined, "wrong family");
  pool.release(a, ipA);
  assertEquals(pool.lookup(a), []);
  assertEquals(
    formatIp(pool.allocate(c, 4, parseIp("192.168.0.3"))!),
    "192.168.0.1",
    "broadcast refused",
  );
  assertEquals(pool.size, 2);
  const v6 = new SubnetPool("v6", parsePrefix("2001:db8::/126"));
  assertEquals(formatIp(v6.allocate(a, 6, parseIp("2001:db8::3"))!), "2001:db8::3");
});
