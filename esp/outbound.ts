/**
 * The outbound pipeline: a plaintext packet read from a TUN becomes an ESP
 * packet to send, an ICMP error to write back, or a counted drop. Stages,
 * in order (RFC 4301 §5.1, RFC 4303 §3.3):
 *
 * 1. parse    — the packet's selector fields (`flow.ts`); not IP: `malformed`.
 * 2. classify — route-based (the TUN is an SVTI, `ifaceId` given): the
 *               outbound SA bound to that interface, whose selectors (if any)
 *               must match; policy-based: the SPD's most specific policy:
 *               discard / bypass / protect(reqid) -> the reqid's current
 *               SA; none yet: ask IKE ("acquire") and drop `no-sa`.
 * 3. mode     — tunnel: the whole packet, next header 4 or 41; transport:
 *               what follows the IP header, next header = its protocol
 *               (whole, unfragmented packets without IPv4 options or IPv6
 *               extension headers only, else `unsupported`).
 * 4. MTU      — larger than the SA's path allows: IPv4 with DF and IPv6
 *               get an ICMP error back into the TUN (rate-limited); IPv4
 *               without DF goes on (the outer packet is fragmented by the
 *               kernel), so does IPv6 when the tunnel MTU is below 1280
 *               (RFC 8200 §5: the tunnel must fragment).
 * 5. limits   — the ESP packet must fit the output buffer (`too-big`);
 *               hard packet/byte lifetime or sequence-number exhaustion:
 *               the SA is removed (event) and the packet dropped.
 * 6. seal     — next sequence number, IV, padding, encryption, ICV
 *               (`encap.ts`), into the dataplane's output buffer.
 * 7. account  — counters; soft lifetime -> rekey event (once); HA progress
 *               threshold (one compare).
 * 8. result   — "send" via the SA's encapsulation to its peer.
 *
 * Nothing here throws or logs below `raw`.
 *
 * @module
 */
import type { OutboundAction } from "./actions.ts";
import {
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPV4_HEADER_LENGTH,
  IPV6_MIN_MTU,
  MAX_PACKET,
} from "./constants.ts";
import { sealedLength, sealEsp } from "./encap.ts";
import { type Flow, parseFlow } from "./flow.ts";
import { buildFragNeeded, buildPacketTooBig, mayAnswerWithIcmp } from "./icmp.ts";
import type { SecurityAssociation } from "./sa.ts";
import { matchesAny } from "./selector.ts";
import type { DataplaneState } from "./state.ts";

const TWO32 = 0x100000000;

/** Runs the pipeline on `pkt[0..length)` read from TUN `ifaceId` (null: the policy TUN). */
export function processOutbound(
  st: DataplaneState,
  pkt: Uint8Array,
  length: number,
  ifaceId: number | null,
  r: OutboundAction,
  out: Uint8Array = st.outBuf,
): OutboundAction {
  r.reason = null;
  r.sa = null;
  r.ifaceId = ifaceId;
  // 1. parse
  if (length > MAX_PACKET || length > pkt.length) return st.reject(r, "too-big", null);
  const f = st.flow;
  if (!parseFlow(pkt, length, f)) return st.reject(r, "malformed", null);
  const total = f.totalLength;

  // 2. classify
  let sa: SecurityAssociation | undefined;
  if (ifaceId !== null) {
    sa = st.sad.outboundByIface(ifaceId);
    if (sa === undefined) return st.reject(r, "no-sa", null);
    if (!matchesAny(sa.selectors, f)) {
      sa.counters.policyDrops++;
      return st.reject(r, "no-policy", sa);
    }
  } else {
    const policy = st.spd.lookup(f);
    if (policy === undefined) return st.reject(r, "no-policy", null);
    const action = policy.action;
    if (action.kind === "discard") return st.reject(r, "policy-discard", null);
    if (action.kind === "bypass") return st.reject(r, "policy-bypass", null);
    sa = st.sad.outboundByReqid(action.reqid);
    if (sa === undefined) {
      st.acquire(policy, action.reqid, f);
      return st.reject(r, "no-sa", null);
    }
  }

  // 3. mode
  let off: number;
  let nextHeader: number;
  if (sa.mode === "tunnel") {
    off = 0;
    nextHeader = f.family === 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
  } else {
    if (
      f.family !== sa.local.family || f.fragment || f.extensionHeaders ||
      (f.family === 4 && f.headerLength !== IPV4_HEADER_LENGTH)
    ) {
      sa.counters.malformed++;
      return st.reject(r, "unsupported", sa);
    }
    off = f.headerLength;
    nextHeader = f.protocol;
  }
  const len = total - off;

  // 4. MTU
  if (len > sa.maxInner) {
    const mtu = sa.maxInner + off;
    const fragmentOuter = f.family === 4 ? !f.dontFragment : mtu < IPV6_MIN_MTU;
    if (!fragmentOuter) return tooBig(st, r, sa, pkt, f, mtu);
  }

  // 5. limits
  if (sealedLength(sa, len) > out.length) return st.reject(r, "too-big", sa);
  const c = sa.counters;
  const lt = sa.lifetime;
  if (c.packets + 1 > lt.hardPackets) {
    st.expire(sa, "packets");
    return st.reject(r, "hard-expired", sa);
  }
  if (c.bytes + len > lt.hardBytes) {
    st.expire(sa, "bytes");
    return st.reject(r, "hard-expired", sa);
  }
  if (sa.seqOut >= sa.seqMax) {
    st.expire(sa, "seq");
    return st.reject(r, "seq-exhausted", sa);
  }

  // 6. seal
  const seq = ++sa.seqOut;
  const lo = seq >>> 0;
  const hi = Math.floor(seq / TWO32);
  const iv = st.iv.next(sa, hi, lo);
  const n = sealEsp(sa, hi, lo, iv, pkt, off, len, nextHeader, out, st.scratch);

  // 7. account
  c.packets++;
  c.bytes += len;
  st.stats.outPackets++;
  st.stats.outBytes += len;
  if (!sa.softExpired) {
    if (c.packets >= lt.softPackets) st.softExpire(sa, "packets");
    else if (c.bytes >= lt.softBytes) st.softExpire(sa, "bytes");
    else if (seq >= sa.seqSoft) st.softExpire(sa, "seq");
  }
  if (seq >= sa.syncAt) st.seqSync.mark(sa);

  // 8. result
  r.kind = "send";
  r.buf = out;
  r.offset = 0;
  r.length = n;
  r.sa = sa;
  r.via = sa.encap.kind;
  r.local = sa.local;
  r.remote = sa.remote;
  r.localPort = sa.encap.kind === "udp" ? sa.encap.localPort : 0;
  r.remotePort = sa.encap.kind === "udp" ? sa.encap.remotePort : 0;
  return r;
}

/** Stage 4's error path: an ICMP error about `pkt` back into its TUN, when allowed. */
function tooBig(
  st: DataplaneState,
  r: OutboundAction,
  sa: SecurityAssociation,
  pkt: Uint8Array,
  f: Flow,
  mtu: number,
): OutboundAction {
  sa.counters.mtuExceeded++;
  const src = f.family === 4
    ? st.icmpSource4 ?? (sa.local.family === 4 ? sa.local.bytes : null)
    : st.icmpSource6 ?? (sa.local.family === 6 ? sa.local.bytes : null);
  if (src === null || !mayAnswerWithIcmp(pkt, f) || !st.icmpAllowed()) {
    return st.reject(r, "mtu-exceeded", sa);
  }
  st.drops.bump("mtu-exceeded");
  const n = f.family === 4
    ? buildFragNeeded(st.icmpBuf, pkt, f.totalLength, mtu, src)
    : buildPacketTooBig(st.icmpBuf, pkt, f.totalLength, mtu, src);
  st.stats.icmpSent++;
  r.kind = "icmp";
  r.reason = "mtu-exceeded";
  r.sa = sa;
  r.buf = st.icmpBuf;
  r.offset = 0;
  r.length = n;
  return r;
}
