/**
 * What an export covers: the packages of one environment of a lock, with or without the ones
 * only dev_packages need, each with the wheels that make it installable.
 *
 * @module
 */
import { EnvknitError, UsageError } from "../../core/errors.ts";
import type { Lockfile, LockPackage } from "../lock.ts";

/** The packages of environment `env` (sorted by name); dev-only ones left out unless `dev`. */
export function exportedPackages(lock: Lockfile, env: string, dev: boolean): LockPackage[] {
  const packages = lock.environments[env];
  if (packages === undefined) {
    const names = Object.keys(lock.environments).sort();
    throw new UsageError(`the lock has no environment '${env}'`, {
      hints: [names.length ? `its environments: ${names.join(", ")}` : "it has none"],
    });
  }
  const chosen = packages.filter((p) => dev || !p.dev);
  // Both formats install from files with hashes: a package without any wheel cannot be written.
  const bare = chosen.filter((p) => p.wheels.length === 0).map((p) => `${p.name} ${p.version}`);
  if (bare.length) {
    throw new EnvknitError(`no wheel is locked for ${bare.join(", ")}; cannot export them`, {
      hints: ["run 'envknit lock' again; envknit locks only versions that have wheels"],
    });
  }
  return [...chosen].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
