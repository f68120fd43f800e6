import { assertEquals } from "../../tests/assert.ts";
import { header } from "../../tests/ike_codec_build.ts";
import { MAX_MESSAGE_SIZE, NotifyType } from "../constants.ts";
import { decodeHeader, encodeHeader } from "./header.ts";

Deno.test("header: encode then decode gives the same fields", () => {
  const h = header({
    messageId: 0xfffffffe,
    exchange: 37,
    flags: { initiator: false, response: true, higherVersion: true },
  });
  const bytes = encodeHeader(h, 46, 28);
  const r = decodeHeader(bytes);
  assertEquals(r, { ok: true, value: { ...h, nextPayload: 46, length: 28 } });
});

Deno.test("header: wire layout of RFC 7296 §3.1", () => {
  const bytes = encodeHeader(header({ messageId: 0x01020304 }), 33, 28);
  assertEquals(
    Array.from(bytes.subarray(16)),
    [33, 0x20, 35, 0x08, 1, 2, 3, 4, 0, 0, 0, 28],
  );
});

Deno.test("header: reserved flag bits are ignored on receipt", () => {
  const bytes = encodeHeader(header(), 0, 28);
  bytes[19] = 0xff;
  const r = decodeHeader(bytes);
  assertEquals(r.ok && r.value.flags, { initiator: true, response: true, higherVersion: true });
});

Deno.test("header: malformed headers are rejected with reasons", () => {
  const good = encodeHeader(header(), 0, 28);
  const cases: [string, Uint8Array, string, number, number | undefined][] = [
    ["27 bytes", good.subarray(0, 27), "truncated", 0, undefined],
    ["major version 3", withByte(good, 17, 0x30), "version", 17, NotifyType.INVALID_MAJOR_VERSION],
    ["major version 1 (IKEv1)", withByte(good, 17, 0x10), "version", 17, undefined],
    ["Length 29 > datagram", withByte(good, 27, 29), "truncated", 24, undefined],
    ["Length 27 < datagram", withByte(good, 27, 27), "length", 24, undefined],
    ["datagram over the limit", new Uint8Array(MAX_MESSAGE_SIZE + 1), "limit", 0, undefined],
  ];
  for (const [label, bytes, code, offset, notify] of cases) {
    const r = decodeHeader(bytes);
    assertEquals(r.ok, false, label);
    if (r.ok) continue;
    assertEquals(
      [r.error.code, r.error.offset, r.error.notify?.type],
      [code, offset, notify],
      label,
    );
  }
});

function withByte(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  c[at] = v;
  return c;
}
