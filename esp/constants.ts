/**
 * Every constant of the ESP dataplane in one place: first what the RFCs fix
 * (RFC 4303 ESP, RFC 3948 UDP encapsulation, RFC 791/8200 IP, RFC 792/4443
 * ICMP), then the values Tandem chooses.
 *
 * @module
 */

// ---- From the specs -------------------------------------------------------

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
export const IPPROTO_HOPOPTS = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ROUTING = 43;
export const IPPROTO_FRAGMENT = 44;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_ICMPV6 = 58;
/** "No next header": an ESP dummy packet carries it (RFC 4303 §2.6). */
export const IPPROTO_NONE = 59;
export const IPPROTO_DSTOPTS = 60;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;

/** SPI (4) + sequence number (4), RFC 4303 §2. */
export const ESP_HEADER_LENGTH = 8;
/** Pad Length (1) + Next Header (1), RFC 4303 §2.4–2.6. */
export const ESP_TRAILER_LENGTH = 2;
/** The ICV and the ciphertext end on a 4-byte boundary (RFC 4303 §2.4). */
export const ESP_MIN_ALIGN = 4;
/** SPI values 1..255 are reserved by IANA and 0 for local use (RFC 4303 §2.1). */
export const SPI_MIN = 256;
/** Largest 32-bit sequence number; a non-ESN SA must not wrap (RFC 4303 §3.3.3). */
export const SEQ_MAX_32 = 0xffffffff;

/** IKE/NAT-T port (RFC 3948 §2, RFC 7296 §2.23). */
export const NATT_PORT = 4500;
/** Four zero bytes in front of an IKE message on port 4500 (RFC 3948 §2.2). */
export const NON_ESP_MARKER_LENGTH = 4;
/** The one-byte NAT-keepalive payload (RFC 3948 §2.3). */
export const NATT_KEEPALIVE_BYTE = 0xff;

export const IPV4_HEADER_LENGTH = 20;
export const IPV6_HEADER_LENGTH = 40;
export const UDP_HEADER_LENGTH = 8;
/** IPv4 flags/fragment-offset field: Don't Fragment, More Fragments, offset mask (RFC 791). */
export const IPV4_DF = 0x4000;
export const IPV4_MF = 0x2000;
export const IPV4_OFFSET_MASK = 0x1fff;
/** Minimum link MTU of IPv6 (RFC 8200 §5). */
export const IPV6_MIN_MTU = 1280;
/** Minimum MTU every IPv4 module must forward without fragmenting (RFC 791). */
export const IPV4_MIN_MTU = 68;

/** ICMP destination unreachable / fragmentation needed and DF set (RFC 792, RFC 1191 §4). */
export const ICMP_DEST_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
/** An ICMPv4 error carries no more than 576 bytes in all (RFC 1812 §4.3.2.3). */
export const ICMP_ERROR_MAX = 576;
/** ICMPv6 Packet Too Big (RFC 4443 §3.2); errors fit in the minimum MTU (§2.4 (c)). */
export const ICMPV6_PACKET_TOO_BIG = 2;
export const ICMPV6_ERROR_MAX = IPV6_MIN_MTU;

// ---- Ours ------------------------------------------------------------------

/** Largest IP packet the dataplane handles (IPv4 total length limit). */
export const MAX_PACKET = 65535;
/** Room in the output buffers: a maximal packet plus every ESP and IP overhead. */
export const BUFFER_SIZE = MAX_PACKET + 512;
/** TTL / hop limit of the IP headers the dataplane builds itself. */
export const DEFAULT_TTL = 64;
/** Replay window when the SA does not say (strongSwan's libipsec uses 128). */
export const DEFAULT_REPLAY_WINDOW = 128;
/** Largest replay window an SA may ask for (bits; the bitmap is then 8 KiB). */
export const MAX_REPLAY_WINDOW = 65536;
/** Link MTU assumed toward a peer when the SA does not say. */
export const DEFAULT_PATH_MTU = 1500;
/** ICMP errors (frag-needed / packet-too-big) per second and dataplane. */
export const DEFAULT_ICMP_RATE = 100;
/** Slots of the SPD flow cache (a power of two). */
export const DEFAULT_SPD_CACHE_SIZE = 4096;
/** How often an unanswered policy may ask IKE for an SA again (RFC 4301 "acquire"). */
export const ACQUIRE_INTERVAL_MS = 1000;
/** Outbound sequence numbers a non-ESN SA has left when it asks IKE for a rekey. */
export const SEQ_SOFT_MARGIN = 1 << 20;
/** Bytes of random IV drawn from the Rng at a time (CBC IVs). */
export const IV_POOL_SIZE = 4096;
