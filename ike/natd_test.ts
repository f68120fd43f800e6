import { assertEquals } from "../tests/assert.ts";
import { parseIp } from "../core/ip.ts";
import { detectNat, natdHash } from "./natd.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

// From tests/vectors/strongswan/ref-noesn-encap_no.pcap (frames 1-2): strongSwan 5.9.8
// sends a real NAT_DETECTION_DESTINATION_IP and a fake NAT_DETECTION_SOURCE_IP.
const spiI = hex("33ef2b0fe9061e64");
const spiR = hex("5cc02fd312d1a8a5");
const a = { address: parseIp("10.225.0.1"), port: 500 };
const b = { address: parseIp("10.200.0.1"), port: 500 };

Deno.test("natd: destination hashes match strongSwan's capture", () => {
  assertEquals(
    toHex(natdHash(spiI, new Uint8Array(8), b)),
    "726539362b64f6b87e95c30d3483809c71bc5a81",
  );
  assertEquals(toHex(natdHash(spiI, spiR, a)), "fd36feaaafd220718f0614d90562e51b386b1503");
});

Deno.test("natd: strongSwan's fake source hash reads as 'peer behind NAT'", () => {
  const st = detectNat(
    spiI,
    spiR,
    a,
    b,
    [hex("df75c4380435d5b5a8dcd2ccda7d17da83277f9f")],
    hex("fd36feaaafd220718f0614d90562e51b386b1503"),
  );
  assertEquals(st, { local: false, remote: true });
  const real = detectNat(spiI, spiR, a, b, [natdHash(spiI, spiR, b)], natdHash(spiI, spiR, a));
  assertEquals(real, { local: false, remote: false });
  const us = detectNat(
    spiI,
    spiR,
    a,
    b,
    [natdHash(spiI, spiR, b)],
    natdHash(spiI, spiR, { ...a, port: 4500 }),
  );
  assertEquals(us, { local: true, remote: false });
  assertEquals(detectNat(spiI, spiR, a, b, [], undefined), undefined);
});
