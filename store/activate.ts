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
 * `run` is the hottest path, so its plan (which entry of each package) is kept in
 * `cache/runs/<key>.json`, keyed by the lock's text, the environment, the dev switch and the
 * interpreter (path, size, mtime): the next run only stats the entries.
 *
 * @module
 */
import { EnvknitError } from "../project/errors.ts";
import { findPython } from "./tags/find_python.ts";
import { StoreLayout } from "./layout.ts";
import { recordProject } from "./projects.ts";
import { ensureRuntime } from "./runtime.ts";
import { loadLock } from "../project/lock.ts";
import { sha256Hex } from "../project/sha256.ts";

/** Options of {@link prepareRun}. */
export interface RunOptions {
  lockPath: string;
  /** The environment (default: `default`, or the lock's only one). */
  environment?: string;
  /** Include dev packages (default true). */
  dev?: boolean;
  /** `--python`. */
  python?: string;
  /** The caller's environment variables (the child starts from them). */
  env?: Record<string, string>;
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
  runtimeDir: string;
}

const PLAN_FORMAT = 2;

/**
 * Which entry folder each package of the environment uses, and whether it has a `bin/` folder
 * (`bin` is left out until the entry was seen installed). An entry's content never changes under
 * its hash, so neither does its `bin/`: a remembered plan costs one stat per entry.
 */
type Plan = { label: string; dir: string; bin?: boolean }[];

async function digest(parts: unknown[]): Promise<string> {
  return (await sha256Hex(JSON.stringify(parts))).slice(0, 32);
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
    const valid = Array.isArray(plan) &&
      plan.every((p) => typeof p?.dir === "string" && typeof p.bin === "boolean");
    return valid ? plan : null;
  } catch {
    return null;
  }
}

function writePlan(file: string, plan: Plan): void {
  const tmp = `${file}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(tmp, JSON.stringify(plan));
    Deno.renameSync(tmp, file);
  } catch {
    try {
      Deno.removeSync(tmp);
    } catch {
      // nothing written
    }
  }
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

/** Computes the variables of `envknit run` (see the module documentation). */
export async function prepareRun(options: RunOptions): Promise<RunEnvironment> {
  const env = options.env ?? Deno.env.toObject();
  const layout = options.layout ?? StoreLayout.fromEnv(env);
  const { lock, key, remember } = await loadLock(options.lockPath, layout.parsedCacheDir);
  const environment = options.environment ?? defaultEnvironment(Object.keys(lock.environments));
  // Choosing wheels (tags, interpreter probe) is loaded only when no plan is remembered.
  const planning = () => import("./install/plan.ts");
  if (!(environment in lock.environments)) {
    (await planning()).lockPackages(lock, { environments: [environment] }); // says which exist
  }

  // The interpreter the launchers and `python` will use (found without probing it).
  let python: string | null = null;
  try {
    python = (await findPython({
      flag: options.python ?? null,
      env,
      pythonVersion: /^\d+\.\d+$/.test(lock.target.python) ? lock.target.python : null,
      cacheDir: layout.cacheDir,
    })).python;
  } catch {
    python = null; // launchers fall back to python3 on PATH
  }
  let identity: unknown = null;
  if (python) {
    try {
      const s = Deno.statSync(python);
      identity = [s.size, s.mtime?.getTime() ?? 0];
    } catch {
      identity = null;
    }
  }
  const planFile = `${layout.runPlansDir}/${await digest([
    PLAN_FORMAT,
    key,
    environment,
    options.dev !== false,
    options.python ?? env.ENVKNIT_PYTHON ?? "",
    python,
    identity,
  ])}.json`;
  let plan = readPlan(planFile);
  const cached = plan !== null;
  if (plan === null) {
    const { chooseWheels, lockPackages, Target } = await planning();
    const packages = lockPackages(lock, { environments: [environment], dev: options.dev });
    const target = new Target(lock, { python: options.python, env, cacheDir: layout.cacheDir });
    plan = (await chooseWheels(packages, target)).map((c) => ({
      label: `${c.pkg.name} ${c.pkg.version}`,
      dir: layout.entryDir(c.pkg.name, c.pkg.version, c.wheel.wheel.sha256),
    }));
  }

  const entries: string[] = [];
  const bins: string[] = [];
  const missing: string[] = [];
  // Synchronous stats: a hundred of them cost less than the promises around async ones.
  for (const step of plan) {
    try {
      Deno.statSync(step.dir);
    } catch {
      missing.push(step.label);
      continue;
    }
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
  const runtimeDir = await ensureRuntime(layout);
  await recordProject(options.lockPath, { layout });
  await remember();
  if (!cached) writePlan(planFile, plan);

  const join = (parts: string[], rest: string | undefined) =>
    [...parts, ...(rest ? [rest] : [])].join(":");
  const vars: Record<string, string> = {
    PYTHONPATH: join([runtimeDir, ...entries], env.PYTHONPATH),
    PATH: join(bins, env.PATH),
    ENVKNIT_LOCK: options.lockPath,
    ENVKNIT_ENV: environment,
    ENVKNIT_HOME: layout.root,
  };
  if (python) vars.ENVKNIT_PYTHON = python;
  return { environment, vars, python, entries, runtimeDir };
}
