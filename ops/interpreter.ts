/**
 * The one place that decides which Python a command works for (the "target interpreter"):
 *
 * - `lock` ({@link lockInterpreters}): a described machine (`--python-version` + `--platform`,
 *   without running anything), else per environment the Python found from `--python`,
 *   `ENVKNIT_PYTHON`, the environment's `python_version`, or `python3` on PATH, probed once each;
 * - `install`, `fetch`, `status`, `doctor` and a new `run` plan ({@link InstallTarget}): `--python`
 *   or `ENVKNIT_PYTHON`; else the Python of the lock's target version on PATH; else, when none is
 *   there, the lock's target itself (as for a machine not at hand), probed only when some wheel
 *   is not universal;
 * - `run` ({@link findRunPython}): the same lookup without probing, for the launchers and
 *   `python` in the command (a warm run must not start Python before the command does);
 * - `doctor` ({@link findEnvironmentPython}): what `lock` would use, and where it came from.
 *
 * How a Python is found on PATH and probed (`store/tags/find_python.ts`, `interpreter.ts`) and how
 * a described target becomes an interpreter (`target.ts`) stay in `store/tags/`; this module only
 * chooses. It loads the probe and the target code on first use, so `envknit run` with a
 * remembered plan loads neither.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import { findPython, type PythonSource } from "../store/tags/find_python.ts";
import type { Interpreter } from "../store/tags/interpreter.ts";

/** Where the probe cache lives and which environment variables apply. */
export interface InterpreterContext {
  /** Environment variables (`ENVKNIT_PYTHON`, `PATH`, `HOME`, …). */
  env: Record<string, string | undefined>;
  /** The store's cache folder (probes are cached there); null: no cache; undefined: the store's. */
  cacheDir?: string | null;
}

async function probe(python: string, context: InterpreterContext): Promise<Interpreter> {
  const { probeInterpreter } = await import("../store/tags/interpreter.ts");
  return await probeInterpreter(python, { cacheDir: context.cacheDir, env: context.env });
}

async function described(pythonVersion: string, platform: string): Promise<Interpreter> {
  const { interpreterFromTarget } = await import("../store/tags/target.ts");
  return interpreterFromTarget({ pythonVersion, platform });
}

/** What a lock's `target` says: its Python version (`3.11`, `3.13t`) and platform tag. */
export interface TargetDescription {
  python: string;
  platform: string;
}

/** The lock's `target` for an interpreter: `X.Y` (plus `t` when free-threaded) and its platform. */
export function targetOf(interp: Interpreter): TargetDescription {
  const [major, minor] = interp.pythonVersionInfo;
  return {
    python: `${major}.${minor}${interp.freeThreaded ? "t" : ""}`,
    platform: interp.platforms[0] ?? interp.platform,
  };
}

/**
 * The lock target's Python version when it is a plain `X.Y` (it guides the search on PATH), else
 * null (a free-threaded or missing version is not looked up by name).
 */
export function targetPythonVersion(target: { python: string }): string | null {
  return /^\d+\.\d+$/.test(target.python) ? target.python : null;
}

/** How `lock` chooses its target (the options of `lockProject` that say it). */
export interface LockTargetOptions {
  /** `--python`: a path, a command, or a version like `3.12`. */
  python?: string;
  /** Lock for another machine: its Python version (`3.12`), without running it. */
  pythonVersion?: string;
  /** Lock for another machine: its platform tag (`manylinux_2_28_x86_64`). */
  platform?: string;
}

/**
 * The interpreter of each environment being locked (`pythonVersions` maps an environment to its
 * `python_version` in envknit.yaml, or null): a described target (`pythonVersion` + `platform`)
 * for all, or the Python found from `--python`, `ENVKNIT_PYTHON`, the environment's
 * `python_version`, or `python3` on PATH (each distinct one probed once; probes are cached).
 */
export async function lockInterpreters(
  pythonVersions: ReadonlyMap<string, string | null>,
  options: LockTargetOptions,
  context: InterpreterContext,
): Promise<Map<string, Interpreter>> {
  const result = new Map<string, Interpreter>();
  if (options.pythonVersion || options.platform) {
    let pythonVersion = options.pythonVersion;
    let platform = options.platform;
    if (!pythonVersion || !platform) {
      // Only half of the target was described: the other half is this machine's Python.
      const local = await defaultLockInterpreter({ python: options.python }, context)
        .catch((error) => {
          throw new UsageError(
            `--python-version and --platform go together (${
              error instanceof Error ? error.message : error
            })`,
            {
              hints: [
                "lock for another machine with --python-version 3.12 --platform manylinux_2_28_x86_64",
              ],
            },
          );
        });
      pythonVersion ??= targetOf(local).python;
      platform ??= local.platforms[0];
    }
    const interp = await described(pythonVersion, platform);
    for (const env of pythonVersions.keys()) result.set(env, interp);
    return result;
  }
  const byPath = new Map<string, Promise<Interpreter>>();
  for (const [env, pythonVersion] of pythonVersions) {
    const { python } = await findPython({
      flag: options.python ?? null,
      env: context.env,
      pythonVersion,
      cacheDir: context.cacheDir,
    });
    let probed = byPath.get(python);
    if (!probed) {
      probed = probe(python, context);
      byPath.set(python, probed);
    }
    result.set(env, await probed);
  }
  return result;
}

/**
 * What {@link lockInterpreters} would choose, as a string that changes whenever its answer would,
 * computed without running any Python or building tags: the described machine, or each
 * environment's Python by its cached probe (a shim that now points elsewhere finds another
 * entry). Null when some Python was never probed (or changed since): only a probe can tell.
 */
export async function lockInterpretersIdentity(
  pythonVersions: ReadonlyMap<string, string | null>,
  options: LockTargetOptions,
  context: InterpreterContext,
): Promise<string | null> {
  if (options.pythonVersion || options.platform) {
    if (!options.pythonVersion || !options.platform) return null; // half is this machine's
    return JSON.stringify(["described", options.pythonVersion, options.platform]);
  }
  const { cachedProbeFacts } = await import("../store/tags/interpreter.ts");
  const identity: unknown[] = [];
  for (const [env, pythonVersion] of [...pythonVersions].sort()) {
    const { python } = await findPython({
      flag: options.python ?? null,
      env: context.env,
      pythonVersion,
      cacheDir: context.cacheDir,
    });
    const facts = await cachedProbeFacts(python, { cacheDir: context.cacheDir, env: context.env });
    if (facts === null) return null;
    identity.push([env, facts]);
  }
  return JSON.stringify(identity);
}

/**
 * The interpreter `lock` targets when no environment says otherwise: the described machine, or
 * the Python of `--python`, `ENVKNIT_PYTHON` or PATH.
 */
export async function defaultLockInterpreter(
  options: LockTargetOptions,
  context: InterpreterContext,
): Promise<Interpreter> {
  if (options.pythonVersion && options.platform) {
    return await described(options.pythonVersion, options.platform);
  }
  const { python } = await findPython({
    flag: options.python ?? null,
    env: context.env,
    cacheDir: context.cacheDir,
  });
  return await probe(python, context);
}

/**
 * The Python `lock` uses for an environment with `python_version` `pythonVersion` (null: none),
 * probed, and where it was found (`--python`, `ENVKNIT_PYTHON`, `python_version`, `PATH`).
 */
export async function findEnvironmentPython(
  options: { python?: string | null; pythonVersion: string | null },
  context: InterpreterContext,
): Promise<{ python: string; source: PythonSource; interpreter: Interpreter }> {
  const { python, source } = await findPython({
    flag: options.python ?? null,
    env: context.env,
    pythonVersion: options.pythonVersion,
    cacheDir: context.cacheDir,
  });
  return { python, source, interpreter: await probe(python, context) };
}

/** How {@link InstallTarget} and {@link findRunPython} find the interpreter. */
export interface InstallTargetOptions {
  /** `--python` (a path, a command or a version); else ENVKNIT_PYTHON in `env`. */
  python?: string;
  /** Environment variables (default: the process's). */
  env?: Record<string, string | undefined>;
  /** Probe cache folder (the store's cache). */
  cacheDir?: string;
  /**
   * A multi-target lock's targets (schema 1.2): without `--python` or `ENVKNIT_PYTHON`, the
   * machine's Python is the first of `python3` on PATH and the targets' `pythonX.Y` that is one
   * of them (its marker holds).
   */
  targets?: readonly (TargetDescription & { marker: string })[];
}

/**
 * The interpreter a lock is installed for, asked once and only when needed: `--python` or
 * `ENVKNIT_PYTHON`; else the Python of the lock's target version on PATH; else, when none is
 * there, the lock's target itself (python version and platform), as for a machine not at hand.
 * It is what `chooseWheels` (`store/install/select.ts`) asks when a wheel is not universal.
 */
export class InstallTarget {
  readonly #target: TargetDescription;
  readonly #options: InstallTargetOptions;
  #interpreter: Promise<Interpreter> | null = null;

  /** `target` is the lock's `target`; nothing is looked up before {@link interpreter}. */
  constructor(target: TargetDescription, options: InstallTargetOptions) {
    this.#target = target;
    this.#options = options;
  }

  /** The interpreter (probing it on first use). */
  interpreter(): Promise<Interpreter> {
    return this.#interpreter ??= this.#find();
  }

  async #find(): Promise<Interpreter> {
    const env = this.#options.env ?? Deno.env.toObject();
    const context = { env, cacheDir: this.#options.cacheDir };
    const explicit = this.#options.python ?? env.ENVKNIT_PYTHON;
    if (explicit) {
      const { python } = await findPython({
        flag: explicit,
        env,
        cacheDir: this.#options.cacheDir,
      });
      return await probe(python, context);
    }
    if (this.#options.targets?.length) return await this.#findTarget(this.#options.targets, env);
    const target = this.#target;
    try {
      const { python } = await findPython({
        env,
        pythonVersion: targetPythonVersion(target),
        cacheDir: this.#options.cacheDir,
      });
      return await probe(python, context);
    } catch (error) {
      if (!target.python || !target.platform) throw error;
      return await described(target.python, target.platform);
    }
  }

  /** The machine's Python among a multi-target lock's: see {@link InstallTargetOptions.targets}. */
  async #findTarget(
    targets: readonly (TargetDescription & { marker: string })[],
    env: Record<string, string | undefined>,
  ): Promise<Interpreter> {
    const { whichExecutable } = await import("../store/tags/find_python.ts");
    const { evaluateMarker } = await import("../resolver/mod.ts");
    const context = { env, cacheDir: this.#options.cacheDir };
    const commands = ["python3", "python"];
    for (const t of targets) {
      const version = targetPythonVersion(t);
      if (version) commands.push(`python${version}`);
    }
    const seen = new Set<string>();
    let first: Interpreter | null = null;
    for (const command of commands) {
      const python = whichExecutable(command, env);
      if (python === null || seen.has(python)) continue;
      seen.add(python);
      let interp: Interpreter;
      try {
        interp = await probe(python, context);
      } catch {
        continue; // e.g. a pyenv shim of a version that is not selected here
      }
      first ??= interp;
      const isTarget = (t: { marker: string }) => {
        try {
          return evaluateMarker(t.marker, interp.markers);
        } catch {
          return false; // a broken marker: the selection names it
        }
      };
      if (targets.some(isTarget)) return interp;
    }
    // None is a target: the first one found (the selection then says it is none of them).
    if (first) return first;
    const { python } = await findPython({ env, cacheDir: this.#options.cacheDir });
    return await probe(python, context);
  }
}

/**
 * The interpreter `envknit run` hands to the launchers and runs for `python`, found as
 * {@link InstallTarget} finds it but without probing it (`pythonVersion`: the lock target's, from
 * {@link targetPythonVersion}); null when there is none: the launchers then fall back to
 * `python3` on `PATH`.
 */
export async function findRunPython(
  options: InstallTargetOptions & { pythonVersion: string | null },
): Promise<string | null> {
  try {
    return (await findPython({
      flag: options.python ?? null,
      env: options.env,
      pythonVersion: options.pythonVersion,
      cacheDir: options.cacheDir,
    })).python;
  } catch {
    return null;
  }
}
