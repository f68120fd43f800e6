import { assertEquals, assertThrows } from "../tests/assert.ts";
import { writeAll } from "./stdio.ts";

class Pipe {
  written = "";
  constructor(private readonly room: number, private readonly chunk = 3) {}
  writeSync(p: Uint8Array): number {
    if (this.written.length >= this.room) {
      throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
    }
    const n = Math.min(this.chunk, p.length);
    this.written += new TextDecoder().decode(p.subarray(0, n));
    return n;
  }
}

Deno.test("stdio: short writes are continued until the text is out", () => {
  const p = new Pipe(100);
  assertEquals(writeAll(p, "show ike ike-sa\n"), true);
  assertEquals(p.written, "show ike ike-sa\n");
});

Deno.test("stdio: a reader that went away ends the output quietly, for good", () => {
  const p = new Pipe(4, 2);
  assertEquals(writeAll(p, "line one\n"), false);
  assertEquals(p.written, "line");
  assertEquals(writeAll(p, "line two\n"), false, "nothing more is tried");
  assertEquals(p.written, "line");
});

Deno.test("stdio: other write errors are not swallowed", () => {
  const bad = {
    writeSync(): number {
      throw new Deno.errors.PermissionDenied("no");
    },
  };
  assertThrows(() => writeAll(bad, "x"), Deno.errors.PermissionDenied);
});
