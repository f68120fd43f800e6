/**
 * Every IKEv2 protocol constant Tandem uses, in two parts: numbers from the
 * specifications (RFC 7296 and its extensions, checked against the IANA
 * "Internet Key Exchange Version 2 (IKEv2) Parameters" registry), and
 * numbers of our own (size and count limits). Their names for logs are in
 * `message/names.ts`.
 *
 * @module
 */

// ---------------------------------------------------------------------------
// From the specifications
// ---------------------------------------------------------------------------

/** RFC 7296 §3.1: the version this implementation speaks. */
export const IKE_MAJOR_VERSION = 2;
export const IKE_MINOR_VERSION = 0;

/** RFC 7296 §3.1: fixed IKE header length. */
export const IKE_HEADER_LENGTH = 28;
/** RFC 7296 §3.2: generic payload header length. */
export const GENERIC_HEADER_LENGTH = 4;
/** RFC 7296 §3.1: IKE SPIs are 8 octets. */
export const IKE_SPI_LENGTH = 8;
/** RFC 4303: ESP and AH SPIs are 4 octets. */
export const CHILD_SPI_LENGTH = 4;
/** RFC 7296 §2.23 and RFC 3948 §2.2: the 4 zero octets before IKE on port 4500. */
export const NON_ESP_MARKER_LENGTH = 4;
/** RFC 3948 §2.3: the one-octet NAT-keepalive payload. */
export const NATT_KEEPALIVE_BYTE = 0xff;
/** RFC 7296 §2: IKE ports. */
export const IKE_PORT = 500;
export const NATT_PORT = 4500;
/** RFC 7296 §3.9: nonce length bounds in octets. */
export const NONCE_MIN_LENGTH = 16;
export const NONCE_MAX_LENGTH = 256;
/** RFC 7296 §2.6: COOKIE notification data length bounds. */
export const COOKIE_MIN_LENGTH = 1;
export const COOKIE_MAX_LENGTH = 64;

/** RFC 7296 §3.1, RFC 9242, RFC 9370: exchange types. */
export const ExchangeType = {
  IKE_SA_INIT: 34,
  IKE_AUTH: 35,
  CREATE_CHILD_SA: 36,
  INFORMATIONAL: 37,
  IKE_SESSION_RESUME: 38,
  IKE_INTERMEDIATE: 43,
  IKE_FOLLOWUP_KE: 44,
} as const;

/** RFC 7296 §3.1: header flag bits. The other bits are reserved. */
export const HeaderFlag = {
  INITIATOR: 0x08,
  VERSION: 0x10,
  RESPONSE: 0x20,
} as const;

/** RFC 7296 §3.2: the critical bit of the generic payload header's second octet. */
export const CRITICAL_BIT = 0x80;

/** RFC 7296 §3.2, RFC 7383 §2.5, RFC 6467, RFC 9838: payload types. */
export const PayloadType = {
  NONE: 0,
  SA: 33,
  KE: 34,
  IDI: 35,
  IDR: 36,
  CERT: 37,
  CERTREQ: 38,
  AUTH: 39,
  NONCE: 40,
  NOTIFY: 41,
  DELETE: 42,
  VENDOR: 43,
  TSI: 44,
  TSR: 45,
  SK: 46,
  CP: 47,
  EAP: 48,
  GSPM: 49,
  IDG: 50,
  GSA: 51,
  KD: 52,
  SKF: 53,
  PS: 54,
} as const;

/** RFC 7296 §3.3.1: security protocol identifiers (proposals, notify, delete). */
export const ProtocolId = {
  NONE: 0,
  IKE: 1,
  AH: 2,
  ESP: 3,
} as const;

/** RFC 7296 §3.3.1: "Last Substruc" values of proposals and transforms. */
export const LAST_SUBSTRUCTURE = 0;
export const MORE_PROPOSALS = 2;
export const MORE_TRANSFORMS = 3;

/** RFC 7296 §3.3.2, RFC 9370: transform types. */
export const TransformType = {
  ENCR: 1,
  PRF: 2,
  INTEG: 3,
  KE: 4,
  ESN: 5,
  ADDKE1: 6,
  ADDKE2: 7,
  ADDKE3: 8,
  ADDKE4: 9,
  ADDKE5: 10,
  ADDKE6: 11,
  ADDKE7: 12,
} as const;

/** RFC 7296 §3.3.5: transform attribute types; bit 15 of the type selects TV. */
export const TransformAttributeType = {
  KEY_LENGTH: 14,
} as const;
export const ATTRIBUTE_TV_BIT = 0x8000;

/** RFC 7296 §3.3.2 and IANA: encryption transform IDs. */
export const EncrId = {
  DES_IV64: 1,
  DES: 2,
  "3DES": 3,
  NULL: 11,
  AES_CBC: 12,
  AES_CTR: 13,
  AES_CCM_8: 14,
  AES_CCM_12: 15,
  AES_CCM_16: 16,
  AES_GCM_8: 18,
  AES_GCM_12: 19,
  AES_GCM_16: 20,
  NULL_AUTH_AES_GMAC: 21,
  CAMELLIA_CBC: 23,
  CAMELLIA_CTR: 24,
  CHACHA20_POLY1305: 28,
} as const;

/** RFC 7296 §3.3.2 and IANA: PRF transform IDs. */
export const PrfId = {
  HMAC_MD5: 1,
  HMAC_SHA1: 2,
  AES128_XCBC: 4,
  HMAC_SHA2_256: 5,
  HMAC_SHA2_384: 6,
  HMAC_SHA2_512: 7,
  AES128_CMAC: 8,
} as const;

/** RFC 7296 §3.3.2 and IANA: integrity transform IDs. */
export const IntegId = {
  NONE: 0,
  HMAC_MD5_96: 1,
  HMAC_SHA1_96: 2,
  AES_XCBC_96: 5,
  AES_CMAC_96: 8,
  HMAC_SHA2_256_128: 12,
  HMAC_SHA2_384_192: 13,
  HMAC_SHA2_512_256: 14,
} as const;

/** RFC 7296 §3.3.2 and IANA: key exchange (Diffie-Hellman) group numbers. */
export const KeGroup = {
  NONE: 0,
  MODP_768: 1,
  MODP_1024: 2,
  MODP_1536: 5,
  MODP_2048: 14,
  MODP_3072: 15,
  MODP_4096: 16,
  MODP_6144: 17,
  MODP_8192: 18,
  ECP_256: 19,
  ECP_384: 20,
  ECP_521: 21,
  CURVE_25519: 31,
  CURVE_448: 32,
} as const;

/** RFC 7296 §3.3.2: extended sequence numbers transform IDs. */
export const EsnId = {
  NO: 0,
  YES: 1,
} as const;

/** RFC 7296 §3.5, RFC 4595, RFC 7619: identification types. */
export const IdType = {
  IPV4_ADDR: 1,
  FQDN: 2,
  RFC822_ADDR: 3,
  IPV6_ADDR: 5,
  DER_ASN1_DN: 9,
  DER_ASN1_GN: 10,
  KEY_ID: 11,
  FC_NAME: 12,
  NULL: 13,
} as const;

/** RFC 7296 §3.6, RFC 4806, RFC 7670: certificate encodings (CERT and CERTREQ). */
export const CertEncoding = {
  PKCS7_X509: 1,
  PGP: 2,
  DNS_SIGNED_KEY: 3,
  X509_SIGNATURE: 4,
  KERBEROS_TOKEN: 6,
  CRL: 7,
  ARL: 8,
  SPKI: 9,
  X509_ATTRIBUTE: 10,
  RAW_RSA_KEY: 11,
  HASH_URL_X509: 12,
  HASH_URL_X509_BUNDLE: 13,
  OCSP_CONTENT: 14,
  RAW_PUBLIC_KEY: 15,
} as const;

/** RFC 7296 §3.8, RFC 4754, RFC 6467, RFC 7619, RFC 7427: authentication methods. */
export const AuthMethod = {
  RSA_SIG: 1,
  SHARED_KEY_MIC: 2,
  DSS_SIG: 3,
  ECDSA_256: 9,
  ECDSA_384: 10,
  ECDSA_521: 11,
  GSPM: 12,
  NULL: 13,
  DIGITAL_SIGNATURE: 14,
} as const;

/** RFC 7427 §7: hash algorithms in SIGNATURE_HASH_ALGORITHMS. */
export const SignatureHash = {
  SHA1: 1,
  SHA2_256: 2,
  SHA2_384: 3,
  SHA2_512: 4,
  IDENTITY: 5,
} as const;

/**
 * RFC 7296 §3.10.1 and extensions: notify message types. Types below 16384
 * are errors, the rest status.
 */
export const NotifyType = {
  // errors
  UNSUPPORTED_CRITICAL_PAYLOAD: 1,
  INVALID_IKE_SPI: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_SYNTAX: 7,
  INVALID_MESSAGE_ID: 9,
  INVALID_SPI: 11,
  NO_PROPOSAL_CHOSEN: 14,
  INVALID_KE_PAYLOAD: 17,
  AUTHENTICATION_FAILED: 24,
  SINGLE_PAIR_REQUIRED: 34,
  NO_ADDITIONAL_SAS: 35,
  INTERNAL_ADDRESS_FAILURE: 36,
  FAILED_CP_REQUIRED: 37,
  TS_UNACCEPTABLE: 38,
  INVALID_SELECTORS: 39,
  UNACCEPTABLE_ADDRESSES: 40, // RFC 4555
  UNEXPECTED_NAT_DETECTED: 41, // RFC 4555
  USE_ASSIGNED_HoA: 42, // RFC 5026
  TEMPORARY_FAILURE: 43,
  CHILD_SA_NOT_FOUND: 44,
  INVALID_GROUP_ID: 45, // RFC 6407
  AUTHORIZATION_FAILED: 46, // RFC 6407
  STATE_NOT_FOUND: 47, // RFC 9370
  TS_MAX_QUEUE: 48, // RFC 9611
  // status
  INITIAL_CONTACT: 16384,
  SET_WINDOW_SIZE: 16385,
  ADDITIONAL_TS_POSSIBLE: 16386,
  IPCOMP_SUPPORTED: 16387,
  NAT_DETECTION_SOURCE_IP: 16388,
  NAT_DETECTION_DESTINATION_IP: 16389,
  COOKIE: 16390,
  USE_TRANSPORT_MODE: 16391,
  HTTP_CERT_LOOKUP_SUPPORTED: 16392,
  REKEY_SA: 16393,
  ESP_TFC_PADDING_NOT_SUPPORTED: 16394,
  NON_FIRST_FRAGMENTS_ALSO: 16395,
  MOBIKE_SUPPORTED: 16396, // RFC 4555
  ADDITIONAL_IP4_ADDRESS: 16397,
  ADDITIONAL_IP6_ADDRESS: 16398,
  NO_ADDITIONAL_ADDRESSES: 16399,
  UPDATE_SA_ADDRESSES: 16400,
  COOKIE2: 16401,
  NO_NATS_ALLOWED: 16402,
  AUTH_LIFETIME: 16403, // RFC 4478
  MULTIPLE_AUTH_SUPPORTED: 16404, // RFC 4739
  ANOTHER_AUTH_FOLLOWS: 16405, // RFC 4739
  REDIRECT_SUPPORTED: 16406, // RFC 5685
  REDIRECT: 16407,
  REDIRECTED_FROM: 16408,
  TICKET_LT_OPAQUE: 16409, // RFC 5723
  TICKET_REQUEST: 16410,
  TICKET_ACK: 16411,
  TICKET_NACK: 16412,
  TICKET_OPAQUE: 16413,
  LINK_ID: 16414, // RFC 5739
  USE_WESP_MODE: 16415, // RFC 5840
  ROHC_SUPPORTED: 16416, // RFC 5857
  EAP_ONLY_AUTHENTICATION: 16417, // RFC 5998
  CHILDLESS_IKEV2_SUPPORTED: 16418, // RFC 6023
  QUICK_CRASH_DETECTION: 16419, // RFC 6290
  IKEV2_MESSAGE_ID_SYNC_SUPPORTED: 16420, // RFC 6311
  IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED: 16421,
  IKEV2_MESSAGE_ID_SYNC: 16422,
  IPSEC_REPLAY_COUNTER_SYNC: 16423,
  SECURE_PASSWORD_METHODS: 16424, // RFC 6467
  PSK_PERSIST: 16425, // RFC 6631
  PSK_CONFIRM: 16426,
  ERX_SUPPORTED: 16427, // RFC 6867
  IFOM_CAPABILITY: 16428,
  SENDER_REQUEST_ID: 16429,
  IKEV2_FRAGMENTATION_SUPPORTED: 16430, // RFC 7383
  SIGNATURE_HASH_ALGORITHMS: 16431, // RFC 7427
  CLONE_IKE_SA_SUPPORTED: 16432, // RFC 7791
  CLONE_IKE_SA: 16433,
  PUZZLE: 16434, // RFC 8019
  USE_PPK: 16435, // RFC 8784
  PPK_IDENTITY: 16436,
  NO_PPK_AUTH: 16437,
  INTERMEDIATE_EXCHANGE_SUPPORTED: 16438, // RFC 9242
  IP4_ALLOWED: 16439, // RFC 8983
  IP6_ALLOWED: 16440,
  ADDITIONAL_KEY_EXCHANGE: 16441, // RFC 9370
  USE_AGGFRAG: 16442, // RFC 9347
  SUPPORTED_AUTH_METHODS: 16443, // RFC 9593
  SA_RESOURCE_INFO: 16444, // RFC 9611
} as const;

/** RFC 7296 §3.10.1: notify types below this are errors. */
export const FIRST_STATUS_NOTIFY = 16384;

/** RFC 7296 §3.13.1, RFC 4595, RFC 9478: traffic selector types. */
export const TsType = {
  IPV4_ADDR_RANGE: 7,
  IPV6_ADDR_RANGE: 8,
  FC_ADDR_RANGE: 9,
  SECLABEL: 10,
} as const;

/** RFC 7296 §3.13.1: selector lengths of the two address-range types. */
export const TS_IPV4_LENGTH = 16;
export const TS_IPV6_LENGTH = 40;

/** RFC 7296 §3.15: configuration payload types. */
export const CfgType = {
  REQUEST: 1,
  REPLY: 2,
  SET: 3,
  ACK: 4,
} as const;

/** RFC 7296 §3.15.1 and extensions: configuration attribute types (15 bits). */
export const CpAttribute = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
  MIP6_HOME_PREFIX: 16, // RFC 5026
  INTERNAL_IP6_LINK: 17, // RFC 5739
  INTERNAL_IP6_PREFIX: 18, // RFC 5739
  HOME_AGENT_ADDRESS: 19,
  P_CSCF_IP4_ADDRESS: 20, // RFC 7651
  P_CSCF_IP6_ADDRESS: 21,
  FTT_KAT: 22,
  EXTERNAL_SOURCE_IP4_NAT_INFO: 23,
  TIMEOUT_PERIOD_FOR_LIVENESS_CHECK: 24,
  INTERNAL_DNS_DOMAIN: 25, // RFC 8598
  INTERNAL_DNSSEC_TA: 26, // RFC 8598
} as const;

/** RFC 7296 §3.15.1: the reserved top bit of a configuration attribute's type. */
export const CP_ATTRIBUTE_RESERVED_BIT = 0x8000;

/** RFC 3748 §4: EAP codes. */
export const EapCode = {
  REQUEST: 1,
  RESPONSE: 2,
  SUCCESS: 3,
  FAILURE: 4,
} as const;

// ---------------------------------------------------------------------------
// Ours
// ---------------------------------------------------------------------------

/**
 * Largest IKE message accepted or built, whether it came in one datagram or
 * was reassembled from fragments (the UDP length field's limit).
 */
export const MAX_MESSAGE_SIZE = 65_535;
/** Most payloads decoded from one payload chain (outer or inner). */
export const MAX_PAYLOADS = 100;
/** RFC 7383: most fragments one message may be split into, sent or received. */
export const MAX_FRAGMENTS = 128;
/** Reassembly: most plaintext bytes kept for one fragmented message. */
export const REASSEMBLY_MAX_BYTES = MAX_MESSAGE_SIZE;
/** Reassembly: a message not complete this long after its first fragment is dropped. */
export const REASSEMBLY_TIMEOUT_MS = 30_000;
/** Reassembly: messages reassembled at the same time per IKE SA (request and response in flight, with slack). */
export const REASSEMBLY_MAX_MESSAGES = 4;
/**
 * RFC 7383 §2.5.1: IP datagram sizes to fragment for when nothing better is
 * known (the minimum every IPv4 host accepts, and the IPv6 minimum MTU).
 */
export const FRAGMENT_DATAGRAM_IPV4 = 576;
export const FRAGMENT_DATAGRAM_IPV6 = 1280;
