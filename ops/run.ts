/**
 * What `envknit run` puts in a command's environment (DEVELOPERS.md, "Environment views"): the
 * environment's view, a virtual environment whose site-packages links into the store
 * (`store/view/`), built when missing:
 *
 * - `PATH`: the view's `bin/` first (its `python`, and launchers of the entries' scripts);
 * - `VIRTUAL_ENV`: the view; `ENVKNIT_PYTHON`: the view's `bin/python`, which the scripts exec;
 * - `ENVKNIT_LOCK`, `ENVKNIT_ENV`, `ENVKNIT_HOME` for the runtime;
 * - nothing on `PYTHONPATH`: the caller's own value passes through, as for any virtual
 *   environment (and `uv run`).
 *
 * Entries are the ones `install` chooses (the same plan), and must be present: a missing one is
 * an error that says to run `envknit install`. Nothing is downloaded here.
 *
 * `run` is the hottest path, so its plan (the environment, the interpreter, which entry of each
 * package, the view's key and what builds it) is kept in `cache/runs/<key>.json`, keyed by the
 * lock's text, envknit.yaml's text when the lock must follow it, and the command's choices
 * (`--env`, `--no-dev`, `--python`, `ENVKNIT_PYTHON`). The next run hashes the texts, finds the
 * interpreter again (a few stats) and checks it is the remembered one (path, size, mtime), then
 * only checks that the view exists: it neither parses the lock, nor loads the code that chooses
 * wheels, nor looks at the entries. Each entry's marker (which must record the lock's full sha256,
 * not only the folder's 16 digits) is read when the plan is made; entries never change in place
 * after, and `store gc` drops every plan when it removes any. A plan is only made for a lock that follows envknit.yaml (else
 * {@link StaleLockError}), so a remembered plan vouches for both texts.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { sha256Hex } from "../core/sha256.ts";
import { writeFileAtomicSync } from "../core/atomic_write.ts";
import { StoreLayout } from "../store/layout.ts";
import { assertEntryHolds } from "../store/entry_marker.ts";
import { recordProject } from "../store/projects.ts";
import { FileLock } from "../store/file_lock.ts";
import { type LeaseHandle, takeLease } from "../store/leases.ts";

export type { LeaseHandle };
import { ensureRuntime } from "../store/runtime.ts";
import { readLockText } from "../project/lock_file.ts";
import { ENVKNIT_VERSION } from "../core/version.ts";
import {
  buildView,
  touchView,
  viewExists,
  viewKey,
  type ViewSpec,
  viewUsed,
} from "../store/view/build.ts";
import { probeForView } from "../store/view/probe.ts";
import { findRunPython, InstallTarget, targetOf, targetPythonVersion } from "./interpreter.ts";
import { configBesideLock, lockExists, StaleLockError, staleReason } from "./stale_lock.ts";
import { islandSpec, seenByDefault } from "./islands_spec.ts";
import { isDirectory } from "../core/file_kind.ts";

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
  /**
   * Check that the lock follows envknit.yaml beside it (`--frozen` turns this off): a stale lock
   * (or none) is a {@link StaleLockError}. Default true.
   */
  checkConfig?: boolean;
  /**
   * Take a lease on the view for this process (`store gc` keeps what it uses while the process
   * lives; the caller adds its child and releases it). The entries are checked and the lease
   * written under the shared store lock, so no gc runs in between.
   */
  lease?: boolean;
}

/** The environment of a command under `envknit run`. */
export interface RunEnvironment {
  /** The environment name used. */
  environment: string;
  /** Variables to set (or replace) for the child. */
  vars: Record<string, string>;
  /** The interpreter chosen for the environment (as found: the view links its real binary). */
  python: string;
  /** The environment's view (`views/<key>/`). */
  view: string;
  /** The view's `bin/python`: what `python` under `run` and `env python` are. */
  viewPython: string;
  /** Entry folders, in the lock's order. */
  entries: string[];
  /** The runtime folder (`runtime/<version>`; the view links its `envknit`). */
  runtimeDir: string;
  /** The lease taken with `lease: true`, else null. */
  lease: LeaseHandle | null;
}

const PLAN_FORMAT = 7;

/**
 * What `run` remembers for one lock text and one set of choices. An entry's content never
 * changes under its hash, so neither does a view of it: with a plan, a run costs one stat per
 * entry and one for the view.
 */
interface Plan {
  environment: string;
  /** The lock's `target.python` when it is a version such as `3.11`: guides the Python lookup. */
  pythonVersion: string | null;
  /** The interpreter the plan was made for, and its size and mtime. */
  python: string | null;
  identity: [number, number] | null;
  /**
   * Each entry: its folder and the full sha256 of the wheel it must hold (its marker's, checked
   * when the plan is made).
   */
  steps: { label: string; dir: string; sha256: string }[];
  /** The view: its key and what builds it (set once the entries were seen installed). */
  view?: { key: string; path: string };
  /**
   * The environment's islands (issue #16), or absent: how many, and per step (same order) the
   * islands that see it (null: all) and whether it is per island.
   */
  islands?: { count: number; steps: { islands: number[] | null; perIsland: boolean }[] };
}

function readPlan(file: string): Plan | null {
  try {
    const plan = JSON.parse(Deno.readTextFileSync(file));
    const valid = typeof plan?.environment === "string" && Array.isArray(plan.steps) &&
      plan.steps.every((p: Plan["steps"][number]) =>
        typeof p?.label === "string" && typeof p.dir === "string" && typeof p.sha256 === "string"
      ) && typeof plan.view?.key === "string" && typeof plan.view.path === "string";
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
  configPath: string | null,
): Promise<{ plan: Plan; remember: () => Promise<void> }> {
  const { loadLock } = await import("../project/lock.ts");
  const { machineWheels } = await import("./selection.ts");
  const { lock, remember } = await loadLock(options.lockPath, layout.parsedCacheDir, text);
  const { checkInstallPaths } = await import("./install_path.ts");
  checkInstallPaths(lock, options.lockPath, layout);
  if (configPath !== null) {
    const reason = await staleReason(lock, configPath, layout.parsedCacheDir);
    if (reason !== null) throw new StaleLockError(reason, configPath);
  }
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

/** The real path of `path` (the view names real paths, as the runtime compares them). */
function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/** What builds the view of a plan whose entries are all installed (one probe of the python). */
async function viewOf(
  plan: Plan,
  options: RunOptions,
  env: Record<string, string>,
  layout: StoreLayout,
  runtimeDir: string,
): Promise<{ key: string; spec: ViewSpec }> {
  if (plan.python === null) {
    throw new EnvknitError(
      `no Python interpreter found for environment ${plan.environment}` +
        (plan.pythonVersion ? ` (the lock is for Python ${plan.pythonVersion})` : ""),
      { hints: ["name one with --python PATH or ENVKNIT_PYTHON"] },
    );
  }
  const home = realPath(layout.root);
  let steps = plan.steps.map((step, i) => {
    const [name, version] = step.label.split(" ");
    const where = plan.islands?.steps[i];
    return {
      name,
      version,
      path: realPath(step.dir),
      islands: where?.islands ?? null,
      perIsland: where?.perIsland ?? false,
    };
  });
  // Islands (issue #16): the entries island 0 sees first, so what site-packages links under a
  // plain name is what the application's code sees; view.json describes the islands.
  if (plan.islands) {
    steps = [...steps.filter(seenByDefault), ...steps.filter((s) => !seenByDefault(s))];
  }
  const spec: ViewSpec = {
    envknitHome: home,
    lock: realPath(options.lockPath),
    environment: plan.environment,
    dev: options.dev !== false,
    probe: await probeForView(plan.python, env),
    entries: steps.map(({ name, version, path }) => ({ name, version, path })),
    runtime: `${realPath(runtimeDir)}/envknit`,
    runtimeVersion: ENVKNIT_VERSION,
  };
  if (plan.islands) spec.extra = { islands: islandSpec(plan.islands.count, steps) };
  return { key: await viewKey(spec), spec };
}

/**
 * Computes the variables of `envknit run` (see the module documentation) and builds the view
 * when it is not in place.
 *
 * @throws StaleLockError when envknit.yaml changed since the lock (unless `checkConfig` is false);
 * EnvknitError when an entry is not installed or the view cannot be built.
 */
export async function prepareRun(options: RunOptions): Promise<RunEnvironment> {
  const env = options.env ?? Deno.env.toObject();
  const layout = options.layout ?? StoreLayout.fromEnv(env);
  const configPath = options.checkConfig === false ? null : configBesideLock(options.lockPath);
  if (configPath !== null && !lockExists(options.lockPath)) {
    throw new StaleLockError((await staleReason(null, configPath, null))!, configPath);
  }
  const text = readLockText(options.lockPath);
  let configText = "";
  if (configPath !== null) {
    try {
      configText = Deno.readTextFileSync(configPath);
    } catch (error) {
      throw new EnvknitError(`cannot read ${configPath}: ${(error as Error).message}`);
    }
  }
  // One hash of the choices and the texts (the texts last: they may hold any character).
  const choices = [
    PLAN_FORMAT,
    options.lockPath,
    options.environment ?? null,
    options.dev !== false,
    options.python ?? null,
    env.ENVKNIT_PYTHON ?? null,
    configPath,
    configText.length,
  ];
  const key = (await sha256Hex(`${JSON.stringify(choices)}\n${configText}\n${text}`)).slice(0, 32);
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
    const made = await makePlan(options, env, layout, text, configPath);
    plan = made.plan;
    remember = made.remember;
  }
  // Under the shared store lock when a view may be built or a lease written: `store gc` (which
  // holds it exclusively) never removes a view being built, nor what a run is about to use.
  let storeLock: FileLock | null = null;
  if (options.lease || !plan.view || !viewExists(plan.view.path)) {
    try {
      storeLock = await FileLock.acquire(layout.storeLock, { exclusive: false });
    } catch {
      storeLock = null; // a read-only store: nothing can collect it either
    }
  }
  try {
    return await finishRun(options, env, layout, plan, planFile, !remembered, remember);
  } finally {
    storeLock?.release();
  }
}

/** The rest of {@link prepareRun}, under the shared store lock when a lease is taken. */
async function finishRun(
  options: RunOptions,
  env: Record<string, string>,
  layout: StoreLayout,
  plan: Plan,
  planFile: string,
  fresh: boolean,
  remember: () => Promise<void>,
): Promise<RunEnvironment> {
  const { environment } = plan;
  const entries: string[] = [];
  const missing: string[] = [];
  // A new plan checks every entry: present, and its marker recording the lock's full sha256 (the
  // folder has only 16 digits). A remembered plan checks none (a stat each would cost 300
  // packages ~3.5 ms more than 10, #15.2): entries never change in place (one rename puts them
  // there, none replaces them) and `store gc`, which alone removes them, drops every plan. An
  // entry removed by hand is found by the next `envknit install`.
  let rewrite = fresh;
  for (const step of plan.steps) {
    if (fresh) {
      if (!isDirectory(step.dir)) {
        missing.push(step.label);
        continue;
      }
      assertEntryHolds(step.dir, step.sha256, step.label); // no marker: an error too
    }
    entries.push(step.dir);
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
  // The view in place costs one stat. Missing (never built, or removed by gc), it is made from
  // the plan again (one probe of the python), built, and started once to check it.
  const used = plan.view ? viewUsed(plan.view.path) : null;
  if (!plan.view || used === null) {
    const { key, spec } = await viewOf(plan, options, env, layout, runtimeDir);
    plan.view = { key, path: await buildView(layout, spec, { key, env }) };
    rewrite = true;
  }
  // For store gc: a view used lately is kept (a new view was found in place, or just built).
  touchView(plan.view.path, used ?? viewUsed(plan.view.path) ?? Date.now());
  const view = plan.view.path;
  await remember();
  if (rewrite) writePlan(planFile, plan);
  const lease = options.lease ? takeLease(layout, plan.view.key, options.lockPath) : null;

  const viewPython = `${view}/bin/python`;
  const vars: Record<string, string> = {
    PATH: env.PATH ? `${view}/bin:${env.PATH}` : `${view}/bin`,
    VIRTUAL_ENV: view,
    ENVKNIT_PYTHON: viewPython,
    ENVKNIT_LOCK: options.lockPath,
    ENVKNIT_ENV: environment,
    ENVKNIT_HOME: layout.root,
  };
  return { environment, vars, python: plan.python!, view, viewPython, entries, runtimeDir, lease };
}
