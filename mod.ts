/**
 * envknit's public TypeScript API: the operations the CLI performs, for programs.
 *
 * @module
 */
export { ENVKNIT_VERSION } from "./project/version.ts";
export { EnvknitError, UsageError } from "./project/errors.ts";
