import { assertEquals } from "../../tests/assert.ts";
import { hex, toHex } from "../../tests/pcap.ts";
import { addNonEspMarker, classifyNattDatagram, nattKeepalive } from "./natt.ts";

Deno.test("natt: port-4500 datagrams are told apart (RFC 3948 §2)", () => {
  const ike = hex("33ef2b0fe9061e64");
  const cases: [string, Uint8Array, string][] = [
    ["keepalive", hex("ff"), "keepalive"],
    ["IKE behind the marker", addNonEspMarker(ike), "ike"],
    ["ESP", hex("b16b744600000001aabbccdd"), "esp"],
    ["empty", new Uint8Array(0), "invalid"],
    ["one zero byte", hex("00"), "invalid"],
    ["3 zero bytes", hex("000000"), "invalid"],
    ["short ESP", hex("b16b744600"), "invalid"],
    ["0xff with more bytes is ESP-shaped", hex("ff00000000000001"), "esp"],
  ];
  for (const [label, d, kind] of cases) assertEquals(classifyNattDatagram(d).kind, kind, label);
  const r = classifyNattDatagram(addNonEspMarker(ike));
  assertEquals(r.kind === "ike" && toHex(r.message), toHex(ike));
  assertEquals(toHex(addNonEspMarker(ike)), "00000000" + toHex(ike));
  assertEquals(toHex(nattKeepalive()), "ff");
  const empty = classifyNattDatagram(hex("00000000"));
  assertEquals(empty.kind === "ike" && empty.message.length, 0);
});
