/**
 * envknit's public TypeScript API: the operations the CLI performs, for programs.
 *
 * ```ts
 * import { installLock, lockProject, prepareRun } from "./mod.ts";
 *
 * const { lockPath } = await lockProject({ cwd: "/path/to/project" });
 * await installLock({ lockPath });
 * const { vars } = await prepareRun({ lockPath });   // PATH, VIRTUAL_ENV, ENVKNIT_* of the view
 * ```
 *
 * Every operation takes its settings as options (nothing is read from the command line) and
 * throws an {@link EnvknitError} for anything the user must act on.
 *
 * @module
 */
export { ENVKNIT_VERSION } from "./core/version.ts";
export { EnvknitError, UsageError } from "./core/errors.ts";
export {
  type LockOptions,
  type LockProgress,
  lockProject,
  type LockResult,
} from "./ops/lock/lock_project.ts";
export type { PreparedTarget, TargetSpec } from "./ops/lock/lock_targets.ts";
export {
  type InstalledEntry,
  installLock,
  type InstallOptions,
  type InstallProgress,
  type InstallResult,
} from "./ops/install.ts";
export { fetchLock, type FetchOptions, type FetchResult } from "./ops/fetch.ts";
export {
  verifyLock,
  type VerifyOptions,
  type VerifyProblem,
  type VerifyResult,
} from "./ops/verify.ts";
export {
  collectGarbage,
  type GcResult,
  type ProjectRecord,
  type StoreEntry,
  type StoreView,
} from "./ops/gc.ts";
export { type LeaseHandle, prepareRun, type RunEnvironment, type RunOptions } from "./ops/run.ts";
export type { Selection } from "./ops/selection.ts";
export { recordProject } from "./store/projects.ts";
export { type EntryMarker, StoreLayout } from "./store/layout.ts";
export {
  type ByteRange,
  type GetOptions,
  type HttpBytes,
  HttpClient,
  type HttpClientOptions,
  type HttpResponse,
  type HttpStats,
} from "./store/http/client.ts";
export type { IndexStats } from "./store/index/client.ts";
export type { MetadataSource } from "./store/index/core_metadata.ts";
export type { Interpreter } from "./store/tags/interpreter.ts";
export type { MarkerEnvironment } from "./resolver/mod.ts";
export type {
  Lockfile,
  LockIsland,
  LockPackage,
  LockTarget,
  LockTargetEntry,
  LockWheel,
} from "./project/lock.ts";
