/**
 * From a lock to what the store is asked for: the packages of the chosen environments, each
 * locked version once, with its wheels' tags read. Shared by install, fetch, status, verify, run
 * and doctor.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import type { Lockfile, LockPackage } from "../project/lock.ts";
import { type TaggedPackage, taggedWheels } from "../store/install/select.ts";

/** Which part of a lock to work on. */
export interface Selection {
  /** Environment names; empty or undefined: every environment of the lock. */
  environments?: string[];
  /** Include packages only dev_packages need (default true). */
  dev?: boolean;
}

/** One locked version, with the environments that use it. */
export interface PlannedPackage extends TaggedPackage {
  /** The selected environments that lock this version. */
  environments: string[];
}

/** The environments a selection names, checked against the lock. */
export function selectedEnvironments(lock: Lockfile, selection: Selection): string[] {
  const all = Object.keys(lock.environments).sort();
  const wanted = selection.environments?.length ? selection.environments : all;
  for (const env of wanted) {
    if (!(env in lock.environments)) {
      throw new EnvknitError(`the lock has no environment named ${JSON.stringify(env)}`, {
        hints: [
          all.length ? `environments in the lock: ${all.join(", ")}` : "the lock has none",
          "after changing envknit.yaml, run 'envknit lock'",
        ],
      });
    }
  }
  return wanted;
}

/**
 * The distinct package versions of the selected environments, sorted by name and version; a
 * version's wheels are those of every environment that locks it (by sha256), whose file names
 * parse and name the package.
 */
export function lockPackages(lock: Lockfile, selection: Selection = {}): PlannedPackage[] {
  const byKey = new Map<string, PlannedPackage>();
  for (const env of selectedEnvironments(lock, selection)) {
    for (const pkg of lock.environments[env]) {
      if (pkg.dev && selection.dev === false) continue;
      const key = `${pkg.name}==${pkg.version}`;
      const known = byKey.get(key);
      if (known) {
        if (!known.environments.includes(env)) known.environments.push(env);
        mergeWheels(known, pkg);
      } else {
        byKey.set(key, {
          name: pkg.name,
          version: pkg.version,
          wheels: taggedWheels(pkg),
          environments: [env],
        });
      }
    }
  }
  return [...byKey.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1
  );
}

function mergeWheels(planned: PlannedPackage, pkg: LockPackage): void {
  const seen = new Set(planned.wheels.map((w) => w.wheel.sha256));
  for (const w of taggedWheels(pkg)) if (!seen.has(w.wheel.sha256)) planned.wheels.push(w);
}
