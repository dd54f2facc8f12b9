/**
 * From a lock to what the store is asked for: the packages of the chosen environments, each
 * locked version once, with its wheels' tags read. Shared by install, fetch, status, verify, run
 * and doctor: the one place that decides which entries of a lock a machine uses.
 *
 * A multi-target lock (schema 1.2, project/LOCK_FORMAT.md) holds entries with PEP 508 markers:
 * {@link machinePackages} keeps those whose marker holds for the machine at hand (its
 * interpreter's marker environment), {@link machineWheels} adds the wheel that fits it, and
 * {@link targetWheels} does the same for one of the lock's listed targets without running its
 * Python (what `fetch --dest` copies for another machine). A lock without markers is read as
 * before, without asking the interpreter.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import type { Lockfile, LockPackage, LockTargetEntry } from "../project/lock.ts";
import {
  chooseWheels,
  type ChosenWheel,
  type TaggedPackage,
  taggedWheels,
  type TargetInterpreter,
} from "../store/install/select.ts";
import type { Interpreter } from "../store/tags/interpreter.ts";

/** Which part of a lock to work on. */
export interface Selection {
  /** Environment names; empty or undefined: every environment of the lock. */
  environments?: string[];
  /** Include packages only dev_packages need (default true). */
  dev?: boolean;
}

/** A selection of the entries that apply somewhere (their marker holds there). */
interface Applying extends Selection {
  applies?: (pkg: LockPackage, env: string, index: number) => boolean;
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
export function lockPackages(lock: Lockfile, selection: Applying = {}): PlannedPackage[] {
  const byKey = new Map<string, PlannedPackage>();
  for (const env of selectedEnvironments(lock, selection)) {
    for (const [index, pkg] of lock.environments[env].entries()) {
      if (pkg.dev && selection.dev === false) continue;
      if (selection.applies && !selection.applies(pkg, env, index)) continue;
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

/** Whether a lock says where its entries apply: a multi-target lock, or entries with markers. */
export function hasMarkers(lock: Lockfile): boolean {
  return !!lock.targets?.length ||
    Object.values(lock.environments).some((entries) => entries.some((p) => p.marker));
}

/** How a target reads in messages: `Python 3.12 on win_amd64`. */
export function describeTarget(t: { python: string; platform: string }): string {
  return `Python ${t.python} on ${t.platform}`;
}

/**
 * A test of markers in one marker environment, each marker evaluated once; a marker that is not
 * PEP 508 is an error naming where it is.
 */
async function markerTest(
  interp: Interpreter,
): Promise<(marker: string, where: () => string) => boolean> {
  // The WebAssembly evaluator is loaded only for locks with markers.
  const { evaluateMarker } = await import("../resolver/mod.ts");
  const known = new Map<string, boolean>();
  return (marker, where) => {
    let value = known.get(marker);
    if (value === undefined) {
      try {
        value = evaluateMarker(marker, interp.markers);
      } catch (error) {
        throw new EnvknitError(
          `${where()}: ${JSON.stringify(marker)} is not a PEP 508 marker (${
            error instanceof Error ? error.message : error
          })`,
          { hints: ["re-lock with 'envknit lock'"] },
        );
      }
      known.set(marker, value);
    }
    return value;
  };
}

function entryWhere(lock: Lockfile, env: string, index: number): string {
  const pkg = lock.environments[env][index];
  return `the lock's environments.${env}[${index}] (${pkg.name}).marker`;
}

/**
 * The package versions of the selection that apply on the machine `target` describes (its
 * interpreter, asked for only when the lock has markers): the entries without a marker, and those
 * whose marker holds in its marker environment.
 *
 * @throws EnvknitError when the machine is none of a multi-target lock's targets (naming it and
 * them), or a marker of the lock is not PEP 508
 */
export async function machinePackages(
  lock: Lockfile,
  selection: Selection,
  target: TargetInterpreter,
): Promise<PlannedPackage[]> {
  if (!hasMarkers(lock)) return lockPackages(lock, selection);
  selectedEnvironments(lock, selection); // an unknown environment first, before any probe
  const interp = await target.interpreter();
  const holds = await markerTest(interp);
  const targets = lock.targets ?? [];
  if (targets.length && !targets.some((t, i) => holds(t.marker, () => `targets[${i}].marker`))) {
    const { describeInterpreter } = await import("../store/tags/compat.ts");
    throw new EnvknitError(
      `this machine (${describeInterpreter(interp)}) is none of the lock's targets: ${
        targets.map(describeTarget).join("; ")
      }`,
      {
        hints: [
          "add it to targets in envknit.yaml and run 'envknit lock', or choose the Python of a " +
          "listed target with --python",
        ],
      },
    );
  }
  return lockPackages(lock, {
    ...selection,
    applies: (pkg, env, index) =>
      !pkg.marker || holds(pkg.marker, () => entryWhere(lock, env, index)),
  });
}

/**
 * The entries the machine at hand uses ({@link machinePackages}), each with the wheel that fits
 * its interpreter (`chooseWheels`).
 *
 * @throws EnvknitError as {@link machinePackages}, or naming each package without a wheel for
 * the machine
 */
export async function machineWheels(
  lock: Lockfile,
  selection: Selection,
  target: TargetInterpreter,
): Promise<ChosenWheel<PlannedPackage>[]> {
  return await chooseWheels(await machinePackages(lock, selection, target), target);
}

/**
 * The targets of a lock: a multi-target lock's list, else its one `target` (when it names one).
 */
export function lockTargets(lock: Lockfile): LockTargetEntry[] {
  if (lock.targets?.length) return lock.targets;
  const { python, platform } = lock.target;
  return python && platform ? [{ python, platform, marker: "" }] : [];
}

/**
 * The entries that apply on the lock's target `index` (0-based, of {@link lockTargets}), each
 * with the wheel that fits it, chosen for the described target without running any Python.
 *
 * @throws EnvknitError for a target that cannot be described, or a package without a wheel for it
 */
export async function targetWheels(
  lock: Lockfile,
  selection: Selection,
  index: number,
): Promise<ChosenWheel<PlannedPackage>[]> {
  const t = lockTargets(lock)[index];
  const { interpreterFromTarget } = await import("../store/tags/target.ts");
  const interp = interpreterFromTarget({ pythonVersion: t.python, platform: t.platform });
  const target = { interpreter: () => Promise.resolve(interp) };
  const packages = hasMarkers(lock)
    ? lockPackages(lock, {
      ...selection,
      applies: await (async () => {
        const holds = await markerTest(interp);
        return (pkg: LockPackage, env: string, i: number) =>
          !pkg.marker || holds(pkg.marker, () => entryWhere(lock, env, i));
      })(),
    })
    : lockPackages(lock, selection);
  try {
    return await chooseWheels(packages, target);
  } catch (error) {
    if (!(error instanceof EnvknitError)) throw error;
    throw new EnvknitError(
      `target ${index + 1} (${describeTarget(t)}): ${error.message}`,
      { hints: ["every entry of a lock for a target needs a wheel for it: re-lock"] },
    );
  }
}
