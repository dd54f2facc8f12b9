/**
 * Which locked packages are in the store, for `envknit status` (per environment) and
 * `envknit doctor` (all at once): each selected version's entry is the one `install` would make
 * for the target interpreter, and it is present when its folder holds the wheel with the lock's
 * full sha256 (its marker's, as `install` and `run` decide; the folder name has only 16 digits).
 *
 * @module
 */
import type { Lockfile } from "../project/lock.ts";
import type { TargetInterpreter } from "../store/install/select.ts";
import type { StoreLayout } from "../store/layout.ts";
import { machineWheels, type Selection } from "./selection.ts";
import { entrySha256 } from "../store/entry_marker.ts";

/** Installed and missing package versions, each as `name version`. */
export interface InstalledState {
  installed: string[];
  missing: string[];
}

/**
 * Sorts the selected package versions of `lock` into installed and missing ones.
 *
 * @throws EnvknitError when the selection names no environment of the lock, or a version has no
 * wheel for the target.
 */
export async function installedState(
  lock: Lockfile,
  selection: Selection,
  target: TargetInterpreter,
  layout: StoreLayout,
): Promise<InstalledState> {
  const chosen = await machineWheels(lock, selection, target);
  const state: InstalledState = { installed: [], missing: [] };
  for (const c of chosen) {
    const dir = layout.entryDir(c.pkg.name, c.pkg.version, c.wheel.wheel.sha256);
    const there = entrySha256(dir) === c.wheel.wheel.sha256;
    (there ? state.installed : state.missing).push(`${c.pkg.name} ${c.pkg.version}`);
  }
  return state;
}
