import { parseIp } from "../core/ip.ts";
import { assertEquals, assertThrows } from "../tests/assert.ts";
import { testSa } from "../tests/esp_fixtures.ts";
import { Sad, SadError } from "./sad.ts";

Deno.test("sad: inbound by SPI and our address, SPI alone when the address is unknown", () => {
  const sad = new Sad();
  const x = testSa({ direction: "in", spi: 0x5000, local: parseIp("192.0.2.1") });
  const y = testSa({ direction: "in", spi: 0x5000, local: parseIp("192.0.2.2") });
  const z = testSa({ direction: "in", spi: 0x6000, local: parseIp("192.0.2.1") });
  for (const sa of [x, y, z]) sad.add(sa);
  assertEquals(
    x.describe(),
    "in 0x00005000 tunnel udp 192.0.2.1:4500 <- 198.51.100.1:4500 aes128-cbc/hmac-sha1",
  );
  assertEquals(sad.inbound(0x5000, parseIp("192.0.2.1").bytes), x);
  assertEquals(sad.inbound(0x5000, parseIp("192.0.2.2").bytes), y);
  assertEquals(sad.inbound(0x5000, parseIp("192.0.2.3").bytes), undefined);
  assertEquals(sad.inbound(0x6000, null), z);
  assertEquals(sad.inbound(0x7000, null), undefined);
  assertThrows(
    () => sad.add(testSa({ direction: "in", spi: 0x5000, local: parseIp("192.0.2.2") })),
    SadError,
    "exists",
  );
  // Removing from the middle and the head of a chain keeps the rest reachable.
  assertEquals(sad.remove(y), true);
  assertEquals(sad.inbound(0x5000, parseIp("192.0.2.1").bytes), x);
  assertEquals(sad.remove(x), true);
  assertEquals(sad.inbound(0x5000, null), undefined);
  assertEquals(sad.remove(x), false);
  assertEquals([sad.size, sad.find("in", 0x6000)], [1, z]);
});

Deno.test("sad: outbound by reqid and by interface id, newest first, falling back on removal", () => {
  const sad = new Sad();
  const old = testSa({ spi: 0x100, reqid: 7 });
  const cur = testSa({ spi: 0x200, reqid: 7 });
  const svti = testSa({ spi: 0x300, ifaceId: 888 });
  for (const sa of [old, cur, svti]) sad.add(sa);
  assertEquals([sad.outboundByReqid(7), sad.outboundByIface(888), sad.outboundByReqid(8)], [
    cur,
    svti,
    undefined,
  ]);
  sad.remove(cur);
  assertEquals(sad.outboundByReqid(7), old);
  sad.remove(old);
  assertEquals(sad.outboundByReqid(7), undefined);
  assertEquals(sad.find("out", 0x300), svti);
  assertEquals([...sad], [svti]);
});
