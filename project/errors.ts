/**
 * Where `resolver/` still imports the errors from until it moves to `core/errors.ts` (#13.1);
 * nothing else may import this file.
 *
 * @module
 */
export { EnvknitError, UsageError } from "../core/errors.ts";
