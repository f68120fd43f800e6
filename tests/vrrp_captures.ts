/**
 * The keepalived 2.2.7 VRRPv3 captures in `tests/vectors/vrrp/` as lists of
 * adverts (capture time, Ethernet source, IP facts, VRRP message),
 * gratuitous ARPs and unsolicited neighbor advertisements.
 * Test support only.
 *
 * @module
 */
import { ipOfEthernet, readPcap } from "./pcap.ts";
import { formatIp, type IpAddress, ipFromBytes } from "../core/ip.ts";

/** Every capture file, with what the lab README says about it. */
export const VRRP_CAPTURES = [
  "keepalived-2.2.7-vrrpv3-adv1s-hard.pcap",
  "keepalived-2.2.7-vrrpv3-adv1s-graceful.pcap",
  "keepalived-2.2.7-vrrpv3-adv100ms-hard.pcap",
  "keepalived-2.2.7-vrrpv3-adv100ms-graceful.pcap",
  "keepalived-2.2.7-vrrpv3-adv1s-vmac-hard.pcap",
  "keepalived-2.2.7-vrrpv3-adv1s-vmac-graceful.pcap",
  "keepalived-2.2.7-vrrpv3-vrid77-2vips-nodecrash.pcap",
] as const;

/**
 * IPv6 (recorded for Tandem with `keepalived-ipv6.conf`): fe80::344f:dbff:fefe:9ad2
 * priority 100 is master, fe80::b026:d5ff:fefe:4596 priority 200 preempts it
 * and resigns with priority 0, the first takes over after its skew time.
 */
export const VRRP_CAPTURES_V6 = ["keepalived-2.2.7-vrrpv3-ipv6-adv1s-graceful.pcap"] as const;

export type VrrpCaptureName =
  | typeof VRRP_CAPTURES[number]
  | typeof VRRP_CAPTURES_V6[number];

/** One VRRP packet of a capture. */
export interface CapturedAdvert {
  /** Microseconds since the first frame of the file. */
  readonly timeUs: number;
  readonly srcMac: string;
  readonly dstMac: string;
  readonly src: IpAddress;
  readonly dst: IpAddress;
  readonly ttl: number;
  /** IPv4 TOS or IPv6 traffic class. */
  readonly tos: number;
  /** The VRRP message (IP payload). */
  readonly message: Uint8Array;
}

/** One gratuitous ARP (`who-has X tell X`) or unsolicited NA of a capture. */
export interface CapturedGarp {
  readonly timeUs: number;
  readonly srcMac: string;
  readonly address: string;
  /** The whole Ethernet frame. */
  readonly frame: Uint8Array;
}

function mac(b: Uint8Array, off: number): string {
  return Array.from(b.subarray(off, off + 6), (x) => x.toString(16).padStart(2, "0")).join(":");
}

/** Reads a capture's VRRP adverts and gratuitous ARPs. */
export function readVrrpCapture(
  name: VrrpCaptureName,
): { adverts: CapturedAdvert[]; garps: CapturedGarp[]; nas: CapturedGarp[] } {
  const { records } = readPcap(
    Deno.readFileSync(new URL(`./vectors/vrrp/${name}`, import.meta.url)),
  );
  const t0 = records[0]?.timeUs ?? 0;
  const adverts: CapturedAdvert[] = [];
  const garps: CapturedGarp[] = [];
  const nas: CapturedGarp[] = [];
  for (const r of records) {
    const f = r.data;
    const etherType = (f[12]! << 8) | f[13]!;
    if (etherType === 0x0806) {
      const arp = f.subarray(14);
      const op = (arp[6]! << 8) | arp[7]!;
      const spa = arp.subarray(14, 18);
      const tpa = arp.subarray(24, 28);
      if (op === 1 && spa.every((b, i) => b === tpa[i])) {
        garps.push({
          timeUs: r.timeUs - t0,
          srcMac: mac(f, 6),
          address: formatIp(ipFromBytes(spa)),
          frame: f,
        });
      }
      continue;
    }
    const ip = ipOfEthernet(f);
    if (ip?.protocol === 58 && ip.payload[0] === 136) {
      nas.push({
        timeUs: r.timeUs - t0,
        srcMac: mac(f, 6),
        address: formatIp(ipFromBytes(ip.payload.subarray(8, 24))),
        frame: f,
      });
      continue;
    }
    if (!ip || ip.protocol !== 112) continue;
    adverts.push({
      timeUs: r.timeUs - t0,
      srcMac: mac(f, 6),
      dstMac: mac(f, 0),
      src: ipFromBytes(ip.src),
      dst: ipFromBytes(ip.dst),
      ttl: ip.ttl,
      tos: ip.version === 4 ? ip.packet[1]! : ((ip.packet[0]! & 0x0f) << 4) | (ip.packet[1]! >> 4),
      message: ip.payload.slice(),
    });
  }
  return { adverts, garps, nas };
}
