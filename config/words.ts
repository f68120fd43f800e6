/**
 * Splitting a command line into words and quoting words back: words are
 * separated by blanks; a word holding blanks, quotes or backslashes is
 * written in double quotes with `\"` and `\\` escapes. `show config`
 * quotes what it prints, so every printed line splits back into the same
 * words.
 *
 * @module
 */

/** A line that does not split into words (an unterminated quote). */
export class WordsError extends Error {
  override name = "WordsError";
}

/** The words of a line. */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    let word = "";
    let quoted = false;
    while (i < line.length && line[i] !== " " && line[i] !== "\t") {
      if (line[i] === '"') {
        quoted = true;
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === "\\" && i + 1 < line.length) i++;
          word += line[i];
          i++;
        }
        if (i >= line.length) throw new WordsError(`Cannot parse line: unterminated quote`);
        i++;
      } else {
        word += line[i];
        i++;
      }
    }
    if (word.length > 0 || quoted) out.push(word);
  }
  return out;
}

/** Whether a line ends inside an open quote (the completer then completes nothing). */
export function endsInQuote(line: string): boolean {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\" && inQuote) i++;
    else if (line[i] === '"') inQuote = !inQuote;
  }
  return inQuote;
}

/** A word as it must be written to split back to itself. */
export function quoteWord(word: string): string {
  if (word.length > 0 && !/[\s"\\]/.test(word)) return word;
  return `"${word.replace(/[\\"]/g, (c) => "\\" + c)}"`;
}
