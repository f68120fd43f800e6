/**
 * Traffic selectors and their negotiation (RFC 7296 §2.9, §3.13.1): address
 * ranges with a protocol and a port range, intersection, narrowing as
 * responder, the initiator's subset check on the answer, the "first
 * selector is the packet" rule, and the transport-mode host check.
 *
 * @module
 */
import {
  compareIp,
  formatIp,
  type IpAddress,
  lastAddress,
  maxPrefixLength,
  parsePrefix,
} from "../core/ip.ts";
import type { TsConfig } from "./config.ts";

/** One traffic selector: an inclusive address range, protocol (0 = any) and port range. */
export interface TrafficSelector {
  readonly protocol: number;
  readonly startPort: number;
  readonly endPort: number;
  readonly start: IpAddress;
  readonly end: IpAddress;
}

/** The selector of a configured `local-ts`/`remote-ts`; `dynamic` fills an absent subnet. */
export function tsFromConfig(cfg: TsConfig, dynamic: IpAddress): TrafficSelector {
  const start = cfg.prefix ? cfg.prefix.address : dynamic;
  const end = cfg.prefix ? lastAddress(cfg.prefix) : dynamic;
  return {
    protocol: cfg.protocol,
    startPort: cfg.ports?.start ?? 0,
    endPort: cfg.ports?.end ?? 65535,
    start,
    end,
  };
}

/** Every address of a family, any protocol and port (what a VIP requester proposes as TSi). */
export function tsAny(family: 4 | 6): TrafficSelector {
  const p = parsePrefix(family === 4 ? "0.0.0.0/0" : "::/0");
  return { protocol: 0, startPort: 0, endPort: 65535, start: p.address, end: lastAddress(p) };
}

/** A single host, any protocol and port. */
export function tsHost(ip: IpAddress): TrafficSelector {
  return { protocol: 0, startPort: 0, endPort: 65535, start: ip, end: ip };
}

const maxIp = (a: IpAddress, b: IpAddress) => (compareIp(a, b) >= 0 ? a : b);
const minIp = (a: IpAddress, b: IpAddress) => (compareIp(a, b) <= 0 ? a : b);

/** The intersection of two selectors, or undefined when it is empty. */
export function intersectTs(a: TrafficSelector, b: TrafficSelector): TrafficSelector | undefined {
  if (a.start.family !== b.start.family) return undefined;
  if (a.protocol !== 0 && b.protocol !== 0 && a.protocol !== b.protocol) return undefined;
  const startPort = Math.max(a.startPort, b.startPort);
  const endPort = Math.min(a.endPort, b.endPort);
  if (startPort > endPort) return undefined;
  const start = maxIp(a.start, b.start);
  const end = minIp(a.end, b.end);
  if (compareIp(start, end) > 0) return undefined;
  return { protocol: a.protocol || b.protocol, startPort, endPort, start, end };
}

/** Whether `inner` lies entirely inside `outer`. */
export function tsContains(outer: TrafficSelector, inner: TrafficSelector): boolean {
  if (outer.start.family !== inner.start.family) return false;
  if (outer.protocol !== 0 && outer.protocol !== inner.protocol) return false;
  return inner.startPort >= outer.startPort && inner.endPort <= outer.endPort &&
    compareIp(inner.start, outer.start) >= 0 && compareIp(inner.end, outer.end) <= 0;
}

export function tsEquals(a: TrafficSelector, b: TrafficSelector): boolean {
  return tsContains(a, b) && tsContains(b, a) && a.protocol === b.protocol;
}

/**
 * Responder narrowing (§2.9): every non-empty intersection of a proposed
 * selector with a configured one, in the proposer's order, without
 * duplicates or selectors contained in an earlier one.
 */
export function narrowTs(
  proposed: readonly TrafficSelector[],
  configured: readonly TrafficSelector[],
): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const p of proposed) {
    for (const c of configured) {
      const i = intersectTs(p, c);
      if (i && !out.some((o) => tsContains(o, i))) {
        for (let k = out.length - 1; k >= 0; k--) if (tsContains(i, out[k]!)) out.splice(k, 1);
        out.push(i);
      }
    }
  }
  return out;
}

/** Initiator check: every selector of the answer lies inside one we proposed. */
export function tsSubset(
  answer: readonly TrafficSelector[],
  proposed: readonly TrafficSelector[],
): boolean {
  return answer.length > 0 && answer.every((a) => proposed.some((p) => tsContains(p, a)));
}

/**
 * §2.9: when TSi and TSr both start with a single-host selector followed by
 * more, the first ones describe the packet that triggered the request.
 */
export function packetSelectors(
  tsi: readonly TrafficSelector[],
  tsr: readonly TrafficSelector[],
): { tsi: TrafficSelector; tsr: TrafficSelector } | undefined {
  const a = tsi[0];
  const b = tsr[0];
  if (!a || !b || tsi.length < 2 || tsr.length < 2) return undefined;
  const single = (t: TrafficSelector) => compareIp(t.start, t.end) === 0;
  return single(a) && single(b) ? { tsi: a, tsr: b } : undefined;
}

/** Outcome of narrowing both directions as responder. */
export interface NarrowResult {
  /** Selectors for the initiator side (the peer, from our point of view as responder). */
  readonly tsi: TrafficSelector[];
  readonly tsr: TrafficSelector[];
  /** Whether the triggering packet (if any) is covered. */
  readonly coversPacket: boolean;
}

/**
 * Narrows the peer's TSi against our remote selectors and its TSr against
 * our local ones. Undefined = TS_UNACCEPTABLE.
 */
export function narrowAsResponder(
  tsi: readonly TrafficSelector[],
  tsr: readonly TrafficSelector[],
  ourRemote: readonly TrafficSelector[],
  ourLocal: readonly TrafficSelector[],
): NarrowResult | undefined {
  const pkt = packetSelectors(tsi, tsr);
  const ni = narrowTs(tsi, ourRemote);
  const nr = narrowTs(tsr, ourLocal);
  if (ni.length === 0 || nr.length === 0) return undefined;
  const coversPacket = pkt !== undefined && ni.some((t) => tsContains(t, pkt.tsi)) &&
    nr.some((t) => tsContains(t, pkt.tsr));
  return { tsi: ni, tsr: nr, coversPacket };
}

/**
 * Among several CHILD configurations, the first whose selectors narrow to
 * something non-empty, preferring one that covers the triggering packet.
 */
export function pickChildByTs<C>(
  candidates: readonly { config: C; remote: TrafficSelector[]; local: TrafficSelector[] }[],
  tsi: readonly TrafficSelector[],
  tsr: readonly TrafficSelector[],
): { config: C; result: NarrowResult } | undefined {
  let fallback: { config: C; result: NarrowResult } | undefined;
  for (const c of candidates) {
    const result = narrowAsResponder(tsi, tsr, c.remote, c.local);
    if (!result) continue;
    if (result.coversPacket) return { config: c.config, result };
    fallback ??= { config: c.config, result };
  }
  return fallback;
}

/**
 * Transport mode (RFC 7296 §1.3.1, §2.23): selectors must be single hosts;
 * ours must be our endpoint address, and the peer's its endpoint address
 * unless a NAT sits in front of it (then its inner address differs).
 */
export function transportTsOk(
  local: readonly TrafficSelector[],
  remote: readonly TrafficSelector[],
  localAddr: IpAddress,
  remoteAddr: IpAddress,
  remoteBehindNat: boolean,
): boolean {
  const isHost = (t: TrafficSelector, ip?: IpAddress) =>
    compareIp(t.start, t.end) === 0 && (ip === undefined || compareIp(t.start, ip) === 0);
  return local.every((t) => isHost(t, localAddr)) &&
    remote.every((t) => isHost(t, remoteBehindNat ? undefined : remoteAddr));
}

/** `10.0.0.0/24`, `10.0.0.1-10.0.0.9`, with `[proto/port]` when restricted. */
export function formatTs(ts: TrafficSelector): string {
  let addr = `${formatIp(ts.start)}-${formatIp(ts.end)}`;
  const max = maxPrefixLength(ts.start.family);
  for (let len = 0; len <= max; len++) {
    const p = { address: ts.start, length: len };
    const masked = parsePrefix(`${formatIp(ts.start)}/${len}`);
    if (compareIp(masked.address, ts.start) === 0 && compareIp(lastAddress(p), ts.end) === 0) {
      addr = `${formatIp(ts.start)}/${len}`;
      break;
    }
  }
  if (ts.protocol === 0 && ts.startPort === 0 && ts.endPort === 65535) return addr;
  const port = ts.startPort === 0 && ts.endPort === 65535
    ? ""
    : ts.startPort === ts.endPort
    ? `/${ts.startPort}`
    : `/${ts.startPort}-${ts.endPort}`;
  return `${addr}[${ts.protocol}${port}]`;
}
