/**
 * The engine's negotiation and key glue against strongSwan 5.9.8's own
 * IKE_SA_INIT / IKE_AUTH (tests/vectors/strongswan, see SOURCES.md): as
 * responder with strongSwan's configuration we pick what strongSwan picked,
 * narrow traffic selectors the same way, compute both AUTH payloads it
 * sent, and derive the CHILD SA keys it installed.
 */
import { assert, assertEquals } from "./assert.ts";
import { parseIp, parsePrefix } from "../core/ip.ts";
import type { EspProposalConfig, IkeProposalConfig } from "../ike/config.ts";
import { deriveChildKeys, pskAuth } from "../ike/keys.ts";
import { findPayload } from "../ike/message/find.ts";
import { decodeMessage, unprotect } from "../ike/message/message.ts";
import { createSkProtection } from "../ike/message/sk.ts";
import type { IkeMessage, RawMessage } from "../ike/message/types.ts";
import {
  buildEspProposals,
  buildIkeProposals,
  chosenToWire,
  selectProposal,
} from "../ike/proposal.ts";
import { espSpiFromBytes } from "../ike/spi.ts";
import { childSuite, ikeSuite } from "../ike/suite.ts";
import { formatTs, narrowAsResponder, tsFromConfig } from "../ike/ts.ts";
import { idPayloadBody, proposalsOf, selectorsOf } from "../ike/wire.ts";
import { hex, readPcap, toHex, udpOfEthernet } from "./pcap.ts";

interface Capture {
  name: string;
  ike: IkeProposalConfig;
  esp: EspProposalConfig;
}

const CAPTURES: Capture[] = [
  {
    name: "ref-noesn-encap_no",
    ike: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], prf: [], dh: ["modp1024"] },
    esp: { enc: ["aes128-cbc"], integ: ["hmac-sha1"], dh: [], esn: [false] },
  },
  {
    name: "gcm-encap_no",
    ike: { enc: ["aes256-gcm-128"], integ: [], prf: ["hmac-sha256"], dh: ["curve25519"] },
    esp: { enc: ["aes256-gcm-128"], integ: [], dh: [], esn: [false] },
  },
];

const PSK = new TextEncoder().encode("s1-lab-psk-0123456789abcdef");
const dir = new URL("./vectors/strongswan/", import.meta.url);

/** The first four IKE messages of a capture, non-ESP marker removed. */
function ikeMessages(name: string): RawMessage[] {
  const pcap = readPcap(Deno.readFileSync(new URL(`${name}.pcap`, dir)));
  const out: RawMessage[] = [];
  for (const r of pcap.records) {
    const u = udpOfEthernet(r.data);
    if (!u || (u.dstPort !== 500 && u.dstPort !== 4500)) continue;
    const bytes = u.dstPort === 4500 ? u.payload.subarray(4) : u.payload;
    if (u.dstPort === 4500 && u.payload.subarray(0, 4).some((b) => b !== 0)) continue;
    const m = decodeMessage(bytes.slice());
    if (m.ok) out.push(m.value);
    if (out.length === 4) break;
  }
  return out;
}

for (const cap of CAPTURES) {
  Deno.test(`ike strongswan vectors (${cap.name}): proposals, selectors, AUTH and CHILD keys`, () => {
    const json = JSON.parse(Deno.readTextFileSync(new URL(`${cap.name}.vectors.json`, dir)));
    const sk = json.ike_sas[0];
    const [initReq, initResp, authReq, authResp] = ikeMessages(cap.name);
    assert(initReq && initResp && authReq && authResp, "four IKE messages");

    // IKE_SA_INIT: as responder we choose exactly what strongSwan answered.
    const ke = findPayload(initReq, "ke")!;
    const sel = selectProposal(
      buildIkeProposals([cap.ike]),
      proposalsOf(findPayload(initReq, "sa")!),
      {
        keGroup: ke.group,
      },
    )!;
    const answer = proposalsOf(findPayload(initResp, "sa")!)[0]!;
    const ours = chosenToWire(sel.chosen, sel.number, new Uint8Array(0));
    const key = (t: { type: number; id: number; keyLength?: number }) =>
      `${t.type}/${t.id}/${t.keyLength}`;
    assertEquals(ours.number, answer.number);
    assertEquals(ours.transforms.map(key).sort(), answer.transforms.map(key).sort());

    // IKE_AUTH: decrypt with the logged keys, then recompute both AUTH payloads.
    const suite = ikeSuite(sel.chosen);
    const prot = (e: string, a: string | undefined) =>
      createSkProtection(suite.enc, hex(e), suite.integ, a ? hex(a) : undefined);
    const open = (m: RawMessage, e: string, a: string | undefined): IkeMessage => {
      const u = unprotect(m, prot(e, a));
      assert(u.ok, "ICV verifies");
      return u.value.message;
    };
    const req = open(authReq, sk.Sk_ei, suite.integ ? sk.Sk_ai : undefined);
    const resp = open(authResp, sk.Sk_er, suite.integ ? sk.Sk_ar : undefined);
    const ni = findPayload(initReq, "nonce")!.data;
    const nr = findPayload(initResp, "nonce")!.data;
    const authI = pskAuth(
      suite.prf,
      PSK,
      initReq.bytes,
      nr,
      hex(sk.Sk_pi),
      idPayloadBody(findPayload(req, "idi")!),
    );
    assertEquals(toHex(authI), toHex(findPayload(req, "auth")!.data));
    const authR = pskAuth(
      suite.prf,
      PSK,
      initResp.bytes,
      ni,
      hex(sk.Sk_pr),
      idPayloadBody(findPayload(resp, "idr")!),
    );
    assertEquals(toHex(authR), toHex(findPayload(resp, "auth")!.data));

    // The first CHILD SA: same ESP choice, same narrowing, same keys.
    const esp = selectProposal(
      buildEspProposals([cap.esp], new Uint8Array(4), false),
      proposalsOf(findPayload(req, "sa")!),
      {
        ignoreDh: true,
      },
    )!;
    const espAnswer = proposalsOf(findPayload(resp, "sa")!)[0]!;
    assertEquals(
      chosenToWire(esp.chosen, esp.number, espAnswer.spi).transforms.map(key).sort(),
      espAnswer.transforms.map(key).sort(),
    );
    const cfg = (p: string) =>
      tsFromConfig({ prefix: parsePrefix(p), protocol: 0 }, parseIp("0.0.0.0"));
    const narrowed = narrowAsResponder(
      selectorsOf(findPayload(req, "tsi")!),
      selectorsOf(findPayload(req, "tsr")!),
      [cfg("10.101.0.0/24")],
      [cfg("10.102.0.0/24")],
    )!;
    assertEquals(narrowed.tsi.map(formatTs), selectorsOf(findPayload(resp, "tsi")!).map(formatTs));
    assertEquals(narrowed.tsr.map(formatTs), selectorsOf(findPayload(resp, "tsr")!).map(formatTs));
    const cs = childSuite(esp.chosen);
    const km = deriveChildKeys(suite.prf, hex(sk.Sk_d), cs.enc, cs.integ, ni, nr);
    const spiR = espSpiFromBytes(espAnswer.spi)!.toString(16).padStart(8, "0");
    const spiI = espSpiFromBytes(esp.spi)!.toString(16).padStart(8, "0");
    assertEquals(toHex(km.encI), json.esp_spi_keys[spiR].enc, "i->r uses the responder's SPI");
    assertEquals(toHex(km.encR), json.esp_spi_keys[spiI].enc);
    if (cs.integ) assertEquals(toHex(km.integI!), json.esp_spi_keys[spiR].integ);
  });
}
