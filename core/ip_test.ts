import { assertEquals, assertThrows } from "../tests/assert.ts";
import {
  compareIp,
  formatIp,
  formatPrefix,
  lastAddress,
  networkOf,
  parseInterfaceAddress,
  parseIp,
  parsePrefix,
  prefixContains,
  tryParseIp,
} from "./ip.ts";

Deno.test("ip: canonical text round trips (RFC 5952 examples)", () => {
  const cases: [string, string][] = [
    ["10.0.0.1", "10.0.0.1"],
    ["0.0.0.0", "0.0.0.0"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0:0:0:0:2:1", "2001:db8::2:1"],
    ["2001:db8::0:1", "2001:db8::1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["::", "::"],
    ["::1", "::1"],
    ["fe80::", "fe80::"],
    ["::ffff:10.1.2.3", "::ffff:a01:203"],
    ["FF02::12", "ff02::12"],
  ];
  for (const [input, want] of cases) assertEquals(formatIp(parseIp(input)), want, input);
});

Deno.test("ip: rejects malformed addresses", () => {
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "01.2.3.4",
      "1.2.3.-4",
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "12345::",
      "::1.2.3.4:5",
      "g::1",
      " 10.0.0.1",
    ]
  ) {
    assertEquals(tryParseIp(bad), undefined, JSON.stringify(bad));
  }
  assertThrows(() => parseIp("10.0.0"), Error, 'Cannot parse address "10.0.0"');
});

Deno.test("ip: prefixes, strictness and containment", () => {
  const p = parsePrefix("10.100.0.64/26", true);
  assertEquals(formatPrefix(p), "10.100.0.64/26");
  assertEquals(formatIp(lastAddress(p)), "10.100.0.127");
  assertEquals(prefixContains(p, parseIp("10.100.0.100")), true);
  assertEquals(prefixContains(p, parseIp("10.100.0.128")), false);
  assertEquals(prefixContains(p, parseIp("::1")), false);
  assertEquals(formatPrefix(parsePrefix("10.100.0.65/26")), "10.100.0.64/26");
  assertThrows(() => parsePrefix("10.100.0.65/26", true), Error, "host bits are set");
  assertThrows(() => parsePrefix("10.0.0.0/33"), Error, "length exceeds 32");
  assertThrows(() => parsePrefix("10.0.0.0"), Error, 'missing "/length"');
  assertEquals(formatPrefix(parsePrefix("0.0.0.0/0", true)), "0.0.0.0/0");
  assertEquals(prefixContains(parsePrefix("0.0.0.0/0"), parseIp("1.2.3.4")), true);
  assertEquals(formatPrefix(parsePrefix("2001:db8::/32", true)), "2001:db8::/32");
  assertEquals(formatIp(lastAddress(parsePrefix("2001:db8::/120"))), "2001:db8::ff");
});

Deno.test("ip: interface addresses keep host bits", () => {
  const a = parseInterfaceAddress("10.22.0.1/24");
  assertEquals(formatPrefix(a), "10.22.0.1/24");
  assertEquals(formatPrefix(networkOf(a)), "10.22.0.0/24");
  assertEquals(compareIp(parseIp("10.0.0.2"), parseIp("10.0.0.10")) < 0, true);
  assertEquals(compareIp(parseIp("255.0.0.0"), parseIp("::")) < 0, true);
});
