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
} from "./ops/install.ts";
export { fetchLock, type FetchOptions, type FetchResult } from "./ops/fetch.ts";
export { verifyLock, type VerifyProblem, type VerifyResult } from "./ops/verify.ts";
export { collectGarbage, type GcResult } from "./ops/gc.ts";
export { prepareRun, type RunEnvironment, type RunOptions } from "./ops/run.ts";
export { recordProject } from "./store/projects.ts";
export {
  type LockOptions,
  type LockProgress,
  lockProject,
  type LockResult,
} from "./ops/lock/lock_project.ts";
