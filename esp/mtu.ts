/**
 * ESP overhead and the MTUs that follow from it (RFC 4303 §2, RFC 3948 §2.1,
 * RFC 4459 on tunnel MTUs): what an SA adds to an inner packet, the largest
 * inner packet that still fits the path MTU, and the MTU to give a TUN
 * device so that the kernel's own PMTU discovery keeps packets in range.
 *
 * ```
 * outer IP (20/40) | UDP (8, RFC 3948) | SPI+seq (8) | IV | payload | pad | padlen+nh (2) | ICV
 *                                                         '------ multiple of align ------'
 * ```
 *
 * @module
 */
import {
  ESP_HEADER_LENGTH,
  ESP_TRAILER_LENGTH,
  IPV4_HEADER_LENGTH,
  IPV6_HEADER_LENGTH,
  UDP_HEADER_LENGTH,
} from "./constants.ts";

/** What the overhead of an SA depends on. */
export interface OverheadParams {
  readonly local: { readonly family: 4 | 6 };
  readonly encap: { readonly kind: "udp" | "raw" };
  readonly ivLength: number;
  readonly icvLength: number;
  /** Block size of the cipher, at least 4. */
  readonly align: number;
}

/** Every algorithm Tandem offers at its largest: IPv6 outer, UDP, 16-byte IV and block, 32-byte ICV (HMAC-SHA-512-256). */
export const WORST_CASE_OVERHEAD: OverheadParams = {
  local: { family: 6 },
  encap: { kind: "udp" },
  ivLength: 16,
  icvLength: 32,
  align: 16,
};

/** Bytes outside the encrypted payload: outer IP, UDP, ESP header, IV, trailer and ICV (padding excluded). */
export function fixedOverhead(p: OverheadParams): number {
  return (p.local.family === 4 ? IPV4_HEADER_LENGTH : IPV6_HEADER_LENGTH) +
    (p.encap.kind === "udp" ? UDP_HEADER_LENGTH : 0) + ESP_HEADER_LENGTH + p.ivLength +
    ESP_TRAILER_LENGTH + p.icvLength;
}

/** The worst-case overhead: fixed bytes plus the most padding (`align - 1`). */
export function maxOverhead(p: OverheadParams): number {
  return fixedOverhead(p) + p.align - 1;
}

/**
 * The largest ESP payload (tunnel mode: the inner packet; transport mode:
 * what follows the inner IP header) whose ESP packet fits `linkMtu`.
 */
export function maxInnerLength(p: OverheadParams, linkMtu: number): number {
  const room = linkMtu - fixedOverhead(p) + ESP_TRAILER_LENGTH;
  return Math.floor(room / p.align) * p.align - ESP_TRAILER_LENGTH;
}

/**
 * The MTU to set on a TUN device whose packets go into tunnel-mode SAs over
 * a link of `linkMtu`: exact for one known SA shape, or safe for any SA
 * Tandem negotiates with the default {@linkcode WORST_CASE_OVERHEAD}.
 */
export function tunMtu(linkMtu: number, p: OverheadParams = WORST_CASE_OVERHEAD): number {
  return maxInnerLength(p, linkMtu);
}
