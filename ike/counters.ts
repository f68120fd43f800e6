/**
 * What the engine counts: traffic, and every reason a datagram was dropped
 * (the packet path never throws; it counts and moves on).
 *
 * @module
 */

export const DROP_REASONS = [
  "invalid", // does not decode (truncated, bad lengths, not IKEv2)
  "integrity", // ICV or AEAD tag failed
  "malformed", // authentic, but not a shape its exchange allows
  "invalid-spi", // no SA with these SPIs
  "unexpected-response", // a response to nothing we asked
  "invalid-message-id", // a request outside the window
  "no-keys", // protected message before keys exist
  "passive", // for an HA-passive SA
  "blocked", // too many half-open SAs from that address
  "not-ike", // on port 4500 but neither IKE, ESP nor a keepalive
] as const;
export type DropReason = typeof DROP_REASONS[number];

export interface IkeCounters {
  received: number;
  sent: number;
  processed: number;
  retransmitsAnswered: number;
  fragmentsReceived: number;
  fragmentsSent: number;
  keepalives: number;
  cookiesSent: number;
  established: number;
  failed: number;
  ikeRekeys: number;
  childRekeys: number;
  deadPeers: number;
}

export function newCounters(): IkeCounters {
  return {
    received: 0,
    sent: 0,
    processed: 0,
    retransmitsAnswered: 0,
    fragmentsReceived: 0,
    fragmentsSent: 0,
    keepalives: 0,
    cookiesSent: 0,
    established: 0,
    failed: 0,
    ikeRekeys: 0,
    childRekeys: 0,
    deadPeers: 0,
  };
}

export function newDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}
