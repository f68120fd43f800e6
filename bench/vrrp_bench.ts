/**
 * VRRP packet-path costs: decoding an advert, and a backup instance taking
 * one (decode, checks, Master_Down_Timer push). Run:
 * `deno bench -A bench/vrrp_bench.ts`.
 */
import { FakeClock } from "../core/clock.ts";
import { parseInterfaceAddress, parseIp } from "../core/ip.ts";
import { quietLogger } from "../core/log.ts";
import { decodeVrrp, encodeVrrp, VRRP_GROUP_V4 } from "../vrrp/packet.ts";
import { VrrpInstance } from "../vrrp/instance.ts";
import type { VrrpPort } from "../vrrp/port.ts";

const src = parseIp("10.22.0.2");
const msg = encodeVrrp(
  { family: 4, vrid: 1, priority: 200, intervalCs: 100, addresses: [parseIp("10.100.0.2")] },
  src,
  VRRP_GROUP_V4,
);
const ip = { src, dst: VRRP_GROUP_V4, ttl: 255 };

Deno.bench("vrrp decode: 12-byte IPv4 advert", { group: "vrrp" }, () => {
  decodeVrrp(msg, ip);
});

const clock = new FakeClock();
const port: VrrpPort = {
  sendAdvert: () => true,
  addVirtualAddresses: () => {},
  removeVirtualAddresses: () => {},
  announce: () => {},
};
const inst = new VrrpInstance({
  name: "vrrp51",
  linkInterface: "eth1",
  vrid: 1,
  virtualAddresses: [parseInterfaceAddress("10.100.0.2/24")],
  primaryAddress: parseIp("10.22.0.1"),
}, { clock, log: quietLogger("vrrp"), port });
inst.start();

Deno.bench(
  "vrrp backup: receive one advert (decode, checks, timer push)",
  { group: "vrrp" },
  () => {
    clock.advance(1);
    inst.receive(msg, src, VRRP_GROUP_V4, 255);
  },
);
