/**
 * Where `resolver/`'s tests still import `normalizeName` from until they move to `core/names.ts`
 * (#13.1); nothing else may import this file.
 *
 * @module
 */
export { normalizeName } from "../core/names.ts";
