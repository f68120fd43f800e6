/**
 * Test assertions (no `@std/assert` here: JSR is unreachable). Thin wrappers
 * over `node:assert/strict` with the argument order of Deno's std, so test
 * files read the same as in any Deno project.
 *
 * @module
 */
import * as nodeAssert from "node:assert/strict";

/** Fails unless `cond` is truthy. */
export function assert(cond: unknown, msg = "Assertion failed"): asserts cond {
  if (!cond) throw new nodeAssert.AssertionError({ message: msg });
}

/** Deep, strict equality (typed arrays compared by content). */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, msg);
}

/** Deep, strict inequality. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, msg);
}

/** Fails unless `text` matches `re`. */
export function assertMatch(text: string, re: RegExp, msg?: string): void {
  nodeAssert.match(text, re, msg);
}

/** Fails unless `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, msg?: string): void {
  if (!text.includes(part)) {
    throw new nodeAssert.AssertionError({
      message: msg ?? `Expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`,
    });
  }
}

function checkError(e: unknown, cls: abstract new (...a: never[]) => Error, part?: string): Error {
  if (!(e instanceof cls)) {
    throw new nodeAssert.AssertionError({
      message: `Expected a ${cls.name}, got ${
        e instanceof Error ? e.constructor.name : typeof e
      }: ${String(e)}`,
    });
  }
  if (part !== undefined && !e.message.includes(part)) {
    throw new nodeAssert.AssertionError({
      message: `Expected the error message ${JSON.stringify(e.message)} to include ${
        JSON.stringify(part)
      }`,
    });
  }
  return e;
}

/** Fails unless `fn` throws an instance of `cls` whose message includes `part`. */
export function assertThrows(
  fn: () => unknown,
  cls: abstract new (...a: never[]) => Error,
  part?: string,
): Error {
  try {
    fn();
  } catch (e) {
    return checkError(e, cls, part);
  }
  throw new nodeAssert.AssertionError({ message: "Expected the function to throw" });
}

/** Fails unless the promise returned by `fn` rejects like {@linkcode assertThrows}. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  cls: abstract new (...a: never[]) => Error,
  part?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, cls, part);
  }
  throw new nodeAssert.AssertionError({ message: "Expected the promise to reject" });
}

/** Fails the test with `msg`. */
export function fail(msg: string): never {
  throw new nodeAssert.AssertionError({ message: msg });
}
