/**
 * IKE fragmentation against strongSwan 5.9.8 (RFC 7383): two captures of a
 * strongSwan pair forced to 200-byte fragments (`tests/vectors/ike/`, see
 * SOURCES.md). Every fragment authenticates and decrypts on its own, the
 * reassembled messages are the ones charon logged, and re-fragmenting them
 * (captured IVs and padding) reproduces strongSwan's fragments byte for
 * byte: same cut points, same SKF header, same associated data.
 */
import { assertEquals } from "./assert.ts";
import { ikeDatagrams } from "./ike_codec_captures.ts";
import { fixedRng } from "./ike_codec_doubles.ts";
import { skForProposal } from "./ike_codec_suites.ts";
import { hex, toHex } from "./pcap.ts";
import { GENERIC_HEADER_LENGTH } from "../ike/constants.ts";
import {
  decodeMessage,
  describeMessage,
  findPayload,
  fragmentMessage,
  FragmentReassembler,
  type IkeMessage,
  maxFragmentMessageSize,
  type RawMessage,
  type SkProtection,
  unprotect,
} from "../ike/message/mod.ts";
import { openBody } from "../ike/message/sk.ts";
import { SKF_FIELDS_LENGTH } from "../ike/message/skf.ts";

interface FragVectors {
  ike_messages: number;
  ike_sas: { spi_i: string; Sk_ei: string; Sk_er: string; Sk_ai: string; Sk_ar: string }[];
  charon_lines: string[];
}

const DIR = new URL("./vectors/ike/", import.meta.url);

for (const profile of ["ref-noesn", "gcm"]) {
  Deno.test(`fragments: strongSwan ${profile} with 200-byte fragments: reassembled and re-fragmented exactly`, () => {
    const name = `strongswan-5.9.8-frag200-${profile}`;
    const v = JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, DIR))) as FragVectors;
    const datagrams = ikeDatagrams(Deno.readFileSync(new URL(`${name}.pcap`, DIR)));
    assertEquals(datagrams.length, v.ike_messages);
    // strongSwan's charon.fragment_size counts the IPv4 datagram; IKE runs on 4500.
    const maxSize = maxFragmentMessageSize(200, false, true);
    let init: IkeMessage | undefined;
    const reassemblers = new Map<string, FragmentReassembler>();
    const pending = new Map<string, RawMessage[]>();
    const lines: string[] = [];
    let reassembled = 0;
    for (const d of datagrams) {
      const r = decodeMessage(d.bytes);
      if (!r.ok) throw new Error(r.error.reason);
      const raw = r.value;
      const last = raw.payloads[raw.payloads.length - 1];
      if (last?.kind !== "sk") lines.push(describeMessage(raw)); // charon logs fragments as parsed
      if (!last || (last.kind !== "sk" && last.kind !== "skf")) {
        if (raw.header.flags.response) init = raw;
        continue;
      }
      const spi = toHex(raw.header.spiI);
      const sa = v.ike_sas.find((s) => s.spi_i === spi)!;
      const fromI = raw.header.flags.initiator;
      const sk = skForProposal(
        findPayload(init!, "sa")!.proposals[0]!,
        hex(fromI ? sa.Sk_ei : sa.Sk_er),
        hex(fromI ? sa.Sk_ai : sa.Sk_ar),
      );
      if (last.kind === "sk") {
        const u = unprotect(raw, sk);
        if (!u.ok) throw new Error(u.error.reason);
        lines.push(describeMessage(u.value.message));
        continue;
      }
      const key = `${spi}/${raw.header.flags.response}/${raw.header.messageId}`;
      const re = reassemblers.get(spi) ?? new FragmentReassembler();
      reassemblers.set(spi, re);
      pending.set(key, [...(pending.get(key) ?? []), raw]);
      const result = re.add(raw, sk, 0);
      if (result.status === "dropped") throw new Error(`${key}: ${result.error.reason}`);
      if (result.status === "pending") continue;
      reassembled++;
      lines.push(describeMessage(result.message));
      assertFragmentsReproduced(result.message, pending.get(key)!, sk, maxSize);
    }
    assertEquals(reassembled, 6); // IKE_AUTH, CHILD rekey and IKE rekey, both ways
    // The same summaries as charon's, once each (its order differs by direction).
    const charon = v.charon_lines.map((l) => l.replace(/^(parsed|generating) /, ""));
    assertEquals([...lines].sort(), [...charon].sort());
  });
}

/** Re-fragments `message` with the fragments' IVs and paddings and compares bytes. */
function assertFragmentsReproduced(
  message: IkeMessage,
  fragments: RawMessage[],
  sk: SkProtection,
  maxSize: number,
): void {
  const ivs: number[] = [];
  const paddings: Uint8Array[] = [];
  for (const f of fragments) {
    const skf = f.payloads[f.payloads.length - 1]!;
    if (skf.kind !== "skf") throw new Error("not a fragment");
    ivs.push(...skf.body.subarray(0, sk.ivLength));
    const opened = openBody(f.bytes, skf.offset + GENERIC_HEADER_LENGTH + SKF_FIELDS_LENGTH, sk);
    if (!opened.ok) throw new Error(opened.error.reason);
    paddings.push(opened.value.padding);
  }
  const again = fragmentMessage(message, sk, fixedRng(Uint8Array.from(ivs)), maxSize, { paddings });
  assertEquals(again.map(toHex), fragments.map((f) => toHex(f.bytes)));
}
