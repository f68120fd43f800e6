import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  formatIdentity,
  identityEquals,
  IdentityError,
  identityFromWire,
  parseIdentity,
} from "./identity.ts";
import { parsePskSecret, PskTable } from "./psk.ts";

Deno.test("identity: text forms of every type round trip", () => {
  const cases: [string, string, number[] | string, string][] = [
    ["10.225.0.1", "ipv4", [10, 225, 0, 1], "10.225.0.1"],
    [
      "2001:db8::1",
      "ipv6",
      [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      "2001:db8::1",
    ],
    ["secgw.example", "fqdn", "secgw.example", "secgw.example"],
    ["@secgw.example", "fqdn", "secgw.example", "secgw.example"],
    ["primary@ha", "rfc822", "primary@ha", "primary@ha"],
    ["@#0a1B", "key-id", [0x0a, 0x1b], "@#0a1b"],
    ["keyid:ff00", "key-id", [0xff, 0x00], "@#ff00"],
  ];
  for (const [text, type, data, shown] of cases) {
    const id = parseIdentity(text);
    assertEquals(id.type, type, text);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
    assertEquals(id.data, bytes, text);
    assertEquals(formatIdentity(id), shown, text);
    assert(identityEquals(parseIdentity(formatIdentity(id)), id), text);
  }
  assertThrows(() => parseIdentity(""), IdentityError, "empty");
  assertThrows(() => parseIdentity("@#zz"), IdentityError, "not hex");
  assertEquals(identityFromWire(1, new Uint8Array(3)), undefined);
  assertEquals(identityFromWire(9, new Uint8Array(3)), undefined);
  assertEquals(identityFromWire(11, new Uint8Array([1]))?.type, "key-id");
  assert(identityEquals(parseIdentity("Host.Example"), parseIdentity("host.example")));
});

Deno.test("psk: best match by identities, secret encodings", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const table = new PskTable([
    { name: "any", ids: [], secret: enc("wild") },
    { name: "secgw", ids: [parseIdentity("10.225.0.1")], secret: enc("peer-only") },
    {
      name: "hasync",
      ids: [parseIdentity("primary@ha"), parseIdentity("secondary@ha")],
      secret: enc("both"),
    },
  ]);
  const me = parseIdentity("10.175.0.1");
  assertEquals(table.lookup(me, parseIdentity("10.225.0.1")), enc("peer-only"));
  assertEquals(
    table.lookup(parseIdentity("primary@ha"), parseIdentity("secondary@ha")),
    enc("both"),
  );
  assertEquals(table.lookup(me, parseIdentity("secondary@ha")), enc("both"));
  assertEquals(table.lookup(me, parseIdentity("other.example")), enc("wild"));
  assertEquals(new PskTable([]).lookup(me, me), undefined);
  assertEquals(parsePskSecret("0xf0043c"), new Uint8Array([0xf0, 0x04, 0x3c]));
  assertEquals(parsePskSecret("0sAQID"), new Uint8Array([1, 2, 3]));
  assertEquals(parsePskSecret("abc"), enc("abc"));
  assertThrows(() => parsePskSecret("0xabc"), Error, "hex byte pairs");
  assertThrows(() => parsePskSecret("0s***"), Error, "base64");
});
