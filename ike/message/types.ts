/**
 * The IKEv2 message model (RFC 7296 §3): a header and a list of payloads,
 * each payload a plain object tagged by `kind`. Numbers stay numbers (the
 * constants are in `../constants.ts`), byte strings stay `Uint8Array`s.
 *
 * A decoded protected message is an {@linkcode IkeMessage} whose `payloads`
 * are the payloads found inside the Encrypted payload (plus, rarely, any
 * that preceded it outside). The first decoding stage, before keys are
 * known, gives a {@linkcode RawMessage} where the SK or SKF payload is still
 * an encrypted blob.
 *
 * @module
 */

/** RFC 7296 §3.1: the fixed header. */
export interface IkeHeader {
  /** 8 octets. */
  spiI: Uint8Array;
  /** 8 octets; all zero in the first IKE_SA_INIT request. */
  spiR: Uint8Array;
  /** Type of the first payload; filled on decode, computed on encode. */
  nextPayload: number;
  majorVersion: number;
  minorVersion: number;
  exchange: number;
  flags: HeaderFlags;
  /** 32-bit unsigned. */
  messageId: number;
  /** Total message length; filled on decode, computed on encode. */
  length: number;
}

/** RFC 7296 §3.1: the three defined flag bits (the reserved ones are ignored). */
export interface HeaderFlags {
  /** Set by the original initiator of the IKE SA. */
  initiator: boolean;
  /** Set in responses. */
  response: boolean;
  /** "Version": the sender could speak a higher major version. */
  higherVersion: boolean;
}

/** What every payload carries from its generic header (RFC 7296 §3.2). */
interface PayloadBase {
  critical: boolean;
}

/** RFC 7296 §3.3.5: a transform attribute in TV (2-octet value) or TLV form. */
export type TransformAttribute =
  | { format: "tv"; type: number; value: number }
  | { format: "tlv"; type: number; value: Uint8Array };

/** RFC 7296 §3.3.2. */
export interface Transform {
  type: number;
  id: number;
  /** The Key Length attribute (RFC 7296 §3.3.5), in bits, when present. */
  keyLength: number | undefined;
  /**
   * Attributes other than Key Length, in wire order after it. A transform
   * carrying any MUST NOT be selected (RFC 7296 §3.3.6); they are kept for
   * logs and re-encoding.
   */
  otherAttributes: TransformAttribute[];
}

/** RFC 7296 §3.3.1. */
export interface Proposal {
  /** Proposal Num: 1, 2, … in a request; the accepted number in a response. */
  number: number;
  protocol: number;
  /** Empty (IKE_SA_INIT), 8 octets (IKE rekey) or 4 (ESP, AH). */
  spi: Uint8Array;
  transforms: Transform[];
}

/** RFC 7296 §3.3. */
export interface SaPayload extends PayloadBase {
  kind: "sa";
  proposals: Proposal[];
}

/** RFC 7296 §3.4. */
export interface KePayload extends PayloadBase {
  kind: "ke";
  group: number;
  data: Uint8Array;
}

/** RFC 7296 §3.5: IDi or IDr. */
export interface IdPayload extends PayloadBase {
  kind: "idi" | "idr";
  idType: number;
  data: Uint8Array;
}

/** RFC 7296 §3.6. */
export interface CertPayload extends PayloadBase {
  kind: "cert";
  encoding: number;
  data: Uint8Array;
}

/** RFC 7296 §3.7: `data` is the concatenated CA key hashes for X.509. */
export interface CertReqPayload extends PayloadBase {
  kind: "certreq";
  encoding: number;
  data: Uint8Array;
}

/** RFC 7296 §3.8. */
export interface AuthPayload extends PayloadBase {
  kind: "auth";
  method: number;
  data: Uint8Array;
}

/** RFC 7296 §3.9: 16 to 256 octets. */
export interface NoncePayload extends PayloadBase {
  kind: "nonce";
  data: Uint8Array;
}

/** RFC 7296 §3.10. */
export interface NotifyPayload extends PayloadBase {
  kind: "notify";
  /** 0 when no SPI applies, else the protocol the SPI belongs to. */
  protocol: number;
  /** Empty, 4 octets (ESP/AH) or 8 (IKE). */
  spi: Uint8Array;
  type: number;
  data: Uint8Array;
}

/** RFC 7296 §3.11. */
export interface DeletePayload extends PayloadBase {
  kind: "delete";
  protocol: number;
  /** 0 for IKE, 4 for ESP/AH. */
  spiSize: number;
  spis: Uint8Array[];
}

/** RFC 7296 §3.12. */
export interface VendorPayload extends PayloadBase {
  kind: "vendor";
  data: Uint8Array;
}

/** RFC 7296 §3.13.1: an IPv4 (type 7) or IPv6 (type 8) address range. */
export interface AddressRangeSelector {
  type: number;
  /** IP protocol, 0 = any. */
  protocol: number;
  startPort: number;
  endPort: number;
  /** 4 or 16 octets. */
  start: Uint8Array;
  end: Uint8Array;
}

/** A selector of a type we do not interpret (FC, security label…), kept whole. */
export interface OpaqueSelector {
  type: number;
  /** The whole selector as received, its type/length header included. */
  opaque: Uint8Array;
}

export type TrafficSelector = AddressRangeSelector | OpaqueSelector;

/** RFC 7296 §3.13: TSi or TSr. */
export interface TsPayload extends PayloadBase {
  kind: "tsi" | "tsr";
  selectors: TrafficSelector[];
}

/**
 * RFC 7296 §3.14: the Encrypted payload as received, before decryption.
 * `body` is IV, ciphertext and ICV.
 */
export interface SkPayload extends PayloadBase {
  kind: "sk";
  /** Next Payload field: the type of the first inner payload. */
  innerType: number;
  /** Offset of the payload's generic header in the message. */
  offset: number;
  body: Uint8Array;
}

/** RFC 7296 §3.15.1. */
export interface CpAttributeValue {
  type: number;
  value: Uint8Array;
}

/** RFC 7296 §3.15. */
export interface CpPayload extends PayloadBase {
  kind: "cp";
  cfgType: number;
  attributes: CpAttributeValue[];
}

/** RFC 7296 §3.16: the whole EAP message (RFC 3748 §4). */
export interface EapPayload extends PayloadBase {
  kind: "eap";
  data: Uint8Array;
}

/** RFC 7383 §2.5: an Encrypted Fragment payload as received. */
export interface SkfPayload extends PayloadBase {
  kind: "skf";
  /** Type of the first inner payload in fragment 1, 0 in the others. */
  innerType: number;
  offset: number;
  fragmentNumber: number;
  totalFragments: number;
  /** IV, ciphertext and ICV. */
  body: Uint8Array;
}

/** A payload type we do not implement, sent without the critical bit (RFC 7296 §2.5). */
export interface UnknownPayload extends PayloadBase {
  kind: "unknown";
  type: number;
  data: Uint8Array;
}

export type Payload =
  | SaPayload
  | KePayload
  | IdPayload
  | CertPayload
  | CertReqPayload
  | AuthPayload
  | NoncePayload
  | NotifyPayload
  | DeletePayload
  | VendorPayload
  | TsPayload
  | SkPayload
  | CpPayload
  | EapPayload
  | SkfPayload
  | UnknownPayload;

export type PayloadKind = Payload["kind"];

/** A message in clear: the header and its payloads (inner ones for protected messages). */
export interface IkeMessage {
  header: IkeHeader;
  payloads: Payload[];
}

/**
 * A message as it arrived: header and unprotected payloads decoded, SK or
 * SKF (always last) left encrypted; `bytes` is the whole message.
 */
export interface RawMessage {
  header: IkeHeader;
  payloads: Payload[];
  bytes: Uint8Array;
}

/** The RFC 7296 error notification a receiver should answer with. */
export interface ErrorNotify {
  type: number;
  data: Uint8Array;
}

/** Why a decode failed. */
export type DecodeErrorCode =
  | "truncated" // input ends before a length says it should
  | "length" // a length field is inconsistent
  | "syntax" // a field holds a value the RFC forbids
  | "critical" // an unknown payload with the critical bit
  | "version" // not IKEv2
  | "limit" // one of our size or count limits
  | "integrity" // ICV or AEAD tag did not verify
  | "fragment"; // a fragment that cannot be used

/** A decode failure. Decoders return these; they never throw. */
export interface DecodeError {
  code: DecodeErrorCode;
  /** Byte offset of the offending field (in the message, or in the decrypted plaintext for inner payloads). */
  offset: number;
  reason: string;
  /** The error notification the RFC asks for, when one applies. */
  notify?: ErrorNotify;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DecodeError };
