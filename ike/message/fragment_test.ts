import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { bigMessage, header } from "../../tests/ike_codec_build.ts";
import { doubleAead, doubleSk } from "../../tests/ike_codec_doubles.ts";
import { SeededRng } from "../../core/rng.ts";
import { FRAGMENT_DATAGRAM_IPV4, MAX_FRAGMENTS, PayloadType as T } from "../constants.ts";
import { IkeEncodeError } from "./bytes.ts";
import { encodePayloadChain } from "./chain.ts";
import { fragmentMessage, maxFragmentMessageSize } from "./fragment.ts";
import { decodeMessage } from "./message.ts";

Deno.test("fragment: datagram size to IKE message size", () => {
  assertEquals(maxFragmentMessageSize(FRAGMENT_DATAGRAM_IPV4, false, true), 576 - 20 - 8 - 4);
  assertEquals(maxFragmentMessageSize(1280, true, false), 1280 - 40 - 8);
});

Deno.test("fragment: every fragment fits, carries its number, and only the first names the inner payload", () => {
  for (const sk of [doubleSk(), doubleAead()]) {
    const msg = bigMessage();
    const max = maxFragmentMessageSize(FRAGMENT_DATAGRAM_IPV4, false, true);
    const frags = fragmentMessage(msg, sk, new SeededRng(1), max);
    const inner = encodePayloadChain(msg.payloads).bytes.length;
    assertEquals(frags.length > 1, true);
    let carried = 0;
    frags.forEach((f, i) => {
      assertEquals(f.length <= max, true, `fragment ${i + 1} is ${f.length} bytes`);
      const r = decodeMessage(f);
      if (!r.ok) throw new Error(r.error.reason);
      const skf = r.value.payloads[0]!;
      assertEquals(r.value.header.nextPayload, T.SKF);
      assertEquals(r.value.header.messageId, msg.header.messageId);
      if (skf.kind !== "skf") throw new Error("not an SKF payload");
      assertEquals([skf.fragmentNumber, skf.totalFragments], [i + 1, frags.length]);
      assertEquals(skf.innerType, i === 0 ? T.IDI : 0);
      carried += skf.body.length - sk.ivLength - sk.icvLength;
    });
    // Payload bytes plus at most one block of padding per fragment.
    assertEquals(carried >= inner && carried <= inner + frags.length * sk.blockSize, true);
  }
});

Deno.test("fragment: a message that fits makes a single fragment 1/1", () => {
  const frags = fragmentMessage(
    { header: header(), payloads: [] },
    doubleSk(),
    new SeededRng(1),
    1280,
  );
  assertEquals(frags.length, 1);
  const r = decodeMessage(frags[0]!);
  const skf = r.ok ? r.value.payloads[0] : undefined;
  assertEquals(skf?.kind === "skf" && [skf.fragmentNumber, skf.totalFragments, skf.innerType], [
    1,
    1,
    0,
  ]);
});

Deno.test("fragment: sizes with no room, or too many fragments, are refused", () => {
  const sk = doubleSk();
  assertThrows(
    () => fragmentMessage(bigMessage(), sk, new SeededRng(1), 28 + 8 + 16 + 12 + 15),
    IkeEncodeError,
    "no room",
  );
  assertThrows(
    () => fragmentMessage(bigMessage(), sk, new SeededRng(1), 28 + 8 + 16 + 12 + 16),
    IkeEncodeError,
    `exceed ${MAX_FRAGMENTS}`,
  );
});
