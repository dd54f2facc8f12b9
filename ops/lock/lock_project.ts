/**
 * The lock operation (`envknit lock`, `lockProject` in mod.ts): every environment of envknit.yaml
 * resolved for its targets against the configured indexes, written to `envknit.lock.yaml`.
 *
 * Two paths: a lock known to be up to date (`lock_memo.ts`: same inputs, the lock as written,
 * the index's answers still fresh) is returned as it is, loading nothing else; otherwise the
 * project is resolved (`resolve_project.ts`, loaded only then with the resolver and the index
 * client). The options and the result are in `lock_api.ts`.
 *
 * @module
 */
import type { LockOptions, LockResult } from "./lock_api.ts";
import { unchangedLock } from "./lock_memo.ts";

export type { LockOptions, LockProgress, LockResult } from "./lock_api.ts";
export { describeTargets } from "./lock_api.ts";

/** Resolves the project's environments and writes `envknit.lock.yaml` (see the module docs). */
export async function lockProject(options: LockOptions = {}): Promise<LockResult> {
  const unchanged = await unchangedLock(options);
  if (unchanged) return unchanged;
  const { resolveProject } = await import("./resolve_project.ts");
  return await resolveProject(options);
}
