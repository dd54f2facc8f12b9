/**
 * `verifyLock` (`envknit verify`): the entries of a lock's selected environments are rehashed
 * against what was installed (`store/verify.ts`): every installed wheel of each locked version.
 *
 * @module
 */
import { StoreLayout } from "../store/layout.ts";
import { verifyPackages, type VerifyProblem, type VerifyResult } from "../store/verify.ts";
import { loadLock } from "../project/lock.ts";
import { InstallTarget } from "./interpreter.ts";
import { machinePackages, type Selection } from "./selection.ts";
import { checkInstallPaths } from "./install_path.ts";

export type { VerifyProblem, VerifyResult };

/** Options of {@link verifyLock}. */
export interface VerifyOptions extends Selection {
  /** The lock file. */
  lockPath: string;
  /** The store (default: from `env`). */
  layout?: StoreLayout;
  /** Environment variables (`ENVKNIT_HOME`); default the process's. */
  env?: Record<string, string>;
  /** `--python`: the machine's interpreter for a multi-target lock (else found as install does). */
  python?: string;
}

/**
 * Verifies the entries of a lock's selected environments: every installed wheel of each locked
 * version (a version with none installed is reported `absent`). A lock whose `install_path`
 * names anything but the store path of its entry is an `EnvknitError` (`install_path.ts`).
 */
export async function verifyLock(options: VerifyOptions): Promise<VerifyResult> {
  const layout = options.layout ?? StoreLayout.fromEnv(options.env);
  const { lock } = await loadLock(options.lockPath, layout.parsedCacheDir);
  checkInstallPaths(lock, options.lockPath, layout);
  // A multi-target lock: the entries of this machine (the others are never installed here).
  const target = new InstallTarget(lock.target, {
    python: options.python,
    env: options.env,
    cacheDir: layout.cacheDir,
    targets: lock.targets,
  });
  const packages = (await machinePackages(lock, options, target)).map((p) => ({
    name: p.name,
    version: p.version,
    wheels: p.wheels.map((w) => w.wheel),
  }));
  return await verifyPackages(packages, layout);
}
