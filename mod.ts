/**
 * envknit's public TypeScript API: the operations the CLI performs, for programs.
 *
 * @module
 */
export { ENVKNIT_VERSION } from "./project/version.ts";
export { EnvknitError, UsageError } from "./project/errors.ts";
export {
  type InstallOptions,
  type InstallProgress,
  type InstallResult,
  installLock,
} from "./store/installing.ts";
export { type FetchOptions, type FetchResult, fetchLock } from "./store/fetching.ts";
export { type VerifyProblem, type VerifyResult, verifyLock } from "./store/verify.ts";
export { collectGarbage, type GcResult } from "./store/gc.ts";
export { prepareRun, type RunEnvironment, type RunOptions } from "./store/activate.ts";
export { recordProject } from "./store/projects.ts";
