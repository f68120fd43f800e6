import { parseIp } from "../core/ip.ts";
import { assertEquals } from "../tests/assert.ts";
import { testSa } from "../tests/esp_fixtures.ts";
import { packet, refChecksum } from "../tests/esp_packets.ts";
import { BUFFER_SIZE } from "./constants.ts";
import { rebuildTransportPacket } from "./transport.ts";

const out = new Uint8Array(BUFFER_SIZE);

Deno.test("transport: IP header rebuilt from the SA, RFC 3948 §3.1.2 repairs only with UDP encapsulation", () => {
  const udpSa = testSa({ direction: "in", mode: "transport" });
  const rawSa = testSa({ direction: "in", mode: "transport", encap: { kind: "raw" } });
  // A TCP segment whose checksum was computed for other (pre-NAT) addresses.
  const tcp = packet({ src: "10.0.0.5", dst: "192.0.2.1", protocol: 6, payload: 11 }).slice(20);
  const n = rebuildTransportPacket(out, udpSa, tcp, tcp.length, 6);
  const p = out.slice(0, n);
  assertEquals([n, p[0], p[9], refChecksum(p.subarray(0, 20))], [20 + tcp.length, 0x45, 6, 0]);
  assertEquals(p.subarray(12, 16), parseIp("198.51.100.1").bytes, "source: the SA's peer");
  assertEquals(p.subarray(16, 20), parseIp("192.0.2.1").bytes, "destination: us");
  const pseudo = Uint8Array.of(...p.subarray(12, 20), 0, 6, 0, tcp.length);
  assertEquals(refChecksum(pseudo, p.subarray(20)), 0, "TCP checksum recomputed");
  const m = rebuildTransportPacket(out, rawSa, tcp, tcp.length, 6);
  assertEquals(out.slice(20, m), tcp, "raw ESP: no NAT in between, bytes as sent");
  assertEquals(rebuildTransportPacket(out, udpSa, tcp, 19, 6), -1, "TCP header cut short");
  assertEquals(rebuildTransportPacket(out, udpSa, tcp, 7, 17), -1, "UDP header cut short");
  assertEquals(
    rebuildTransportPacket(out, udpSa, new Uint8Array(65520), 65520, 47),
    -1,
    "over 65535",
  );
  const gre = Uint8Array.of(0, 0, 8, 0, 1, 2, 3, 4);
  assertEquals(
    out.slice(20, rebuildTransportPacket(out, udpSa, gre, 8, 47)),
    gre,
    "other protocols untouched",
  );
});
