/**
 * Whether a lock still follows its project (#15.4): envknit.yaml beside the lock changed since
 * the lock was written (its `config_hash` differs), or names an environment the lock lacks, or
 * there is no lock yet. `run` and `install` lock first in that case (`--locked` makes it an error,
 * `--frozen` skips the check), `status` reports it.
 *
 * Only a lock beside an envknit.yaml has a project to follow: a lock alone (`--lock FILE`
 * elsewhere) is always used as it is.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { LOCK_FILENAME } from "../project/lock_file.ts";
import type { Lockfile } from "../project/lock.ts";

/** The project file whose changes a lock follows. */
export const CONFIG_FILE = "envknit.yaml";

/**
 * envknit.yaml in the lock's folder when there is one and the lock is that project's
 * `envknit.lock.yaml` (what `envknit lock` writes); else null: a lock alone follows nothing.
 */
export function configBesideLock(lockPath: string): string | null {
  if (!lockPath.endsWith(`/${LOCK_FILENAME}`)) return null;
  const path = `${lockPath.slice(0, lockPath.lastIndexOf("/"))}/${CONFIG_FILE}`;
  try {
    return Deno.statSync(path).isFile ? path : null;
  } catch {
    return null;
  }
}

/** How `run` and `install` treat a stale lock. */
export type LockMode = "auto" | "locked" | "frozen";

/**
 * Why the lock at `lockPath` does not follow `configPath`, or null when it does. `lock` is the
 * parsed lock, or null when there is no lock file.
 */
export async function staleReason(
  lock: Lockfile | null,
  configPath: string,
  cacheDir: string | null,
): Promise<string | null> {
  if (lock === null) return `there is no ${LOCK_FILENAME} for ${configPath} yet`;
  const { configHash, readConfig } = await import("../project/config.ts");
  const config = await readConfig(configPath, cacheDir);
  if (lock.configHash !== await configHash(config)) {
    return `${CONFIG_FILE} changed since ${LOCK_FILENAME} was written`;
  }
  const missing = Object.keys(config.environments).filter((e) => !(e in lock.environments));
  if (missing.length) {
    return `${LOCK_FILENAME} has no environment ${
      missing.sort().map((m) => `'${m}'`).join(", ")
    } ` +
      `of ${CONFIG_FILE}`;
  }
  return null;
}

/** Thrown where a stale lock is found; the command decides (lock first, or fail with `--locked`). */
export class StaleLockError extends EnvknitError {
  /** Why the lock is stale (one line, no `error:`). */
  readonly reason: string;
  /** envknit.yaml. */
  readonly configPath: string;

  /** A stale lock of the project of `configPath`. */
  constructor(reason: string, configPath: string) {
    super(`${reason} (--locked)`, {
      hints: ["run 'envknit lock', or drop --locked to lock first"],
    });
    this.reason = reason;
    this.configPath = configPath;
  }
}

/** Whether the lock at `lockPath` exists. */
export function lockExists(lockPath: string): boolean {
  try {
    return Deno.statSync(lockPath).isFile;
  } catch {
    return false;
  }
}

/**
 * The staleness check of `install` and `status`: null when the lock follows its project (or has
 * none to follow), else a {@link StaleLockError}.
 */
export async function checkLock(
  lockPath: string,
  cacheDir: string | null,
): Promise<StaleLockError | null> {
  const config = configBesideLock(lockPath);
  if (config === null) return null;
  let lock: Lockfile | null = null;
  if (lockExists(lockPath)) {
    const { loadLock } = await import("../project/lock.ts");
    lock = (await loadLock(lockPath, cacheDir)).lock;
  }
  const reason = await staleReason(lock, config, cacheDir);
  return reason === null ? null : new StaleLockError(reason, config);
}
