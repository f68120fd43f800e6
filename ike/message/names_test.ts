import { assertEquals } from "../../tests/assert.ts";
import {
  CpAttribute,
  ExchangeType,
  NotifyType,
  PayloadType,
  ProtocolId,
  TransformType,
} from "../constants.ts";
import {
  cpAttributeName,
  cpAttributeShortName,
  exchangeName,
  isErrorNotify,
  notifyName,
  notifyShortName,
  payloadName,
  payloadShortName,
  protocolName,
  transformName,
} from "./names.ts";

Deno.test("names: every constant names itself back, and no number is used twice", () => {
  const tables: [Record<string, number>, (v: number) => string][] = [
    [ExchangeType, exchangeName],
    [PayloadType, payloadName],
    [NotifyType, notifyName],
    [ProtocolId, protocolName],
    [CpAttribute, cpAttributeName],
  ];
  for (const [table, name] of tables) {
    const values = Object.values(table);
    assertEquals(new Set(values).size, values.length);
    for (const [k, v] of Object.entries(table)) assertEquals(name(v), k);
  }
});

Deno.test("names: strongSwan's short names and unknown numbers", () => {
  assertEquals(
    [
      payloadShortName(PayloadType.NONCE),
      payloadShortName(PayloadType.SKF),
      notifyShortName(NotifyType.NAT_DETECTION_SOURCE_IP),
      notifyShortName(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
      notifyShortName(NotifyType.TICKET_LT_OPAQUE), // no short name: the long one
      notifyShortName(60000),
      cpAttributeShortName(CpAttribute.INTERNAL_IP6_ADDRESS),
      exchangeName(ExchangeType.IKE_INTERMEDIATE),
      transformName(TransformType.ENCR, 20),
      transformName(TransformType.KE, 31),
      transformName(9, 1),
    ],
    [
      "No",
      "EF",
      "NATD_S_IP",
      "FRAG_SUP",
      "TICKET_LT_OPAQUE",
      "60000",
      "ADDR6",
      "IKE_INTERMEDIATE",
      "AES_GCM_16",
      "CURVE_25519",
      "1",
    ],
  );
  assertEquals([isErrorNotify(NotifyType.TS_UNACCEPTABLE), isErrorNotify(NotifyType.COOKIE)], [
    true,
    false,
  ]);
});
