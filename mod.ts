/**
 * envknit's public TypeScript API: the operations the CLI performs, for programs.
 *
 * @module
 */
export { ENVKNIT_VERSION } from "./core/version.ts";
export { EnvknitError, UsageError } from "./core/errors.ts";
export {
  installLock,
  type InstallOptions,
  type InstallProgress,
  type InstallResult,
} from "./store/installing.ts";
export { fetchLock, type FetchOptions, type FetchResult } from "./store/fetching.ts";
export { verifyLock, type VerifyProblem, type VerifyResult } from "./store/verify.ts";
export { collectGarbage, type GcResult } from "./store/gc.ts";
export { prepareRun, type RunEnvironment, type RunOptions } from "./store/activate.ts";
export { recordProject } from "./store/projects.ts";
export {
  type LockOptions,
  type LockProgress,
  lockProject,
  type LockResult,
} from "./project/locking.ts";
