import { assertEquals } from "../../tests/assert.ts";
import { header } from "../../tests/ike_codec_build.ts";
import { hex } from "../../tests/pcap.ts";
import { ExchangeType, NotifyType as N } from "../constants.ts";
import { describeMessage } from "./describe.ts";
import type { Payload } from "./types.ts";

const n = (type: number): Payload => ({
  kind: "notify",
  critical: false,
  protocol: 0,
  spi: new Uint8Array(0),
  type,
  data: new Uint8Array(0),
});

Deno.test("describe: strongSwan's log line for an IKE_AUTH request", () => {
  const payloads: Payload[] = [
    { kind: "idi", critical: false, idType: 1, data: hex("0ae10001") },
    n(N.INITIAL_CONTACT),
    { kind: "idr", critical: false, idType: 1, data: hex("0ac80001") },
    { kind: "auth", critical: false, method: 2, data: new Uint8Array(20) },
    { kind: "sa", critical: false, proposals: [] },
    { kind: "tsi", critical: false, selectors: [] },
    { kind: "tsr", critical: false, selectors: [] },
    n(N.MULTIPLE_AUTH_SUPPORTED),
    n(N.EAP_ONLY_AUTHENTICATION),
    n(N.IKEV2_MESSAGE_ID_SYNC_SUPPORTED),
  ];
  assertEquals(
    describeMessage({ header: header(), payloads }),
    "IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]",
  );
});

Deno.test("describe: empty, encrypted, fragment, CP, EAP and unknown payloads", () => {
  const resp = header({
    exchange: ExchangeType.INFORMATIONAL,
    messageId: 7,
    flags: { initiator: false, response: true, higherVersion: false },
  });
  assertEquals(describeMessage({ header: resp, payloads: [] }), "INFORMATIONAL response 7 [ ]");
  const payloads: Payload[] = [
    {
      kind: "cp",
      critical: false,
      cfgType: 1,
      attributes: [{ type: 1, value: new Uint8Array(0) }, { type: 3, value: new Uint8Array(0) }],
    },
    { kind: "eap", critical: false, data: hex("0101000501") },
    { kind: "eap", critical: false, data: hex("03010004") },
    { kind: "unknown", critical: false, type: 200, data: new Uint8Array(0) },
    n(12345),
    { kind: "sk", critical: false, innerType: 35, offset: 28, body: new Uint8Array(0) },
  ];
  assertEquals(
    describeMessage({ header: header({ exchange: 99 }), payloads }),
    "99 request 1 [ CPRQ(ADDR DNS) EAP/REQ/ID EAP/SUCC 200 N(12345) E ]",
  );
  const frag: Payload = {
    kind: "skf",
    critical: false,
    innerType: 0,
    offset: 28,
    fragmentNumber: 2,
    totalFragments: 3,
    body: new Uint8Array(0),
  };
  assertEquals(
    describeMessage({ header: header(), payloads: [frag] }),
    "IKE_AUTH request 1 [ EF(2/3) ]",
  );
});
