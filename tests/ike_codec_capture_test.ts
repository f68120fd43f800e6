/**
 * The IKE codec against strongSwan 5.9.8: every IKE message of the three
 * captures in `tests/vectors/strongswan/` decodes, decrypts with the keys
 * the capture checker re-derived, carries the payload chain the checker
 * recorded, satisfies the exchange rules, is summarised exactly as charon
 * logged it, and re-encodes (re-protects, with the captured IV and padding)
 * to the captured bytes.
 */
import { assertEquals } from "./assert.ts";
import { type CapturedIke, CAPTURES, keysOf, loadCapture } from "./ike_codec_captures.ts";
import { fixedRng } from "./ike_codec_doubles.ts";
import { toHex } from "./pcap.ts";
import { skForProposal } from "./ike_codec_suites.ts";
import { ProtocolId } from "../ike/constants.ts";
import {
  checkPayloadRules,
  decodeMessage,
  describeMessage,
  encodeMessage,
  exchangeName,
  findPayload,
  type IkeMessage,
  notifyName,
  type Payload,
  protect,
  type SkProtection,
  unprotect,
} from "../ike/message/mod.ts";

const LINES = JSON.parse(
  Deno.readTextFileSync(
    new URL("./vectors/ike/strongswan-5.9.8-message-lines.json", import.meta.url),
  ),
) as { lines: Record<string, string[]> };

/** The payload chain as the capture checker writes it. */
function checkerChain(payloads: readonly Payload[]): string {
  return payloads.map((p) => {
    switch (p.kind) {
      case "notify":
        return `N(${notifyName(p.type)})`;
      case "delete":
        return `D(proto ${p.protocol}, ${p.spis.length} SPIs)`;
      case "nonce":
        return "No";
      default:
        return { sa: "SA", ke: "KE", idi: "IDi", idr: "IDr", auth: "AUTH", tsi: "TSi", tsr: "TSr" }[
          p.kind as string
        ] ?? p.kind;
    }
  }).join(" ");
}

/** The SK protection for a message, chosen from the suite its IKE SA negotiated. */
function skFor(m: CapturedIke, init: IkeMessage): SkProtection {
  const { enc, integ } = keysOf(m);
  return skForProposal(findPayload(init, "sa")!.proposals[0]!, enc, integ);
}

for (const name of CAPTURES) {
  Deno.test(`captures: ${name}: every IKE message decodes, decrypts and re-encodes byte for byte`, () => {
    const messages = loadCapture(name);
    assertEquals(messages.length, name === "ref-encap_no" ? 6 : 14);
    let initResponse: IkeMessage | undefined;
    const shapes: string[] = [];
    const summaries: string[] = [];
    for (const m of messages) {
      const label = `${name} #${m.index} ${m.record.exchange} ${
        m.record.response ? "response" : "request"
      }`;
      assertEquals(
        m.dstPort === 4500 || m.srcPort === 4500,
        m.record.exchange !== "IKE_SA_INIT",
        label,
      );
      const raw = decodeMessage(m.bytes);
      if (!raw.ok) throw new Error(`${label}: ${raw.error.reason}`);
      const h = raw.value.header;
      assertEquals(
        [exchangeName(h.exchange), h.flags.response, h.messageId, toHex(h.spiI), toHex(h.spiR)],
        [m.record.exchange, m.record.response, m.record.msgid, m.record.spi_i, m.record.spi_r],
        label,
      );
      let clear: IkeMessage;
      if (raw.value.payloads[0]?.kind === "sk") {
        const sk = skFor(m, initResponse!);
        const r = unprotect(raw.value, sk);
        if (!r.ok) throw new Error(`${label}: ${r.error.reason}`);
        clear = r.value.message;
        const sealed = raw.value.payloads[0];
        const iv = sealed.body.subarray(0, sk.ivLength);
        const again = protect(clear, sk, fixedRng(iv), { padding: r.value.padding });
        assertEquals(toHex(again), toHex(m.bytes), `${label}: re-protected`);
      } else {
        clear = raw.value;
        assertEquals(toHex(encodeMessage(clear)), toHex(m.bytes), `${label}: re-encoded`);
        if (h.flags.response) initResponse = clear;
      }
      assertEquals(checkerChain(clear.payloads), m.record.payloads, label);
      const rules = checkPayloadRules(h.exchange, h.flags.response, clear.payloads);
      if (!rules.ok) throw new Error(`${label}: ${rules.error.reason}`);
      shapes.push(rules.shape);
      summaries.push(describeMessage(clear));
    }
    assertEquals(summaries, LINES.lines[name]);
    assertEquals(
      shapes,
      name === "ref-encap_no"
        ? ["ike-sa-init", "ike-sa-init", "auth", "auth", "informational", "informational"]
        : [
          "ike-sa-init",
          "ike-sa-init",
          "auth",
          "auth",
          "child-rekey",
          "child",
          "informational",
          "informational",
          "ike-rekey",
          "ike-rekey",
          "informational",
          "informational",
          "informational",
          "informational",
        ],
    );
  });
}

Deno.test("captures: the negotiated proposals decode to the suites swanctl.conf names", () => {
  const suites = CAPTURES.map((name) => {
    const resp = decodeMessage(loadCapture(name)[1]!.bytes);
    if (!resp.ok) throw new Error(resp.error.reason);
    const p = findPayload(resp.value, "sa")!.proposals[0]!;
    return [
      p.protocol,
      ...p.transforms.map((t) => `${t.type}:${t.id}${t.keyLength ? "/" + t.keyLength : ""}`),
    ];
  });
  assertEquals(suites, [
    [ProtocolId.IKE, "1:12/128", "3:2", "2:2", "4:2"], // aes128-sha1-modp1024
    [ProtocolId.IKE, "1:20/256", "2:5", "4:31"], // aes256gcm16-prfsha256-x25519
    [ProtocolId.IKE, "1:12/128", "3:2", "2:2", "4:2"],
  ]);
});
