/**
 * The IKEv2 message codec (RFC 7296, RFC 7383, RFC 3948): what the IKE
 * engine imports.
 *
 * @module
 */
export * from "./types.ts";
export * from "./names.ts";
export * from "./find.ts";
export * from "./describe.ts";
export { IkeEncodeError } from "./bytes.ts";
export { decodeHeader, encodeHeader } from "./header.ts";
export { decodePayloadChain, encodePayloadChain, payloadType } from "./chain.ts";
export { isAddressRange } from "./ts.ts";
export { NOTIFY_DATA_LENGTHS } from "./notify.ts";
export { decodeMessage, encodeMessage, protect, unprotect } from "./message.ts";
export type { ProtectOptions, Unprotected } from "./message.ts";
export { createSkProtection } from "./sk.ts";
export type { SkProtection } from "./sk.ts";
export { fragmentMessage, maxFragmentMessageSize } from "./fragment.ts";
export type { FragmentOptions } from "./fragment.ts";
export { DEFAULT_REASSEMBLY_LIMITS, FragmentReassembler } from "./reassembly.ts";
export type { FragmentResult, ReassemblyLimits } from "./reassembly.ts";
export { addNonEspMarker, classifyNattDatagram, nattKeepalive } from "./natt.ts";
export type { NattDatagram } from "./natt.ts";
export { checkPayloadRules, EXCHANGE_RULES, rulesFor } from "./rules.ts";
export type { Count, ExchangeRules, MessageShape, RulesResult, RuleViolation } from "./rules.ts";
