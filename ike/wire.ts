/**
 * Conversions between the codec's payloads (`message/types.ts`) and the
 * engine's values: proposals, traffic selectors, identities, notifications
 * and deletes. Tasks build and read messages through these.
 *
 * @module
 */
import { type IpAddress, ipFromBytes } from "../core/ip.ts";
import { NotifyType, ProtocolId, TsType } from "./constants.ts";
import { ID_TYPE_NUMBERS, type Identity, identityFromWire } from "./identity.ts";
import { isAddressRange } from "./message/ts.ts";
import type {
  DeletePayload,
  IdPayload,
  NotifyPayload,
  Payload,
  SaPayload,
  TsPayload,
} from "./message/types.ts";
import type { WireProposal } from "./proposal.ts";
import type { TrafficSelector } from "./ts.ts";

/** The SA payload carrying `proposals`. */
export function saPayload(proposals: readonly WireProposal[]): SaPayload {
  return {
    kind: "sa",
    critical: false,
    proposals: proposals.map((p) => ({
      number: p.number,
      protocol: p.protocol,
      spi: p.spi,
      transforms: p.transforms.map((t) => ({
        type: t.type,
        id: t.id,
        keyLength: t.keyLength,
        otherAttributes: [],
      })),
    })),
  };
}

/**
 * The proposals of an SA payload. Transforms with attributes other than Key
 * Length are left out: RFC 7296 §3.3.6 forbids selecting them.
 */
export function proposalsOf(sa: SaPayload): WireProposal[] {
  return sa.proposals.map((p) => ({
    number: p.number,
    protocol: p.protocol,
    spi: p.spi,
    transforms: p.transforms
      .filter((t) => t.otherAttributes.length === 0)
      .map((
        t,
      ) => (t.keyLength !== undefined
        ? { type: t.type, id: t.id, keyLength: t.keyLength }
        : { type: t.type, id: t.id })
      ),
  }));
}

/** A TSi or TSr payload. */
export function tsPayload(kind: "tsi" | "tsr", list: readonly TrafficSelector[]): TsPayload {
  return {
    kind,
    critical: false,
    selectors: list.map((t) => ({
      type: t.start.family === 4 ? TsType.IPV4_ADDR_RANGE : TsType.IPV6_ADDR_RANGE,
      protocol: t.protocol,
      startPort: t.startPort,
      endPort: t.endPort,
      start: t.start.bytes,
      end: t.end.bytes,
    })),
  };
}

/** Address-range selectors of a TS payload; other selector types are skipped. */
export function selectorsOf(p: TsPayload): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const s of p.selectors) {
    if (!isAddressRange(s)) continue;
    if (s.start.length !== s.end.length) continue;
    const start: IpAddress = ipFromBytes(s.start);
    const end: IpAddress = ipFromBytes(s.end);
    out.push({ protocol: s.protocol, startPort: s.startPort, endPort: s.endPort, start, end });
  }
  return out;
}

/** An IDi or IDr payload. */
export function idPayload(kind: "idi" | "idr", id: Identity): IdPayload {
  return { kind, critical: false, idType: ID_TYPE_NUMBERS[id.type], data: id.data };
}

/** The identity of an ID payload, if its type is one we accept. */
export function identityOf(p: IdPayload): Identity | undefined {
  return identityFromWire(p.idType, p.data);
}

/**
 * RFC 7296 §2.15: the "RestOfIDPayload" that the AUTH computation MACs:
 * ID type, three reserved octets, identification data.
 */
export function idPayloadBody(p: IdPayload): Uint8Array {
  const out = new Uint8Array(4 + p.data.length);
  out[0] = p.idType;
  out.set(p.data, 4);
  return out;
}

/** A notification; protocol and SPI only for SA-related ones (REKEY_SA, …). */
export function notify(
  type: number,
  data: Uint8Array = new Uint8Array(0),
  protocol: number = ProtocolId.NONE,
  spi: Uint8Array = new Uint8Array(0),
): NotifyPayload {
  return { kind: "notify", critical: false, protocol, spi, type, data };
}

/** INVALID_KE_PAYLOAD with the group we want (§3.10.1: 2 octets). */
export function invalidKe(group: number): NotifyPayload {
  return notify(NotifyType.INVALID_KE_PAYLOAD, Uint8Array.of(group >> 8, group & 0xff));
}

/** A Delete payload for the IKE SA, or for ESP SPIs. */
export function deletePayload(spis: readonly number[] | "ike"): DeletePayload {
  if (spis === "ike") {
    return { kind: "delete", critical: false, protocol: ProtocolId.IKE, spiSize: 0, spis: [] };
  }
  return {
    kind: "delete",
    critical: false,
    protocol: ProtocolId.ESP,
    spiSize: 4,
    spis: spis.map((s) => Uint8Array.of(s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff)),
  };
}

/** Whether the message carries only status notifications or nothing (a liveness check). */
export function isEmptyInformational(payloads: readonly Payload[]): boolean {
  return payloads.every((p) => p.kind === "notify" && p.type >= 16384);
}
