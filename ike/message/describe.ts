/**
 * One-line summaries of messages for logs, in strongSwan's words
 * (`message.c` `get_string`): `IKE_AUTH request 1 [ IDi N(INIT_CONTACT)
 * IDr AUTH SA TSi TSr ]`, with `E` for a still-encrypted payload,
 * `EF(1/3)` for a fragment, `CPRQ(ADDR DNS)` and `EAP/REQ/ID`.
 *
 * @module
 */
import { EapCode } from "../constants.ts";
import { KIND_TYPES } from "./chain.ts";
import { cpAttributeShortName, exchangeName, notifyShortName, payloadShortName } from "./names.ts";
import type { IkeHeader, Payload } from "./types.ts";

const CFG_PREFIX: Record<number, string> = { 1: "RQ", 2: "RP", 3: "S", 4: "A" };
const EAP_CODES: Record<number, string> = {
  [EapCode.REQUEST]: "REQ",
  [EapCode.RESPONSE]: "RES",
  [EapCode.SUCCESS]: "SUCC",
  [EapCode.FAILURE]: "FAIL",
};
/** RFC 3748 and IANA EAP method types, as strongSwan abbreviates them. */
const EAP_TYPES: Record<number, string> = {
  1: "ID",
  2: "NTF",
  3: "NAK",
  4: "MD5",
  5: "OTP",
  6: "GTC",
  13: "TLS",
  18: "SIM",
  21: "TTLS",
  23: "AKA",
  25: "PEAP",
  26: "MSCHAPV2",
  38: "TNC",
  50: "AKA'",
};

/** The short form of one payload. */
export function describePayload(p: Payload): string {
  switch (p.kind) {
    case "notify":
      return `N(${notifyShortName(p.type)})`;
    case "cp": {
      const attrs = p.attributes.map((a) => cpAttributeShortName(a.type)).join(" ");
      return `CP${CFG_PREFIX[p.cfgType] ?? ""}${attrs ? `(${attrs})` : ""}`;
    }
    case "eap": {
      const code = p.data[0]!;
      const type = code === EapCode.REQUEST || code === EapCode.RESPONSE ? p.data[4] : undefined;
      const method = type === undefined ? "" : `/${EAP_TYPES[type] ?? type}`;
      return `EAP/${EAP_CODES[code] ?? code}${method}`;
    }
    case "skf":
      return `EF(${p.fragmentNumber}/${p.totalFragments})`;
    case "unknown":
      return String(p.type);
    default:
      return payloadShortName(KIND_TYPES[p.kind]);
  }
}

/** `IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]`. */
export function describeMessage(msg: { header: IkeHeader; payloads: readonly Payload[] }): string {
  const h = msg.header;
  const list = msg.payloads.map(describePayload).join(" ");
  return `${exchangeName(h.exchange)} ${
    h.flags.response ? "response" : "request"
  } ${h.messageId} [ ${list}${list ? " " : ""}]`;
}
