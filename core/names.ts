/**
 * PEP 503 project-name normalization in plain JavaScript, for the paths that must not load the
 * WebAssembly resolver (`envknit install`/`run`, the index client, wheel file names, the test
 * support that checks the resolver). It imports nothing.
 *
 * @module
 */

/**
 * The PEP 503 normal form of a project name: runs of `-`, `_`, `.` become one `-`, lower-cased
 * (`Foo.Bar_baz` → `foo-bar-baz`).
 *
 * It does not validate: any string gets a normal form (`"-x-"` → `"-x-"`, `"a b"` → `"a b"`). Use
 * it on names that are already known to be valid (from an index, a wheel file name, a lock) or
 * where an invalid one is refused elsewhere. The validating form, `normalizeName` of
 * `resolver/pep.ts` (through the WebAssembly module), throws an `EnvknitError` for an invalid
 * name, which is what user input (the CLI's package arguments) needs.
 */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}
