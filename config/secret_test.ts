import { assertEquals } from "../tests/assert.ts";
import { REDACTED, secret, secretBytes } from "./secret.ts";

Deno.test("secret: 0s base64, 0x hex and plain forms are kept as written", () => {
  for (
    const s of [
      "0sBzAyaM5PTcnTHi/yRA1lARpAoRetSzP8",
      "0xf0043c9a1e4c22177c4e01dd909a96b2",
      "my pass phrase",
    ]
  ) {
    assertEquals(secret.parse(s), { ok: true, value: s });
  }
  assertEquals(secretBytes("0xf0043c9a").length, 4);
  assertEquals(secretBytes("0xf0043c9a")[0], 0xf0);
  assertEquals(secretBytes("0sBzAyaM5PTcnTHi/yRA1lARpAoRetSzP8").length, 24);
  assertEquals(new TextDecoder().decode(secretBytes("abc")), "abc");
});

Deno.test("secret: malformed encodings and the redaction marker are refused", () => {
  assertEquals(secret.parse("0s!!"), {
    ok: false,
    reason: "the text after 0s is not valid base64",
  });
  assertEquals(secret.parse("0xabc"), {
    ok: false,
    reason: "the text after 0x is not an even number of hex digits",
  });
  assertEquals(secret.parse(REDACTED).ok, false);
  assertEquals(secret.parse("").ok, false);
});
