import { assertEquals } from "../../tests/assert.ts";
import { hex } from "../../tests/pcap.ts";
import { ExchangeType as X, NotifyType as N, ProtocolId } from "../constants.ts";
import { checkPayloadRules, EXCHANGE_RULES } from "./rules.ts";
import type { Payload, Proposal } from "./types.ts";

const t = (type: number, id: number) => ({ type, id, keyLength: undefined, otherAttributes: [] });
const prop = (
  number: number,
  protocol: number,
  spi: number,
  transforms = [t(1, 12), t(3, 2)],
): Proposal => ({
  number,
  protocol,
  spi: new Uint8Array(spi),
  transforms,
});
const sa = (...proposals: Proposal[]): Payload => ({ kind: "sa", critical: false, proposals });
const n = (type: number, protocol = 0, spi = 0): Payload => ({
  kind: "notify",
  critical: false,
  protocol,
  spi: new Uint8Array(spi),
  type,
  data: new Uint8Array(0),
});
const KE: Payload = { kind: "ke", critical: false, group: 2, data: new Uint8Array(128) };
const NO: Payload = { kind: "nonce", critical: false, data: new Uint8Array(32) };
const IDI: Payload = { kind: "idi", critical: false, idType: 1, data: hex("0ae10001") };
const IDR: Payload = { kind: "idr", critical: false, idType: 1, data: hex("0ac80001") };
const AUTH: Payload = { kind: "auth", critical: false, method: 2, data: new Uint8Array(20) };
const CERT: Payload = { kind: "cert", critical: false, encoding: 4, data: new Uint8Array(8) };
const EAP: Payload = { kind: "eap", critical: false, data: hex("0101000501") };
const sel = {
  type: 7,
  protocol: 0,
  startPort: 0,
  endPort: 65535,
  start: hex("0a650000"),
  end: hex("0a6500ff"),
};
const TSI: Payload = { kind: "tsi", critical: false, selectors: [sel] };
const TSR: Payload = { kind: "tsr", critical: false, selectors: [sel] };
const D: Payload = {
  kind: "delete",
  critical: false,
  protocol: 3,
  spiSize: 4,
  spis: [hex("01020304")],
};
const V: Payload = { kind: "vendor", critical: false, data: hex("0102") };
const UNKNOWN: Payload = { kind: "unknown", critical: false, type: 200, data: new Uint8Array(0) };
const IKE0 = sa(prop(1, ProtocolId.IKE, 0));
const IKE8 = sa(prop(1, ProtocolId.IKE, 8));
const ESP = sa(prop(1, ProtocolId.ESP, 4));

/** [label, exchange, response, payloads, shape or the start of the violation]. */
const CASES: [string, number, boolean, Payload[], string][] = [
  // IKE_SA_INIT
  [
    "init request",
    X.IKE_SA_INIT,
    false,
    [IKE0, KE, NO, n(N.NAT_DETECTION_SOURCE_IP), V, UNKNOWN],
    "ike-sa-init",
  ],
  [
    "init request with COOKIE first",
    X.IKE_SA_INIT,
    false,
    [n(N.COOKIE), IKE0, KE, NO],
    "ike-sa-init",
  ],
  [
    "COOKIE not first",
    X.IKE_SA_INIT,
    false,
    [IKE0, n(N.COOKIE), KE, NO],
    "! notify 16390 must come first",
  ],
  ["init request without KE", X.IKE_SA_INIT, false, [IKE0, NO], "! missing KE"],
  ["init request with IDi", X.IKE_SA_INIT, false, [IKE0, KE, NO, IDI], "! IDi not allowed"],
  ["init request with two SA", X.IKE_SA_INIT, false, [IKE0, IKE0, KE, NO], "! more than 1 SA"],
  [
    "init request proposing ESP",
    X.IKE_SA_INIT,
    false,
    [ESP, KE, NO],
    "! proposal 1 for protocol 3",
  ],
  [
    "init request with IKE SPI",
    X.IKE_SA_INIT,
    false,
    [IKE8, KE, NO],
    "! proposal 1 with a 8-byte SPI",
  ],
  [
    "init request, proposal 2 alone",
    X.IKE_SA_INIT,
    false,
    [sa(prop(2, 1, 0)), KE, NO],
    "! first proposal number 2",
  ],
  ["init response", X.IKE_SA_INIT, true, [IKE0, KE, NO, {
    kind: "certreq",
    critical: false,
    encoding: 4,
    data: new Uint8Array(20),
  }], "ike-sa-init"],
  [
    "init response INVALID_KE_PAYLOAD",
    X.IKE_SA_INIT,
    true,
    [n(N.INVALID_KE_PAYLOAD)],
    "notify-only",
  ],
  ["init response with two proposals", X.IKE_SA_INIT, true, [
    sa(prop(1, 1, 0), prop(2, 1, 0)),
    KE,
    NO,
  ], "! response SA with 2 proposals"],
  ["init response, two ENCR", X.IKE_SA_INIT, true, [
    sa(prop(3, 1, 0, [t(1, 12), t(1, 20)])),
    KE,
    NO,
  ], "! accepted proposal with two transforms"],
  ["empty init response (closest: notify-only)", X.IKE_SA_INIT, true, [], "! missing N"],
  ["init request with SK left", X.IKE_SA_INIT, false, [{
    kind: "sk",
    critical: false,
    innerType: 35,
    offset: 28,
    body: new Uint8Array(40),
  }], "! E not allowed"],
  // IKE_AUTH
  ["strongSwan's IKE_AUTH request", X.IKE_AUTH, false, [
    IDI,
    n(N.INITIAL_CONTACT),
    IDR,
    AUTH,
    ESP,
    TSI,
    TSR,
    n(N.MULTIPLE_AUTH_SUPPORTED),
  ], "auth"],
  ["childless IKE_AUTH request", X.IKE_AUTH, false, [IDI, AUTH], "auth"],
  ["IKE_AUTH request starting EAP", X.IKE_AUTH, false, [IDI, ESP, TSI, TSR], "auth"],
  ["IKE_AUTH request SA without TS", X.IKE_AUTH, false, [IDI, AUTH, ESP], "! SA without TSi TSr"],
  ["IKE_AUTH EAP round", X.IKE_AUTH, false, [EAP], "eap"],
  ["IKE_AUTH final AUTH", X.IKE_AUTH, false, [AUTH], "auth-only"],
  [
    "IKE_AUTH request with IKE proposal",
    X.IKE_AUTH,
    false,
    [IDI, AUTH, IKE8, TSI, TSR],
    "! proposal 1 for protocol 1",
  ],
  [
    "IKE_AUTH request with nine CERTs",
    X.IKE_AUTH,
    false,
    [IDI, ...Array(9).fill(CERT), AUTH],
    "! more than 8 CERT",
  ],
  ["IKE_AUTH response", X.IKE_AUTH, true, [IDR, AUTH, ESP, TSI, TSR], "auth"],
  [
    "IKE_AUTH response, CHILD refused",
    X.IKE_AUTH,
    true,
    [IDR, AUTH, n(N.NO_PROPOSAL_CHOSEN)],
    "auth",
  ],
  [
    "IKE_AUTH response AUTHENTICATION_FAILED",
    X.IKE_AUTH,
    true,
    [n(N.AUTHENTICATION_FAILED)],
    "notify-only",
  ],
  ["IKE_AUTH response starting EAP", X.IKE_AUTH, true, [IDR, CERT, AUTH, EAP], "eap-start"],
  ["IKE_AUTH response after EAP", X.IKE_AUTH, true, [AUTH, ESP, TSI, TSR], "auth-final"],
  ["IKE_AUTH response without AUTH", X.IKE_AUTH, true, [IDR, ESP, TSI, TSR], "! missing AUTH"],
  // CREATE_CHILD_SA
  ["IKE rekey request", X.CREATE_CHILD_SA, false, [IKE8, NO, KE], "ike-rekey"],
  [
    "CHILD rekey request",
    X.CREATE_CHILD_SA,
    false,
    [n(N.REKEY_SA, 3, 4), ESP, NO, TSI, TSR],
    "child-rekey",
  ],
  ["CHILD rekey request with PFS", X.CREATE_CHILD_SA, false, [
    n(N.REKEY_SA, 3, 4),
    ESP,
    NO,
    KE,
    TSI,
    TSR,
  ], "child-rekey"],
  [
    "new CHILD request",
    X.CREATE_CHILD_SA,
    false,
    [ESP, NO, TSI, TSR, n(N.USE_TRANSPORT_MODE)],
    "child-new",
  ],
  ["new CHILD without TSr", X.CREATE_CHILD_SA, false, [ESP, NO, TSI], "! missing TSr"],
  ["CREATE_CHILD_SA without nonce", X.CREATE_CHILD_SA, false, [IKE8, KE], "! missing No"],
  ["CHILD rekey with two REKEY_SA", X.CREATE_CHILD_SA, false, [
    n(N.REKEY_SA, 3, 4),
    n(N.REKEY_SA, 3, 4),
    ESP,
    NO,
    TSI,
    TSR,
  ], "! notify 16393 not allowed here"],
  ["IKE rekey response", X.CREATE_CHILD_SA, true, [IKE8, NO, KE], "ike-rekey"],
  ["CHILD response", X.CREATE_CHILD_SA, true, [ESP, NO, TSI, TSR], "child"],
  [
    "CHILD response NO_PROPOSAL_CHOSEN",
    X.CREATE_CHILD_SA,
    true,
    [n(N.NO_PROPOSAL_CHOSEN)],
    "notify-only",
  ],
  ["CHILD response with empty TSi", X.CREATE_CHILD_SA, true, [ESP, NO, {
    kind: "tsi",
    critical: false,
    selectors: [],
  }, TSR], "! TSi without selectors"],
  // INFORMATIONAL
  ["empty INFORMATIONAL (liveness)", X.INFORMATIONAL, false, [], "informational"],
  ["INFORMATIONAL with deletes and notifies", X.INFORMATIONAL, true, [
    D,
    D,
    n(N.UPDATE_SA_ADDRESSES),
  ], "informational"],
  ["INFORMATIONAL with SA", X.INFORMATIONAL, false, [ESP], "! SA not allowed"],
  // RFC 9242
  ["IKE_INTERMEDIATE", X.IKE_INTERMEDIATE, false, [KE], "intermediate"],
];

Deno.test("rules: every exchange's shapes, allowed and refused", () => {
  for (const [label, exchange, response, payloads, want] of CASES) {
    const r = checkPayloadRules(exchange, response, payloads);
    if (!want.startsWith("! ")) {
      assertEquals(r, { ok: true, shape: want }, label);
      continue;
    }
    assertEquals(r.ok, false, label);
    if (r.ok) continue;
    const reason = r.error.reason.split(": ").slice(1).join(": ");
    assertEquals(reason.startsWith(want.slice(2)), true, `${label}: got "${r.error.reason}"`);
    assertEquals(r.error.notify?.type, N.INVALID_SYNTAX, label);
  }
});

Deno.test("rules: a violation names the offending payload", () => {
  const r = checkPayloadRules(X.IKE_SA_INIT, false, [IKE0, KE, NO, IDI]);
  assertEquals(r.ok ? undefined : [r.error.index, r.error.payload, r.error.shape, r.error.reason], [
    3,
    IDI,
    "ike-sa-init",
    "IKE_SA_INIT request: IDi not allowed",
  ]);
});

Deno.test("rules: exchanges without rules are reported without a notification", () => {
  const r = checkPayloadRules(99, false, []);
  assertEquals(r, { ok: false, error: { reason: "no rules for exchange 99" } });
});

Deno.test("rules: the table covers both directions of every exchange we handle", () => {
  const have = EXCHANGE_RULES.map((r) => `${r.exchange}/${r.response}`).sort();
  const want = [34, 35, 36, 37, 43, 44].flatMap((x) => [`${x}/false`, `${x}/true`]).sort();
  assertEquals(have, want);
});
