/**
 * Assertions for tests, named as in Deno's standard library (which JSR would provide; it is not
 * reachable here), built on Node's `assert/strict` that Deno ships.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Fails unless `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

/** Fails unless `actual` and `expected` are deeply equal (strict). */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Fails if `actual` and `expected` are deeply equal. */
export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Fails unless `actual` contains `expected`. */
export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    nodeAssert.fail(
      message ?? `expected ${JSON.stringify(actual)} to include ${JSON.stringify(expected)}`,
    );
  }
}

/** Fails unless `actual` matches `pattern`. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(actual, pattern, message);
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Fails unless `fn` throws (an instance of `ErrorClass` whose message includes `includes`). */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    checkError(error, ErrorClass, includes);
    return error as E;
  }
  nodeAssert.fail("expected the function to throw");
}

/** Fails unless the promise from `fn` rejects (like {@link assertThrows}). */
export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    checkError(error, ErrorClass, includes);
    return error as E;
  }
  nodeAssert.fail("expected the promise to reject");
}

function checkError<E extends Error>(
  error: unknown,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
) {
  if (ErrorClass && !(error instanceof ErrorClass)) {
    nodeAssert.fail(
      `expected ${ErrorClass.name}, got ${
        error instanceof Error ? error.name : typeof error
      }: ${error}`,
    );
  }
  if (includes !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    assertStringIncludes(message, includes);
  }
}
