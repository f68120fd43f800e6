/**
 * Names of IKEv2 numbers for logs: the IANA names (as `../constants.ts`
 * spells them) and strongSwan's short names, so that a message reads
 * `IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]`.
 * Unknown numbers print as themselves.
 *
 * @module
 */
import {
  AuthMethod,
  CertEncoding,
  CfgType,
  CpAttribute,
  EncrId,
  EsnId,
  ExchangeType,
  FIRST_STATUS_NOTIFY,
  IdType,
  IntegId,
  KeGroup,
  NotifyType,
  PayloadType,
  PrfId,
  ProtocolId,
  TransformType,
  TsType,
} from "../constants.ts";

function reverse(table: Record<string, number>): Map<number, string> {
  const m = new Map<number, string>();
  for (const [name, value] of Object.entries(table)) if (!m.has(value)) m.set(value, name);
  return m;
}

const EXCHANGE_NAMES = reverse(ExchangeType);
const PAYLOAD_NAMES = reverse(PayloadType);
const NOTIFY_NAMES = reverse(NotifyType);
const PROTOCOL_NAMES = reverse(ProtocolId);
const TRANSFORM_TYPE_NAMES = reverse(TransformType);
const ID_TYPE_NAMES = reverse(IdType);
const AUTH_METHOD_NAMES = reverse(AuthMethod);
const CERT_ENCODING_NAMES = reverse(CertEncoding);
const TS_TYPE_NAMES = reverse(TsType);
const CFG_TYPE_NAMES = reverse(CfgType);
const CP_ATTRIBUTE_NAMES = reverse(CpAttribute);
const TRANSFORM_ID_NAMES: Record<number, Map<number, string>> = {
  [TransformType.ENCR]: reverse(EncrId),
  [TransformType.PRF]: reverse(PrfId),
  [TransformType.INTEG]: reverse(IntegId),
  [TransformType.KE]: reverse(KeGroup),
  [TransformType.ESN]: reverse(EsnId),
};

/** strongSwan's short payload names (`encoding/payloads/payload.c`). */
const PAYLOAD_SHORT: Record<number, string> = {
  [PayloadType.SA]: "SA",
  [PayloadType.KE]: "KE",
  [PayloadType.IDI]: "IDi",
  [PayloadType.IDR]: "IDr",
  [PayloadType.CERT]: "CERT",
  [PayloadType.CERTREQ]: "CERTREQ",
  [PayloadType.AUTH]: "AUTH",
  [PayloadType.NONCE]: "No",
  [PayloadType.NOTIFY]: "N",
  [PayloadType.DELETE]: "D",
  [PayloadType.VENDOR]: "V",
  [PayloadType.TSI]: "TSi",
  [PayloadType.TSR]: "TSr",
  [PayloadType.SK]: "E",
  [PayloadType.CP]: "CP",
  [PayloadType.EAP]: "EAP",
  [PayloadType.GSPM]: "GSPM",
  [PayloadType.IDG]: "IDg",
  [PayloadType.GSA]: "GSA",
  [PayloadType.KD]: "KD",
  [PayloadType.SKF]: "EF",
  [PayloadType.PS]: "PS",
};

/** strongSwan's short notify names (`encoding/payloads/notify_payload.c`). */
const NOTIFY_SHORT: Record<number, string> = {
  1: "CRIT",
  4: "INVAL_IKE_SPI",
  5: "INVAL_MAJOR",
  7: "INVAL_SYN",
  9: "INVAL_MID",
  11: "INVAL_SPI",
  14: "NO_PROP",
  17: "INVAL_KE",
  24: "AUTH_FAILED",
  34: "SINGLE_PAIR",
  35: "NO_ADD_SAS",
  36: "INT_ADDR_FAIL",
  37: "FAIL_CP_REQ",
  38: "TS_UNACCEPT",
  39: "INVAL_SEL",
  40: "UNACCEPT_ADDR",
  41: "UNEXPECT_NAT",
  42: "ASSIGNED_HoA",
  43: "TEMP_FAIL",
  44: "NO_CHILD_SA",
  47: "NO_STATE",
  48: "MAX_QUEUE",
  16384: "INIT_CONTACT",
  16385: "SET_WINSIZE",
  16386: "ADD_TS_POSS",
  16387: "IPCOMP_SUP",
  16388: "NATD_S_IP",
  16389: "NATD_D_IP",
  16390: "COOKIE",
  16391: "USE_TRANSP",
  16392: "HTTP_CERT_LOOK",
  16393: "REKEY_SA",
  16394: "ESP_TFC_PAD_N",
  16395: "NON_FIRST_FRAG",
  16396: "MOBIKE_SUP",
  16397: "ADD_4_ADDR",
  16398: "ADD_6_ADDR",
  16399: "NO_ADD_ADDR",
  16400: "UPD_SA_ADDR",
  16401: "COOKIE2",
  16402: "NO_NATS",
  16403: "AUTH_LFT",
  16404: "MULT_AUTH",
  16405: "AUTH_FOLLOWS",
  16406: "REDIR_SUP",
  16407: "REDIR",
  16408: "REDIR_FROM",
  16417: "EAP_ONLY",
  16418: "CHDLESS_SUP",
  16419: "CRASH_DET",
  16420: "MSG_ID_SYN_SUP",
  16421: "RPL_CTR_SYN_SUP",
  16422: "MSG_ID_SYN",
  16423: "RPL_CTR_SYN",
  16430: "FRAG_SUP",
  16431: "HASH_ALG",
  16435: "USE_PPK",
  16436: "PPK_ID",
  16437: "NO_PPK",
  16438: "IKE_INT_SUP",
  16441: "ADD_KE",
  16442: "AGGFRAG",
  16444: "RES_INFO",
};

/** strongSwan's short configuration attribute names (`attributes/attributes.c`). */
const CP_ATTRIBUTE_SHORT: Record<number, string> = {
  1: "ADDR",
  2: "MASK",
  3: "DNS",
  4: "NBNS",
  6: "DHCP",
  7: "VER",
  8: "ADDR6",
  10: "DNS6",
  12: "DHCP6",
  13: "SUBNET",
  14: "SUP",
  15: "SUBNET6",
  16: "MIP6HPFX",
  17: "LINK6",
  18: "PFX6",
  19: "HOA",
  20: "PCSCF4",
  21: "PCSCF6",
  22: "FTTKAT",
  23: "EXTSRC4",
  24: "DPD",
  25: "DOMAIN",
  26: "TA",
};

const lookup = (m: Map<number, string>, v: number): string => m.get(v) ?? String(v);

/** `IKE_AUTH`, or the number. */
export function exchangeName(x: number): string {
  return lookup(EXCHANGE_NAMES, x);
}

/** `NOTIFY`, `SK`… (our constant names), or the number. */
export function payloadName(t: number): string {
  return lookup(PAYLOAD_NAMES, t);
}

/** `N`, `IDi`, `E`… as strongSwan logs them, or the number. */
export function payloadShortName(t: number): string {
  return PAYLOAD_SHORT[t] ?? String(t);
}

/** `INITIAL_CONTACT`, or the number. */
export function notifyName(n: number): string {
  return lookup(NOTIFY_NAMES, n);
}

/** `INIT_CONTACT` as strongSwan logs it, the long name when it has none, or the number. */
export function notifyShortName(n: number): string {
  return NOTIFY_SHORT[n] ?? notifyName(n);
}

/** Whether a notify type is an error (RFC 7296 §3.10.1). */
export function isErrorNotify(n: number): boolean {
  return n < FIRST_STATUS_NOTIFY;
}

/** `ESP`, or the number. */
export function protocolName(p: number): string {
  return lookup(PROTOCOL_NAMES, p);
}

/** `ENCR`, `KE`…, or the number. */
export function transformTypeName(t: number): string {
  return lookup(TRANSFORM_TYPE_NAMES, t);
}

/** `AES_CBC`, `MODP_1024`…, or the number. */
export function transformName(type: number, id: number): string {
  const m = TRANSFORM_ID_NAMES[type];
  return m ? lookup(m, id) : String(id);
}

/** `IPV4_ADDR`, or the number. */
export function idTypeName(t: number): string {
  return lookup(ID_TYPE_NAMES, t);
}

/** `SHARED_KEY_MIC`, or the number. */
export function authMethodName(m: number): string {
  return lookup(AUTH_METHOD_NAMES, m);
}

/** `X509_SIGNATURE`, or the number. */
export function certEncodingName(e: number): string {
  return lookup(CERT_ENCODING_NAMES, e);
}

/** `IPV4_ADDR_RANGE`, or the number. */
export function tsTypeName(t: number): string {
  return lookup(TS_TYPE_NAMES, t);
}

/** `REQUEST`, or the number. */
export function cfgTypeName(t: number): string {
  return lookup(CFG_TYPE_NAMES, t);
}

/** `INTERNAL_IP4_ADDRESS`, or the number. */
export function cpAttributeName(t: number): string {
  return lookup(CP_ATTRIBUTE_NAMES, t);
}

/** `ADDR` as strongSwan logs it, or the number. */
export function cpAttributeShortName(t: number): string {
  return CP_ATTRIBUTE_SHORT[t] ?? String(t);
}
