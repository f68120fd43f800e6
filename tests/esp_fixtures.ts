/**
 * Test support for the ESP dataplane: SAs with fixed keys and addresses,
 * built through the same constructor the dataplane uses.
 *
 * @module
 */
import { FakeClock } from "../core/clock.ts";
import { formatIp, type IpAddress, parseIp } from "../core/ip.ts";
import { LogHub } from "../core/log.ts";
import { SeededRng } from "../core/rng.ts";
import type { EncryptionAlgorithm, IntegrityAlgorithm } from "../crypto/types.ts";
import { Dataplane } from "../esp/dataplane.ts";
import type { EspEvents } from "../esp/events.ts";
import { type SaParams, SecurityAssociation } from "../esp/sa.ts";
import type { SeqSyncConfig } from "../esp/seq_sync.ts";
import { AES128_CBC, HMAC_SHA1_96 } from "./esp_transforms.ts";

/** Key bytes 0x01, 0x02, … of `n` bytes, offset by `seed`. */
export function testKey(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i + 1 + seed) & 0xff);
}

/** Overrides of the defaults; `integrity: null` means none. */
export type TestSaParams = Omit<Partial<SaParams>, "integrity" | "encryption"> & {
  encryption?: EncryptionAlgorithm;
  integrity?: IntegrityAlgorithm | null;
};

/** A complete `SaParams` with defaults: tunnel mode, UDP 4500, AES-128-CBC + HMAC-SHA1-96. */
export function saParams(p: TestSaParams = {}): SaParams {
  const encryption = p.encryption ?? AES128_CBC;
  const integrity = p.integrity === null
    ? undefined
    : p.integrity ?? (encryption.aead ? undefined : HMAC_SHA1_96);
  const { integrity: _i, ...rest } = p;
  const base: SaParams = {
    spi: 0x1000,
    direction: "out",
    mode: "tunnel",
    encap: { kind: "udp", localPort: 4500, remotePort: 4500 },
    local: parseIp("192.0.2.1"),
    remote: parseIp("198.51.100.1"),
    encryption,
    encryptionKey: testKey(encryption.keyLength),
    ...(integrity ? { integrity, integrityKey: testKey(integrity.keyLength, 100) } : {}),
  };
  return { ...base, ...rest } as SaParams;
}

/** An SA from {@linkcode saParams} with a zero IV mask (so counter IVs equal the sequence number). */
export function testSa(p: TestSaParams = {}): SecurityAssociation {
  return new SecurityAssociation(saParams(p), new Uint8Array(8));
}

/** Options of {@linkcode gatewayPair}. */
export interface PairOptions {
  mode?: "tunnel" | "transport";
  esn?: boolean;
  via?: "udp" | "raw";
  encryption?: EncryptionAlgorithm;
  integrity?: IntegrityAlgorithm | null;
  replayWindow?: number;
  family?: 4 | 6;
  lifetime?: SaParams["lifetime"];
  pathMtu?: number;
  /** Route-based: bind the SAs to this SVTI id instead of policies. */
  ifaceId?: number;
  seqSync?: SeqSyncConfig;
  clock?: FakeClock;
}

/** One side of a pair: its dataplane, SAs, addresses and recorded events. */
export interface Gateway {
  dp: Dataplane;
  out: SecurityAssociation;
  in: SecurityAssociation;
  outer: Uint8Array;
  lan: string;
  host: string;
  events: { type: keyof EspEvents; ev: EspEvents[keyof EspEvents] }[];
}

/**
 * Two gateways A and B with static keys: A protects lan A <-> lan B
 * (tunnel mode) or A <-> B themselves (transport mode), B the mirror image.
 */
export function gatewayPair(o: PairOptions = {}): { a: Gateway; b: Gateway; clock: FakeClock } {
  const v6 = o.family === 6;
  const clock = o.clock ?? new FakeClock();
  const outerA = parseIp(v6 ? "2001:db8:a::1" : "192.0.2.1");
  const outerB = parseIp(v6 ? "2001:db8:b::1" : "198.51.100.1");
  const transport = o.mode === "transport";
  const lanA = transport
    ? `${formatIp(outerA)}/${v6 ? 128 : 32}`
    : v6
    ? "2001:db8:1::/64"
    : "10.1.0.0/24";
  const lanB = transport
    ? `${formatIp(outerB)}/${v6 ? 128 : 32}`
    : v6
    ? "2001:db8:2::/64"
    : "10.2.0.0/24";
  const hostA = transport ? formatIp(outerA) : v6 ? "2001:db8:1::10" : "10.1.0.10";
  const hostB = transport ? formatIp(outerB) : v6 ? "2001:db8:2::10" : "10.2.0.10";
  const encap = o.via === "raw"
    ? { kind: "raw" as const }
    : { kind: "udp" as const, localPort: 4500, remotePort: 4500 };
  const make = (
    name: string,
    local: IpAddress,
    remote: IpAddress,
    myLan: string,
    peerLan: string,
    spiOut: number,
    spiIn: number,
    host: string,
  ): Gateway => {
    const log = new LogHub({ ringSize: 100 }).logger("esp");
    const dp = new Dataplane({
      vrf: name,
      clock,
      rng: new SeededRng(name.charCodeAt(0)),
      log,
      seqSync: o.seqSync ?? { packets: 0, timeMs: 0 },
    });
    const common = {
      mode: o.mode ?? "tunnel",
      encap,
      local,
      remote,
      esn: o.esn ?? false,
      ...(o.encryption ? { encryption: o.encryption } : {}),
      ...(o.integrity !== undefined ? { integrity: o.integrity } : {}),
      ...(o.lifetime ? { lifetime: o.lifetime } : {}),
      ...(o.pathMtu ? { pathMtu: o.pathMtu } : {}),
      ...(o.ifaceId !== undefined ? { ifaceId: o.ifaceId } : { reqid: 1 }),
    };
    const keyed = (spi: number, p: TestSaParams): SaParams => pairSaParams({ ...p, spi });
    const out = dp.installSa(keyed(spiOut, {
      ...common,
      direction: "out",
      selectors: [{ src: myLan, dst: peerLan }],
    }));
    const inSa = dp.installSa(keyed(spiIn, {
      ...common,
      direction: "in",
      replayWindow: o.replayWindow ?? 64,
      selectors: [{ src: peerLan, dst: myLan }],
    }));
    if (o.ifaceId === undefined) {
      dp.addPolicy({
        name: `${name}-out`,
        selector: { src: myLan, dst: peerLan },
        action: { kind: "protect", reqid: 1 },
      });
    }
    const events: Gateway["events"] = [];
    for (const type of ["sa-soft-expired", "sa-hard-expired", "seq-progress", "acquire"] as const) {
      dp.events.on(type, (ev) => events.push({ type, ev }));
    }
    return { dp, out, in: inSa, outer: local.bytes, lan: myLan, host, events };
  };
  const a = make("A", outerA, outerB, lanA, lanB, 0xa0001, 0xb0001, hostA);
  const b = make("B", outerB, outerA, lanB, lanA, 0xb0001, 0xa0001, hostB);
  return { a, b, clock };
}

/** {@linkcode saParams} with the keys {@linkcode gatewayPair} gives the SA `p.spi` (both ends agree). */
export function pairSaParams(p: TestSaParams & { spi: number }): SaParams {
  const sp = saParams(p);
  return {
    ...sp,
    encryptionKey: testKey(sp.encryption.keyLength, p.spi >>> 16),
    ...(sp.integrity ? { integrityKey: testKey(sp.integrity.keyLength, (p.spi >>> 16) + 50) } : {}),
  };
}

/** A copy of what an outbound action sends (the action object is reused by the next call). */
export function sent(
  dp: Dataplane,
  pkt: Uint8Array,
  ifaceId: number | null = null,
): Uint8Array | string {
  const r = dp.outbound(pkt, ifaceId);
  if (r.kind !== "send") return `${r.kind}:${r.reason}`;
  return r.buf.slice(r.offset, r.offset + r.length);
}

/** Hands an ESP datagram to `to` as its socket would; returns the delivered bytes or `kind:reason`. */
export function receive(
  to: Gateway,
  from: Gateway,
  datagram: Uint8Array,
  via: "udp" | "raw" = "udp",
): Uint8Array | string {
  const r = to.dp.inbound(datagram, from.outer, to.outer, 4500, 4500, via);
  if (r.kind !== "tun") return `${r.kind}:${r.reason}`;
  return r.buf.slice(r.offset, r.offset + r.length);
}
