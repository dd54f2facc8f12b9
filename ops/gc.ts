/**
 * `collectGarbage` (`envknit store gc`): the store removes every entry and cached wheel that no
 * recorded project's lock lists (`store/gc.ts`); this module reads those locks.
 *
 * @module
 */
import { collectUnused, type GcResult, type StoreEntry } from "../store/gc.ts";
import type { StoreLayout } from "../store/layout.ts";
import type { StorePackage } from "../store/packages.ts";
import type { ProjectRecord } from "../store/projects.ts";
import type { StoreView } from "../store/view/scan.ts";

export type { GcResult, ProjectRecord, StoreEntry, StoreView };

/** Every package version of every environment of the lock at `path`, with all its wheels. */
async function lockedPackages(path: string): Promise<StorePackage[]> {
  // Straight from the file (not the cache of validated locks, which gc clears).
  const { readLock } = await import("../project/lock.ts");
  const lock = await readLock(path);
  return Object.values(lock.environments).flat();
}

/**
 * Removes every entry and cached wheel that no recorded project's lock lists (any environment,
 * any of a version's wheels), drops records of projects whose lock is gone, and cleans
 * leftovers. With `dryRun`, only reports.
 *
 * @throws EnvknitError when a recorded lock exists but cannot be read: its entries cannot be
 * told apart, so nothing is collected until it is fixed or its record removed.
 */
export async function collectGarbage(
  layout: StoreLayout,
  options: { dryRun?: boolean } = {},
): Promise<GcResult> {
  return await collectUnused(layout, { dryRun: options.dryRun, packagesOf: lockedPackages });
}
