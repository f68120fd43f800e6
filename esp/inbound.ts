/**
 * The inbound pipeline: a datagram from UDP port 4500 or an IP protocol 50
 * socket becomes a plaintext packet for a TUN, an IKE message, a consumed
 * keepalive, or a counted drop. Stages, in order (RFC 4301 §5.2, RFC 4303
 * §3.4, RFC 3948 §2):
 *
 * 1. classify — UDP: keepalive (0xFF), IKE (non-ESP marker) or ESP
 *               (`natt.ts`); raw: ESP.
 * 2. lookup   — SPI (+ our address when known) in the SAD: `no-sa`; an SA
 *               of the other encapsulation: `encap-mismatch`.
 * 3. replay   — infer the ESN high bits and check the window (RFC 4303
 *               §3.4.3: before the ICV): `bad-seq`, `replay`, `replay-old`.
 * 4. open     — ICV, decryption, padding (`decap.ts`): `truncated`, `icv`,
 *               `bad-padding`.
 * 5. window   — only now record the sequence number; HA progress threshold
 *               (one compare).
 * 6. mode     — next header 59: `dummy` (RFC 4303 §2.6). Tunnel: the inner
 *               packet must be the IP version next header 4/41 says, cut to
 *               its own length (drops TFC padding): `bad-inner`. Transport:
 *               the IP header is rebuilt (`transport.ts`, RFC 3948 §3.1.2
 *               checksum repair with UDP encapsulation).
 * 7. policy   — the inner packet must match the SA's selectors (RFC 4301
 *               §5.2 step 4): `policy-mismatch`.
 * 8. account  — counters; soft lifetime -> rekey event (once); hard limit
 *               reached -> the SA is removed after this packet (event).
 * 9. result   — "tun": the SA's SVTI interface id, or the VRF's policy TUN.
 *
 * Nothing here throws or logs below `raw`.
 *
 * @module
 */
import type { InboundAction, Via } from "./actions.ts";
import { get32 } from "./checksum.ts";
import {
  ESP_HEADER_LENGTH,
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPPROTO_NONE,
  NON_ESP_MARKER_LENGTH,
} from "./constants.ts";
import { openEsp } from "./decap.ts";
import { parseFlow } from "./flow.ts";
import { classifyNatt, NATT_IKE, NATT_INVALID, NATT_KEEPALIVE } from "./natt.ts";
import { REPLAY_OK, REPLAY_SEEN } from "./replay.ts";
import { matchesAny } from "./selector.ts";
import type { DataplaneState } from "./state.ts";
import { rebuildTransportPacket } from "./transport.ts";

const TWO32 = 0x100000000;

/** Runs the pipeline on datagram `d[0..len)` received `via` a socket, for our address `dst` (null: unknown). */
export function processInbound(
  st: DataplaneState,
  d: Uint8Array,
  len: number,
  dst: Uint8Array | null,
  via: Via,
  r: InboundAction,
): InboundAction {
  r.reason = null;
  r.sa = null;
  r.ifaceId = null;
  if (len > d.length) return st.reject(r, "too-big", null);
  // 1. classify
  if (via === "udp") {
    const k = classifyNatt(d, len);
    if (k === NATT_KEEPALIVE) {
      st.stats.keepalives++;
      r.kind = "keepalive";
      return r;
    }
    if (k === NATT_IKE) {
      st.stats.ike++;
      r.kind = "ike";
      r.buf = d;
      r.offset = NON_ESP_MARKER_LENGTH;
      r.length = len - NON_ESP_MARKER_LENGTH;
      return r;
    }
    if (k === NATT_INVALID) return st.reject(r, "bad-udp", null);
  } else if (len < ESP_HEADER_LENGTH) {
    return st.reject(r, "truncated", null);
  }

  // 2. lookup
  const sa = st.sad.inbound(get32(d, 0), dst);
  if (sa === undefined) return st.reject(r, "no-sa", null);
  if (sa.encap.kind !== via) return st.reject(r, "encap-mismatch", sa);
  const c = sa.counters;

  // 3. replay
  const window = sa.replay!;
  const seq = window.infer(get32(d, 4));
  if (seq < 0) {
    c.replayDrops++;
    return st.reject(r, "bad-seq", sa);
  }
  const verdict = window.check(seq);
  if (verdict !== REPLAY_OK) {
    c.replayDrops++;
    return st.reject(r, verdict === REPLAY_SEEN ? "replay" : "replay-old", sa);
  }

  // 4. open
  const o = st.opened;
  const err = openEsp(sa, Math.floor(seq / TWO32), d, 0, len, o, st.plainBuf);
  if (err !== null) {
    if (err === "icv") c.icvFailures++;
    else if (err === "bad-padding") c.paddingErrors++;
    else c.malformed++;
    return st.reject(r, err, sa);
  }

  // 5. window
  window.update(seq);
  if (seq >= sa.syncAt) st.seqSync.mark(sa);

  // 6. mode
  const nh = o.nextHeader;
  if (nh === IPPROTO_NONE) return st.reject(r, "dummy", sa);
  const f = st.flow;
  let buf: Uint8Array;
  let n: number;
  if (sa.mode === "tunnel") {
    if (
      (nh !== IPPROTO_IPIP && nh !== IPPROTO_IPV6) || !parseFlow(o.plain, o.length, f) ||
      f.family !== (nh === IPPROTO_IPIP ? 4 : 6)
    ) {
      c.malformed++;
      return st.reject(r, "bad-inner", sa);
    }
    buf = o.plain;
    n = f.totalLength;
  } else {
    buf = st.inBuf;
    n = rebuildTransportPacket(buf, sa, o.plain, o.length, nh);
    if (n < 0 || !parseFlow(buf, n, f)) {
      c.malformed++;
      return st.reject(r, "bad-inner", sa);
    }
  }

  // 7. policy
  if (!matchesAny(sa.selectors, f)) {
    c.policyDrops++;
    return st.reject(r, "policy-mismatch", sa);
  }

  // 8. account
  const inner = sa.mode === "tunnel" ? n : o.length;
  c.packets++;
  c.bytes += inner;
  st.stats.inPackets++;
  st.stats.inBytes += inner;
  const lt = sa.lifetime;
  if (!sa.softExpired) {
    if (c.packets >= lt.softPackets) st.softExpire(sa, "packets");
    else if (c.bytes >= lt.softBytes) st.softExpire(sa, "bytes");
  }
  if (c.packets >= lt.hardPackets) st.expire(sa, "packets");
  else if (c.bytes >= lt.hardBytes) st.expire(sa, "bytes");

  // 9. result
  r.kind = "tun";
  r.buf = buf;
  r.offset = 0;
  r.length = n;
  r.sa = sa;
  r.ifaceId = sa.ifaceId ?? null;
  return r;
}
