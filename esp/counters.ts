/**
 * Why the dataplane drops a packet, and how often: one counter per reason
 * in a `Float64Array` (bumped on the packet path, read as-is by
 * `show ipsec counters`), plus the counters of what went through.
 *
 * @module
 */

/** Every drop reason, in the order `show ipsec counters` lists them. */
export const DROP_REASONS = [
  /** Outbound: not a well-formed IPv4/IPv6 packet. */
  "malformed",
  /** Outbound: no policy matches the packet. */
  "no-policy",
  /** Outbound: the matching policy says discard. */
  "policy-discard",
  /** Outbound: the matching policy says bypass (clear traffic never belongs in the TUN). */
  "policy-bypass",
  /** Outbound: no SA for the policy or interface yet (IKE was asked: "acquire"). Inbound: unknown SPI. */
  "no-sa",
  /** Inbound: SA exists but the packet came raw for a UDP SA, or the other way round. */
  "encap-mismatch",
  /** Inbound: shorter than header + IV + ICV, or a ciphertext not a multiple of the block size. */
  "truncated",
  /** Inbound: sequence number already received inside the window. */
  "replay",
  /** Inbound: sequence number left of the window. */
  "replay-old",
  /** Inbound: sequence number 0 without ESN, or ESN high bits that cannot be (RFC 4303 A2.2). */
  "bad-seq",
  /** Inbound: integrity check failed. */
  "icv",
  /** Inbound: pad length beyond the payload, or padding bytes not 1, 2, 3, … (RFC 4303 §2.4). */
  "bad-padding",
  /** Inbound: the decrypted packet is not the IP packet its next header announces. */
  "bad-inner",
  /** Inbound: dummy packet, next header 59 (RFC 4303 §2.6): dropped by design. */
  "dummy",
  /** Inbound: the decrypted packet is outside the SA's traffic selectors (RFC 4301 §5.2 step 4). */
  "policy-mismatch",
  /** Outbound: too big for the path MTU (an ICMP error went back when allowed). */
  "mtu-exceeded",
  /** The SA reached a hard byte/packet lifetime: removed. */
  "hard-expired",
  /** Outbound: the sequence number would wrap (RFC 4303 §3.3.3): SA removed. */
  "seq-exhausted",
  /** A packet shape the dataplane does not handle (e.g. transport mode with IPv6 extension headers). */
  "unsupported",
  /** Larger than the dataplane's buffers. */
  "too-big",
  /** UDP 4500 datagram that is neither ESP, IKE nor a keepalive. */
  "bad-udp",
] as const;
export type DropReason = typeof DROP_REASONS[number];

/** Counter slot of each reason. */
export const DROP_INDEX: { readonly [K in DropReason]: number } = Object.fromEntries(
  DROP_REASONS.map((r, i) => [r, i]),
) as { [K in DropReason]: number };

export class DropCounters {
  readonly values = new Float64Array(DROP_REASONS.length);

  bump(reason: DropReason): void {
    this.values[DROP_INDEX[reason]]!++;
  }

  get(reason: DropReason): number {
    return this.values[DROP_INDEX[reason]]!;
  }

  /** Reason -> count, every reason present. */
  snapshot(): Record<DropReason, number> {
    return Object.fromEntries(DROP_REASONS.map((r, i) => [r, this.values[i]!])) as Record<
      DropReason,
      number
    >;
  }

  /** Only the reasons that happened. */
  nonZero(): Partial<Record<DropReason, number>> {
    const out: Partial<Record<DropReason, number>> = {};
    DROP_REASONS.forEach((r, i) => {
      if (this.values[i]! > 0) out[r] = this.values[i]!;
    });
    return out;
  }
}

/** What went through a dataplane (plain numbers). */
export interface DataplaneStats {
  /** ESP packets built from TUN packets / their inner bytes. */
  outPackets: number;
  outBytes: number;
  /** ESP packets decrypted and delivered to a TUN / their inner bytes. */
  inPackets: number;
  inBytes: number;
  /** UDP 4500 datagrams handed to IKE (non-ESP marker). */
  ike: number;
  /** NAT-keepalives consumed. */
  keepalives: number;
  /** ICMP errors written back to a TUN. */
  icmpSent: number;
  /** Acquire events raised for policies without an SA. */
  acquires: number;
}

export function newStats(): DataplaneStats {
  return {
    outPackets: 0,
    outBytes: 0,
    inPackets: 0,
    inBytes: 0,
    ike: 0,
    keepalives: 0,
    icmpSent: 0,
    acquires: 0,
  };
}
