/**
 * The lock file as a file: its name, and reading its text before any parsing. Kept apart from
 * `lock.ts` (the schema, the parser, the writer) so that `envknit run`, which usually needs only
 * the text's hash, loads neither.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";

/** The lock's file name, beside envknit.yaml. */
export const LOCK_FILENAME = "envknit.lock.yaml";

/** Reads a lock's text; a missing file says to run `envknit lock`. */
export function readLockText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new EnvknitError(`no lock file at ${path}`, { hints: ["run 'envknit lock' first"] });
    }
    throw new EnvknitError(
      `cannot read ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
}
