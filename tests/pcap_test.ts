import { assertEquals } from "./assert.ts";
import { readPcap, udpOfEthernet } from "./pcap.ts";

Deno.test("pcap: the strongSwan reference capture has 14 IKE and 18 ESP-in-UDP datagrams", () => {
  const { linkType, records } = readPcap(
    Deno.readFileSync(new URL("./vectors/strongswan/ref-noesn-encap_no.pcap", import.meta.url)),
  );
  assertEquals(linkType, 1);
  let ike = 0;
  let esp = 0;
  for (const r of records) {
    const u = udpOfEthernet(r.data);
    if (!u) continue;
    const marker = u.payload.length >= 4 && u.payload.subarray(0, 4).every((b) => b === 0);
    if (u.srcPort === 500 || marker) ike++;
    else esp++;
  }
  assertEquals([records.length, ike, esp], [32, 14, 18]);
});
