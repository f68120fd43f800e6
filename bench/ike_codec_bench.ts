/**
 * IKE codec costs on the strongSwan captures: decoding an IKE_SA_INIT,
 * checking and decrypting an IKE_AUTH (AES-CBC-128/HMAC-SHA1-96 and
 * AES-GCM-256 from crypto/, via tests/ike_codec_suites.ts), and
 * fragmenting plus reassembling a 2.3 kB message with the test doubles.
 *
 * Run: `$DENO bench -A bench/ike_codec_bench.ts`
 *
 * @module
 */
import { SeededRng } from "../core/rng.ts";
import {
  checkPayloadRules,
  decodeMessage,
  findPayload,
  fragmentMessage,
  FragmentReassembler,
  protect,
  type RawMessage,
  unprotect,
} from "../ike/message/mod.ts";
import { bigMessage } from "../tests/ike_codec_build.ts";
import { keysOf, loadCapture } from "../tests/ike_codec_captures.ts";
import { doubleSk } from "../tests/ike_codec_doubles.ts";
import { skForProposal } from "../tests/ike_codec_suites.ts";

function raw(bytes: Uint8Array): RawMessage {
  const r = decodeMessage(bytes);
  if (!r.ok) throw new Error(r.error.reason);
  return r.value;
}

for (const capture of ["ref-noesn-encap_no", "gcm-encap_no"] as const) {
  const msgs = loadCapture(capture);
  const init = raw(msgs[1]!.bytes);
  const auth = msgs[2]!;
  const { enc, integ } = keysOf(auth);
  const sk = skForProposal(findPayload(init, "sa")!.proposals[0]!, enc, integ);
  const clear = unprotect(raw(auth.bytes), sk);
  if (!clear.ok) throw new Error(clear.error.reason);

  Deno.bench(`${capture}: decodeMessage IKE_SA_INIT (${msgs[0]!.bytes.length} B)`, {
    group: capture,
  }, () => {
    decodeMessage(msgs[0]!.bytes);
  });
  Deno.bench(`${capture}: decode + unprotect + rules IKE_AUTH (${auth.bytes.length} B)`, {
    group: capture,
  }, () => {
    const r = unprotect(raw(auth.bytes), sk);
    if (r.ok) checkPayloadRules(35, false, r.value.message.payloads);
  });
  Deno.bench(`${capture}: protect IKE_AUTH`, { group: capture }, () => {
    protect(clear.value.message, sk, new SeededRng(1));
  });
}

const dsk = doubleSk();
const big = bigMessage();
Deno.bench("fragment 2.3 kB into 544-byte messages and reassemble (test-double crypto)", () => {
  const re = new FragmentReassembler();
  for (const f of fragmentMessage(big, dsk, new SeededRng(1), 544)) re.add(raw(f), dsk, 0);
});
