/**
 * What a lock asks the store for: the packages of the chosen environments, and for each the wheel
 * that suits the target interpreter. Shared by install, fetch, status, verify and run.
 *
 * The interpreter is asked (probed) only when some package offers platform-specific wheels: a
 * lock of pure-Python `py3-none-any` wheels is planned without starting Python.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import type { Lockfile, LockPackage } from "../../project/lock.ts";
import { bestWheel, describeInterpreter, unavailableReason } from "../tags/compat.ts";
import { findPython } from "../tags/find_python.ts";
import { type Interpreter, probeInterpreter } from "../tags/interpreter.ts";
import { interpreterFromTarget } from "../tags/target.ts";
import { isUniversal, type TaggedWheel, taggedWheels } from "./select.ts";

/** Which part of a lock to work on. */
export interface Selection {
  /** Environment names; empty or undefined: every environment of the lock. */
  environments?: string[];
  /** Include packages only dev_packages need (default true). */
  dev?: boolean;
}

/** One locked version, with the environments that use it. */
export interface PlannedPackage {
  name: string;
  version: string;
  wheels: TaggedWheel[];
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

/** The distinct package versions of the selected environments, sorted by name and version. */
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

/** How the target interpreter is found. */
export interface TargetOptions {
  /** `--python` (a path, a command or a version); else ENVKNIT_PYTHON in `env`. */
  python?: string;
  env?: Record<string, string>;
  /** Probe cache folder (the store's cache). */
  cacheDir?: string;
}

/**
 * The interpreter a lock is installed for, asked once and only when needed: `--python` or
 * `ENVKNIT_PYTHON`; else the Python of the lock's target version on PATH; else, when none is
 * there, the lock's target itself (python version and platform), as for a machine not at hand.
 */
export class Target {
  readonly #lock: Lockfile;
  readonly #options: TargetOptions;
  #interpreter: Promise<Interpreter> | null = null;

  constructor(lock: Lockfile, options: TargetOptions) {
    this.#lock = lock;
    this.#options = options;
  }

  /** The interpreter (probing it on first use). */
  interpreter(): Promise<Interpreter> {
    return this.#interpreter ??= this.#find();
  }

  async #find(): Promise<Interpreter> {
    const env = this.#options.env ?? Deno.env.toObject();
    const explicit = this.#options.python ?? env.ENVKNIT_PYTHON;
    const probe = (python: string) =>
      probeInterpreter(python, { env, cacheDir: this.#options.cacheDir });
    if (explicit) {
      const { python } = await findPython({
        flag: explicit,
        env,
        cacheDir: this.#options.cacheDir,
      });
      return await probe(python);
    }
    const target = this.#lock.target;
    try {
      const { python } = await findPython({
        env,
        pythonVersion: /^\d+\.\d+$/.test(target.python) ? target.python : null,
        cacheDir: this.#options.cacheDir,
      });
      return await probe(python);
    } catch (error) {
      if (!target.python || !target.platform) throw error;
      return interpreterFromTarget({ pythonVersion: target.python, platform: target.platform });
    }
  }
}

/** A planned package and the wheel chosen for the target. */
export interface ChosenWheel {
  pkg: PlannedPackage;
  wheel: TaggedWheel;
}

/**
 * Chooses each package's best wheel for `target` (`bestWheel` of `store/tags`). Packages whose
 * wheels are all pure `py3-none-any` need no interpreter.
 *
 * @throws EnvknitError naming every package without a compatible wheel, and why.
 */
export async function chooseWheels(
  packages: readonly PlannedPackage[],
  target: Target,
): Promise<ChosenWheel[]> {
  const chosen: ChosenWheel[] = [];
  const unmatched: string[] = [];
  for (const pkg of packages) {
    let wheel: TaggedWheel | null = null;
    if (pkg.wheels.length > 0 && pkg.wheels.every((w) => isUniversal(w.tags))) {
      wheel = [...pkg.wheels].sort((a, b) =>
        b.build - a.build || (a.wheel.file < b.wheel.file ? -1 : 1)
      )[0];
    } else if (pkg.wheels.length > 0) {
      const interp = await target.interpreter();
      const best = bestWheel(pkg.wheels.map((w) => w.wheel.file), interp);
      if (best) wheel = pkg.wheels[best.index];
    }
    if (wheel) chosen.push({ pkg, wheel });
    else {
      const interp = await target.interpreter().catch(() => null);
      const files = pkg.wheels.map((w) => w.wheel.file);
      const why = interp ? unavailableReason(files, interp) : null;
      unmatched.push(`${pkg.name} ${pkg.version} (${why ?? "the lock lists no wheel"})`);
    }
  }
  if (unmatched.length) {
    const interp = await target.interpreter().catch(() => null);
    const what = interp ? describeInterpreter(interp) : "the target interpreter";
    throw new EnvknitError(
      `no wheel in the lock suits ${what}: ${unmatched.slice(0, 3).join("; ")}${
        unmatched.length > 3 ? `; and ${unmatched.length - 3} more` : ""
      }`,
      {
        hints: [
          "envknit installs wheels only; re-lock for this interpreter ('envknit lock'), " +
          "or choose another with --python",
        ],
      },
    );
  }
  return chosen;
}
