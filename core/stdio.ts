/**
 * Line output on stdout and stderr for one-shot commands, written
 * synchronously so that lines keep their order. When the reader goes away
 * (`tandem cli … | head`), the rest of that stream's output is dropped
 * quietly and the commands still run to the end: a commit in the steps is
 * not lost because nobody reads its report.
 *
 * @module
 */

type Stream = { writeSync(p: Uint8Array): number };

const encoder = new TextEncoder();
const gone = new WeakSet<Stream>();

/** Writes `text` whole to `stream`; false once the reader has gone. */
export function writeAll(stream: Stream, text: string): boolean {
  if (gone.has(stream)) return false;
  let buf = encoder.encode(text);
  try {
    while (buf.length > 0) buf = buf.subarray(stream.writeSync(buf));
    return true;
  } catch (e) {
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
    gone.add(stream);
    return false;
  }
}

/** Prints a line on stdout. */
export function printLine(line: string): void {
  writeAll(Deno.stdout, line + "\n");
}

/** Prints a line on stderr. */
export function printError(line: string): void {
  writeAll(Deno.stderr, line + "\n");
}
