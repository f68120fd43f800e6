import { assertEquals } from "../tests/assert.ts";
import type { ParseResult, ValueType } from "./schema.ts";
import {
  bool,
  enumeration,
  hostname,
  identity,
  int,
  interfaceAddress,
  interfaceName,
  ipAddress,
  ipPrefix,
  name,
  netmask,
  protocol,
} from "./value_types.ts";
import { DH } from "./ike_schema.ts";

function check<T extends string | number | boolean>(
  type: ValueType<T>,
  cases: ReadonlyArray<[string, ParseResult<T>]>,
): void {
  for (const [text, want] of cases) {
    assertEquals(type.parse(text), want, `parse ${JSON.stringify(text)}`);
  }
}
const ok = <T>(value: T) => ({ ok: true as const, value });
const no = (reason: string) => ({ ok: false as const, reason });

Deno.test("value types: integers keep to their range and step, in the project's voice", () => {
  check(int(1, 15), [
    ["1", ok(1)],
    ["15", ok(15)],
    ["16", no("16 is out of range 1..15")],
    ["0", no("0 is out of range 1..15")],
    ["x", no('"x" is not an integer')],
    ["1.5", no('"1.5" is not an integer')],
  ]);
  check(int(10, 40950, { step: 10 }), [["1000", ok(1000)], [
    "15",
    no("15 is not a multiple of 10"),
  ]]);
});

Deno.test("value types: booleans and enumerations (aliases, nearest suggestion)", () => {
  check(bool, [["true", ok(true)], ["false", ok(false)], [
    "yes",
    no('"yes" is not true or false'),
  ]]);
  check(DH, [
    ["modp1024", ok("modp1024")],
    ["x25519", ok("curve25519")],
    ["x448", ok("curve448")],
    ["modp1042", no('"modp1042" is not a known key exchange group; did you mean "modp1024"?')],
    ["zzz", no('"zzz" is not a known key exchange group')],
  ]);
  const e = enumeration(["tunnel", "transport"] as const, "mode");
  assertEquals(e.values, ["tunnel", "transport"]);
});

Deno.test("value types: names, interface names (15 bytes), host names, identities", () => {
  check(name, [["vpn-secgw", ok("vpn-secgw")], [
    "a b",
    no('"a b" is not a valid name (letters, digits, _ . @ : -)'),
  ]]);
  check(interfaceName, [
    ["eth1", ok("eth1")],
    ["svti-hasync", ok("svti-hasync")],
    ["a123456789012345", no('"a123456789012345" is longer than 15 characters')],
  ]);
  check(hostname, [["ha1", ok("ha1")], ["-ha", no('"-ha" is not a valid host name')]]);
  check(identity, [["primary@ha", ok("primary@ha")], ["2001:DB8::1", ok("2001:db8::1")]]);
});

Deno.test("value types: IP forms are canonical and family-checked", () => {
  check(ipAddress(4), [["10.0.0.1", ok("10.0.0.1")], ["::1", no('"::1" is not an IPv4 address')]]);
  check(ipAddress(), [["2001:0db8:0:0::1", ok("2001:db8::1")]]);
  check(ipPrefix(), [
    ["10.100.0.64/26", ok("10.100.0.64/26")],
    ["0.0.0.0/0", ok("0.0.0.0/0")],
    [
      "10.0.0.1/24",
      no('"10.0.0.1/24" is not a valid prefix: host bits are set (network is 10.0.0.0/24)'),
    ],
  ]);
  check(interfaceAddress(4), [
    ["10.22.0.1/24", ok("10.22.0.1/24")],
    ["10.175.0.1/32", ok("10.175.0.1/32")],
    ["10.22.0.0/24", no("10.22.0.0/24 is the network address of its subnet")],
    ["10.22.0.255/24", no("10.22.0.255/24 is the broadcast address of its subnet")],
    ["10.22.0.1", no('"10.22.0.1" is not a valid address/length: missing "/length"')],
    ["2001:db8::1/64", no('"2001:db8::1/64" is not an IPv4 address')],
  ]);
  check(netmask, [["255.255.255.0", ok("255.255.255.0")], [
    "255.0.255.0",
    no("255.0.255.0 is not a contiguous netmask"),
  ]]);
  check(protocol, [["47", ok(47)], ["gre", ok(47)], ["udp", ok(17)], [
    "256",
    no("256 is out of range 0..255"),
  ]]);
});
