import { assertEquals, assertThrows } from "../tests/assert.ts";
import { endsInQuote, quoteWord, splitWords, WordsError } from "./words.ts";

Deno.test("words: blanks separate, double quotes group, backslash escapes inside quotes", () => {
  assertEquals(splitWords("  ike-proposal 1\tenc-alg aes128-cbc "), [
    "ike-proposal",
    "1",
    "enc-alg",
    "aes128-cbc",
  ]);
  assertEquals(splitWords('secret "my pass phrase"'), ["secret", "my pass phrase"]);
  assertEquals(splitWords('secret "a \\"b\\" \\\\c"'), ["secret", 'a "b" \\c']);
  assertEquals(splitWords('secret ""'), ["secret", ""]);
  assertThrows(() => splitWords('secret "open'), WordsError, "unterminated quote");
  assertEquals(endsInQuote('secret "ope'), true);
  assertEquals(endsInQuote('secret "ope" x'), false);
});

Deno.test("words: quoting round-trips any word", () => {
  for (const w of ["plain", "two words", 'quo"te', "back\\slash", "", "tab\there"]) {
    assertEquals(splitWords(`x ${quoteWord(w)}`), ["x", w], JSON.stringify(w));
  }
  assertEquals(quoteWord("eth1"), "eth1");
});
