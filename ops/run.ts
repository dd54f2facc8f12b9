/**
 * What `envknit run` puts in a command's environment (DESIGN.md, "run"):
 *
 * - `PYTHONPATH`: the runtime folder, then the environment's entries (then whatever was there);
 * - `PATH`: the entries' `bin/` folders first;
 * - `ENVKNIT_LOCK`, `ENVKNIT_ENV`, `ENVKNIT_HOME` for the runtime;
 * - `ENVKNIT_PYTHON`: the interpreter chosen for the environment, which the `bin/` launchers exec.
 *
 * Entries are the ones `install` chooses (the same plan), and must be present: a missing one is
 * an error that says to run `envknit install`. Nothing is downloaded here.
 *
 * `run` is the hottest path, so its plan (the environment, the interpreter, which entry of each
 * package) is kept in `cache/runs/<key>.json`, keyed by the lock's text and the command's choices
 * (`--env`, `--no-dev`, `--python`, `ENVKNIT_PYTHON`). The next run hashes the lock, finds the
 * interpreter again (a few stats) and checks it is the remembered one (path, size, mtime), then
 * only reads the entries' markers (each must record the lock's full sha256, not only the folder's
 * 16 digits): it neither parses the lock nor loads the code that chooses wheels.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { sha256Hex } from "../core/sha256.ts";
import { writeFileAtomicSync } from "../core/atomic_write.ts";
import { StoreLayout } from "../store/layout.ts";
import { assertEntryHolds } from "../store/entry_marker.ts";
import { recordProject } from "../store/projects.ts";
import { ensureRuntime } from "../store/runtime.ts";
import { readLockText } from "../project/lock_file.ts";
import { findRunPython, InstallTarget, targetOf, targetPythonVersion } from "./interpreter.ts";
import { entryFacts } from "./islands_spec.ts";

/** Options of {@link prepareRun}. */
export interface RunOptions {
  /** The lock file. */
  lockPath: string;
  /** The environment (default: `default`, or the lock's only one). */
  environment?: string;
  /** Include dev packages (default true). */
  dev?: boolean;
  /** `--python`. */
  python?: string;
  /** The caller's environment variables (the child starts from them). */
  env?: Record<string, string>;
  /** The store (default: from `env`). */
  layout?: StoreLayout;
}

/** The environment of a command under `envknit run`. */
export interface RunEnvironment {
  /** The environment name used. */
  environment: string;
  /** Variables to set (or replace) for the child. */
  vars: Record<string, string>;
  /** The interpreter chosen (absolute path), or null when none could be found. */
  python: string | null;
  /** Entry folders, in `PYTHONPATH` order. */
  entries: string[];
  /** The runtime folder (`runtime/<version>`), first on `PYTHONPATH`. */
  runtimeDir: string;
}

const PLAN_FORMAT = 4;

/**
 * What `run` remembers for one lock text and one set of choices. An entry's content never
 * changes under its hash, so neither does its `bin/`: with a plan, a run costs one stat per entry
 * (`bin` is left out until the entry was seen installed).
 */
interface Plan {
  environment: string;
  /** The lock's `target.python` when it is a version such as `3.11`: guides the Python lookup. */
  pythonVersion: string | null;
  /** The interpreter the plan was made for, and its size and mtime. */
  python: string | null;
  identity: [number, number] | null;
  /** Each entry: its folder and the full sha256 of the wheel it must hold (its marker's). */
  steps: { label: string; dir: string; sha256: string; bin?: boolean }[];
  /**
   * The environment's islands (issue #16), or absent: how many, and per step (same order) the
   * islands that see it (null: all) and whether it is per island.
   */
  islands?: { count: number; steps: { islands: number[] | null; perIsland: boolean }[] };
}

function hasBin(dir: string): boolean {
  try {
    return Deno.statSync(`${dir}/bin`).isDirectory;
  } catch {
    return false; // no scripts
  }
}

function readPlan(file: string): Plan | null {
  try {
    const plan = JSON.parse(Deno.readTextFileSync(file));
    const valid = typeof plan?.environment === "string" && Array.isArray(plan.steps) &&
      plan.steps.every((p: Plan["steps"][number]) =>
        typeof p?.label === "string" && typeof p.dir === "string" &&
        typeof p.sha256 === "string" && typeof p.bin === "boolean"
      );
    return valid ? plan : null;
  } catch {
    return null;
  }
}

/** The size and mtime of the interpreter's file: a reinstalled Python gets a new plan. */
function identityOf(python: string | null): [number, number] | null {
  if (python === null) return null;
  try {
    const s = Deno.statSync(python);
    return [s.size, s.mtime?.getTime() ?? 0];
  } catch {
    return null;
  }
}

function writePlan(file: string, plan: Plan): void {
  try {
    writeFileAtomicSync(file, JSON.stringify(plan), { mkdir: true });
  } catch {
    // not remembered: the next run plans again
  }
}

/**
 * Writes (once per plan) the islands file `ENVKNIT_ISLANDS` names: the entries with their
 * islands and what their folders hold (`islands_spec.ts`). Returns its path.
 */
function writeIslandsFile(file: string, plan: Plan): string {
  try {
    Deno.statSync(file);
    return file;
  } catch {
    // not written yet
  }
  const spec = {
    count: plan.islands!.count,
    entries: plan.steps.map((step, i) => {
      const [name, version] = step.label.split(" ");
      const where = plan.islands!.steps[i];
      return {
        name,
        version,
        path: step.dir,
        islands: where?.islands ?? null,
        per_island: where?.perIsland ?? false,
        ...entryFacts(step.dir),
      };
    }),
  };
  writeFileAtomicSync(file, JSON.stringify(spec), { mkdir: true });
  return file;
}

/** Picks the environment `run` uses when none is named. */
export function defaultEnvironment(names: string[]): string {
  if (names.includes("default")) return "default";
  if (names.length === 1) return names[0];
  throw new EnvknitError(
    names.length === 0
      ? "the lock has no environments"
      : `the lock has several environments and none is called default: ${names.sort().join(", ")}`,
    { hints: names.length ? ["choose one with --env NAME"] : ["run 'envknit lock'"] },
  );
}

/** The interpreter the launchers and `python` will use (`ops/interpreter.ts`), or null. */
function interpreterFor(
  options: RunOptions,
  env: Record<string, string>,
  layout: StoreLayout,
  pythonVersion: string | null,
): Promise<string | null> {
  return findRunPython({ python: options.python, env, pythonVersion, cacheDir: layout.cacheDir });
}

function sameIdentity(a: [number, number] | null, b: [number, number] | null): boolean {
  return a === null || b === null ? a === b : a[0] === b[0] && a[1] === b[1];
}

/**
 * Makes the plan from the lock (parsed through the parse cache): the environment, the
 * interpreter, and the entries `install` chooses for it. `remember` keeps the parsed lock once
 * the run is under way.
 */
async function makePlan(
  options: RunOptions,
  env: Record<string, string>,
  layout: StoreLayout,
  text: string,
): Promise<{ plan: Plan; remember: () => Promise<void> }> {
  const { loadLock } = await import("../project/lock.ts");
  const { machineWheels } = await import("./selection.ts");
  const { lock, remember } = await loadLock(options.lockPath, layout.parsedCacheDir, text);
  const { checkInstallPaths } = await import("./install_path.ts");
  checkInstallPaths(lock, options.lockPath, layout);
  const environment = options.environment ?? defaultEnvironment(Object.keys(lock.environments));
  // Also says which environments there are when the one asked for is not in the lock.
  const selection = { environments: [environment], dev: options.dev };
  const target = new InstallTarget(lock.target, {
    python: options.python,
    env,
    cacheDir: layout.cacheDir,
    targets: lock.targets,
  });
  // A multi-target lock: the entries of this machine's target, and its Python's X.Y to find it.
  const chosen = await machineWheels(lock, selection, target);
  const pythonVersion = lock.targets?.length
    ? targetPythonVersion(targetOf(await target.interpreter()))
    : targetPythonVersion(lock.target);
  const python = await interpreterFor(options, env, layout, pythonVersion);
  const steps = chosen.map((c) => ({
    label: `${c.pkg.name} ${c.pkg.version}`,
    dir: layout.entryDir(c.pkg.name, c.pkg.version, c.wheel.wheel.sha256),
    sha256: c.wheel.wheel.sha256,
  }));
  const plan: Plan = { environment, pythonVersion, python, identity: identityOf(python), steps };
  const islands = lock.islands?.[environment];
  if (islands?.length) {
    const byKey = new Map(
      lock.environments[environment].map((p) => [`${p.name}==${p.version}`, p]),
    );
    plan.islands = {
      count: islands.length,
      steps: chosen.map((c) => {
        const p = byKey.get(`${c.pkg.name}==${c.pkg.version}`);
        return { islands: p?.island ? [...p.island] : null, perIsland: p?.perIsland === true };
      }),
    };
  }
  return { plan, remember };
}

/** Computes the variables of `envknit run` (see the module documentation). */
export async function prepareRun(options: RunOptions): Promise<RunEnvironment> {
  const env = options.env ?? Deno.env.toObject();
  const layout = options.layout ?? StoreLayout.fromEnv(env);
  const text = readLockText(options.lockPath);
  // One hash of the choices and the lock's text (the text last: it may hold any character).
  const choices = [
    PLAN_FORMAT,
    options.lockPath,
    options.environment ?? null,
    options.dev !== false,
    options.python ?? null,
    env.ENVKNIT_PYTHON ?? null,
  ];
  const key = (await sha256Hex(`${JSON.stringify(choices)}\n${text}`)).slice(0, 32);
  const planFile = `${layout.runPlansDir}/${key}.json`;
  let plan = readPlan(planFile);
  if (plan !== null) {
    const python = await interpreterFor(options, env, layout, plan.pythonVersion);
    if (python !== plan.python || !sameIdentity(identityOf(python), plan.identity)) plan = null;
  }
  // A plan made again (none yet, or one for another interpreter) replaces the file.
  const remembered = plan !== null;
  let remember = () => Promise.resolve();
  if (plan === null) {
    const made = await makePlan(options, env, layout, text);
    plan = made.plan;
    remember = made.remember;
  }
  const { environment, python } = plan;

  const entries: string[] = [];
  const bins: string[] = [];
  const missing: string[] = [];
  // Synchronous reads of each entry's marker: a hundred of them cost less than the promises
  // around async ones. The marker's full sha256 must be the lock's (the folder has 16 digits).
  for (const step of plan.steps) {
    try {
      Deno.statSync(step.dir);
    } catch {
      missing.push(step.label);
      continue;
    }
    assertEntryHolds(step.dir, step.sha256, step.label);
    entries.push(step.dir);
    step.bin ??= hasBin(step.dir);
    if (step.bin) bins.push(`${step.dir}/bin`);
  }
  if (missing.length) {
    throw new EnvknitError(
      `${missing.length} package${missing.length === 1 ? " is" : "s are"} not installed for ` +
        `environment ${environment}: ${missing.slice(0, 5).join(", ")}${
          missing.length > 5 ? ", …" : ""
        }`,
      { hints: [`run 'envknit install${options.environment ? ` --env ${environment}` : ""}'`] },
    );
  }
  const [runtimeDir] = await Promise.all([
    ensureRuntime(layout),
    recordProject(options.lockPath, { layout }),
  ]);
  await remember();
  if (!remembered) writePlan(planFile, plan);

  const join = (parts: string[], rest: string | undefined) =>
    [...parts, ...(rest ? [rest] : [])].join(":");
  // Islands: the routing boots from sitecustomize (its folder after the runtime), and what the
  // application's code sees (island 0, and what every island shares) comes first on the path.
  let islandsFile = "";
  let path = [runtimeDir, ...entries];
  if (plan.islands) {
    islandsFile = writeIslandsFile(`${layout.runPlansDir}/${key}.islands.json`, plan);
    const visible = (i: number) => {
      const where = plan!.islands!.steps[i]?.islands;
      return where === null || where === undefined || where.includes(0);
    };
    const ordered = [
      ...plan.steps.filter((_, i) => visible(i)),
      ...plan.steps.filter((_, i) => !visible(i)),
    ].map((s) => s.dir);
    path = [runtimeDir, `${runtimeDir}/envknit/isolation/islands_boot`, ...ordered];
  }
  const vars: Record<string, string> = {
    PYTHONPATH: join(path, env.PYTHONPATH),
    PATH: join(bins, env.PATH),
    ENVKNIT_LOCK: options.lockPath,
    ENVKNIT_ENV: environment,
    ENVKNIT_HOME: layout.root,
  };
  // Set, or emptied: a run inside another environment's run must not route that one's islands.
  if (islandsFile || env.ENVKNIT_ISLANDS) vars.ENVKNIT_ISLANDS = islandsFile;
  if (python) vars.ENVKNIT_PYTHON = python;
  return { environment, vars, python, entries, runtimeDir };
}
