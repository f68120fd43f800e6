import { formatPrefix, parseIp } from "../core/ip.ts";
import { assertEquals } from "../tests/assert.ts";
import { rangeContains, rangeToPrefixes } from "./tunnel_routes.ts";

const r = (start: string, end: string) => ({ start: parseIp(start), end: parseIp(end) });
const prefixes = (start: string, end: string) => rangeToPrefixes(r(start, end)).map(formatPrefix);

Deno.test("tunnel routes: traffic-selector ranges become the fewest covering prefixes", () => {
  assertEquals(prefixes("10.102.0.0", "10.102.0.255"), ["10.102.0.0/24"]);
  assertEquals(prefixes("0.0.0.0", "255.255.255.255"), ["0.0.0.0/0"]);
  assertEquals(prefixes("10.0.0.5", "10.0.0.5"), ["10.0.0.5/32"]);
  assertEquals(prefixes("10.0.0.1", "10.0.0.6"), [
    "10.0.0.1/32",
    "10.0.0.2/31",
    "10.0.0.4/31",
    "10.0.0.6/32",
  ]);
  assertEquals(prefixes("2001:db8::", "2001:db8::ffff"), ["2001:db8::/112"]);
  assertEquals(prefixes("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ["::/0"]);
});

Deno.test("tunnel routes: whether a range covers the peer (its host route must stay outside)", () => {
  assertEquals(rangeContains(r("0.0.0.0", "255.255.255.255"), parseIp("10.200.0.1")), true);
  assertEquals(rangeContains(r("10.102.0.0", "10.102.0.255"), parseIp("10.200.0.1")), false);
  assertEquals(rangeContains(r("10.102.0.0", "10.102.0.255"), parseIp("10.102.0.255")), true);
  assertEquals(rangeContains(r("0.0.0.0", "255.255.255.255"), parseIp("2001:db8::1")), false);
});
