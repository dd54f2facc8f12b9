/**
 * The full lock, what `lockProject` (`lock_project.ts`) does unless the lock is known to be up to
 * date: every environment of envknit.yaml is resolved for the target interpreter against the
 * configured indexes, and the result is written to `envknit.lock.yaml` atomically.
 *
 * Versions already in the lock are kept when they still fit (they are the resolver's
 * preferences), so locking again changes nothing unless envknit.yaml or the index did; `update`
 * lets named packages move to their newest allowed version, `upgrade` ignores the old lock.
 *
 * This module composes the parts: envknit.yaml and the lock model (`project/`), the index client
 * (`store/index/`), the target interpreters (`../interpreter.ts`), and per environment the solver
 * over the index (`resolve_environment.ts`, `index_provider.ts`). What a plain lock read and wrote
is remembered (`lock_memo.ts`), so the next one can stop early.
 *
 * @module
 */
import { EnvknitError, UsageError } from "../../core/errors.ts";
import { ENVKNIT_VERSION } from "../../core/version.ts";
import {
  CONFIG_FILENAME,
  configHash,
  findConfig,
  type ProjectConfig,
  readConfig,
} from "../../project/config.ts";
import {
  loadLock,
  LOCK_FILENAME,
  LOCK_SCHEMA_TARGETS,
  LOCK_SCHEMA_VERSION,
  type Lockfile,
  type LockIsland,
  type LockPackage,
  sameExceptTimestamp,
  serializeLock,
  writeLock,
} from "../../project/lock.ts";
import { normalizeName, parseRequirement } from "../../resolver/mod.ts";
import { HttpClient } from "../../store/http/client.ts";
import { httpOptionsFromEnv } from "../../store/http/env.ts";
import { IndexCache } from "../../store/index/cache.ts";
import { DEFAULT_INDEX_URL, IndexClient } from "../../store/index/client.ts";
import { cacheDir, envknitHome } from "../../store/home.ts";
import { cacheWheel } from "../../store/install/sources.ts";
import { StoreLayout } from "../../store/layout.ts";
import type { Interpreter } from "../../store/tags/interpreter.ts";
import {
  chooseTargets,
  describeTargets,
  type LockOptions,
  type LockResult,
  overrideNotes,
} from "./lock_api.ts";
import { rememberLock } from "./lock_memo.ts";
import { defaultLockInterpreter, lockInterpreters, targetOf } from "../interpreter.ts";
import { IndexProvider } from "./index_provider.ts";
import {
  lockEnvironmentTargets,
  type PreparedTarget,
  prepareTargets,
  targetLabel,
  targetPreferences,
} from "./lock_targets.ts";
import {
  fitsRequirements,
  lockEnvironment,
  preferencesFrom,
  safeName,
} from "./resolve_environment.ts";

/** Resolves the project's environments and writes `envknit.lock.yaml` (see the module docs). */
export async function resolveProject(options: LockOptions = {}): Promise<LockResult> {
  const started = performance.now();
  const envVars = options.envVars ?? Deno.env.toObject();
  const cwd = options.cwd ?? Deno.cwd();
  const configPath = options.configPath ?? await findConfig(cwd);
  if (!configPath) {
    throw new EnvknitError(`no ${CONFIG_FILENAME} in ${cwd} or any parent folder`, {
      hints: ["create one with 'envknit init'"],
    });
  }
  const layout = new StoreLayout(envknitHome(envVars));
  const config = await readConfig(configPath, layout.parsedCacheDir);
  const phases: Record<string, number> = {};
  let phaseStart = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - phaseStart);
    phaseStart = now;
  };
  phase("config");
  const lockPath = `${config.dir}/${LOCK_FILENAME}`;
  const warn = options.onWarning ?? (() => {});

  const envNames = Object.keys(config.environments).sort();
  if (envNames.length === 0) {
    // An empty file, or `environments` misspelt or empty: a lock of nothing is never what was meant.
    throw new EnvknitError(`${config.path} defines no environment to lock`, {
      hints: [
        "list them under 'environments:', e.g. 'environments: {default: {packages: [requests]}}'",
        "or add a package: envknit add requests (creates the environment 'default')",
      ],
    });
  }
  if (options.env !== undefined && !config.environments[options.env]) {
    throw new UsageError(`no environment '${options.env}' in ${config.path}`, {
      hints: [`its environments: ${envNames.join(", ") || "(none)"}`],
    });
  }
  const targets = options.env !== undefined ? [options.env] : envNames;
  checkRequirements(config, targets);
  const previous = await readPrevious(lockPath, layout, options.env !== undefined, warn);
  const previousLock = previous?.lock ?? null;

  // Indexes: the command line overrides index.url; extra indexes add up, configured ones first.
  const indexUrls = [
    options.indexUrl ?? config.index.url ?? DEFAULT_INDEX_URL,
    ...config.index.extraUrls,
    ...(options.extraIndexUrls ?? []),
  ];
  const findLinks = [
    ...config.index.findLinks,
    ...(options.findLinks ?? []).map((f) =>
      f.startsWith("/") || f.includes("://") ? f : `${cwd.replace(/\/+$/, "")}/${f}`
    ),
  ];
  const cache = cacheDir(envVars);
  const http = options.http ?? new HttpClient(httpOptionsFromEnv(envVars, options.trustedHosts));
  const index = new IndexClient({
    http,
    indexUrls,
    findLinks,
    cache: new IndexCache(cache),
    cacheRoot: cache,
    offline: options.offline ?? false,
    refresh: options.refresh ?? false,
    saveWheel: (sha256, bytes) => cacheWheel(layout, sha256, bytes),
  });

  // Resolver settings: envknit.yaml's, each overridden by the command line for this run.
  const settings = config.resolver ?? {};
  const prereleases = options.prereleases ?? settings.prerelease;
  const anyWheel = options.anyWheel ?? settings.anyWheel ?? false;
  const noBinary = options.noBinary ?? settings.noBinary;
  for (const note of overrideNotes(options, settings)) warn(note);

  const multi = chooseTargets(config, options);
  const prepared = multi ? prepareTargets(multi) : null;
  const interpreters = prepared ? null : await lockInterpreters(
    new Map(targets.map((env) => [env, config.environments[env].pythonVersion ?? null])),
    options,
    { env: envVars, cacheDir: cache },
  );
  phase("interpreter");
  const providers = new Map<Interpreter, IndexProvider>();
  const providerFor = (interp: Interpreter, report: () => void) => {
    let provider = providers.get(interp);
    if (!provider) {
      provider = new IndexProvider({
        index,
        interpreter: interp,
        onProgress: () => report(),
        anyWheel,
        noBinary,
      });
      providers.set(interp, provider);
    }
    return provider;
  };
  const environments: Record<string, LockPackage[]> = {};
  const islands: Record<string, LockIsland[]> = {};
  if (previousLock && options.env !== undefined) {
    for (const [name, packages] of Object.entries(previousLock.environments)) {
      if (name !== options.env && config.environments[name]) {
        environments[name] = packages;
        if (previousLock.islands?.[name]) islands[name] = previousLock.islands[name];
      }
    }
  }
  const updates = new Set((options.update ?? []).map(normalizeName));
  for (const name of updates) {
    const known = targets.some((env) =>
      previousLock?.environments[env]?.some((p) => p.name === name) ||
      [...config.environments[env].packages, ...config.environments[env].devPackages]
        .some((r) => safeName(r) === name)
    );
    if (!known) warn(`--update ${name}: no environment being locked has this package`);
  }

  let current = "";
  for (const envName of targets) {
    if (prepared) {
      const report = () => {
        const all = [...providers.values()];
        options.onProgress?.({
          env: current,
          projects: all.reduce((n, p) => n + p.stats.projects, 0),
          metadata: all.reduce((n, p) => n + p.stats.metadata, 0),
          inFlight: http.stats.inFlight,
          requests: http.stats.requests,
        });
      };
      current = envName;
      report();
      if (config.environments[envName].allowMultiple !== undefined) {
        // Islands are resolved for one machine; a multi-target lock has no islands (yet).
        throw new EnvknitError(
          `environment '${envName}': allow_multiple (islands) cannot be combined with targets`,
          { hints: ["lock for this machine only (remove 'targets'), or remove 'allow_multiple'"] },
        );
      }
      environments[envName] = await lockEnvironmentTargets({
        config,
        envName,
        targets: prepared,
        providers: prepared.map((t) => providerFor(t.interpreter, report)),
        index,
        preferences: targetPreferences(
          previousLock,
          envName,
          prepared,
          updates,
          options.upgrade ?? false,
        ),
        prereleases,
        warn,
        only: environmentTargets(config, envName, prepared),
      });
      continue;
    }
    const interp = interpreters!.get(envName)!;
    const provider = providerFor(interp, () => report());
    const report = () =>
      options.onProgress?.({
        env: envName,
        projects: provider!.stats.projects,
        metadata: provider!.stats.metadata,
        inFlight: http.stats.inFlight,
        requests: http.stats.requests,
      });
    report();
    const locked = await lockEnvironment(
      config,
      envName,
      interp,
      provider,
      index,
      preferencesFrom(previousLock, envName, updates, options.upgrade ?? false),
      prereleases,
      warn,
      options.onNote,
    );
    environments[envName] = locked.packages;
    if (locked.islands) islands[envName] = locked.islands;
  }

  phase("resolve");
  const first = prepared
    ? prepared[0].interpreter
    : interpreters!.get(targets.includes("default") ? "default" : targets[0]);
  const targetInterp = first ??
    await defaultLockInterpreter(options, { env: envVars, cacheDir: cache });
  // config_hash vouches for every environment. When one environment is locked (`--env`, as
  // `envknit add` does) after envknit.yaml changed, the others kept from the old lock must still
  // fit their requirements; if one no longer does, the old hash stays, so `check` keeps failing
  // until the whole project is locked again.
  const hash = await configHash(config);
  const stale = previousLock !== null && options.env !== undefined &&
      previousLock.configHash !== hash
    ? Object.keys(environments).filter((e) =>
      !targets.includes(e) && !fitsRequirements(config.environments[e], environments[e])
    )
    : [];
  const keepOldHash = stale.length > 0;
  if (keepOldHash) {
    warn(
      `envknit.yaml changed since ${stale.join(", ")} ${
        stale.length > 1 ? "were" : "was"
      } locked, and the lock no longer fits it: lock it too with 'envknit lock'`,
    );
  }
  const lock: Lockfile = {
    schemaVersion: prepared ? LOCK_SCHEMA_TARGETS : LOCK_SCHEMA_VERSION,
    lockGeneratedAt: (options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    resolverVersion: `envknit/${ENVKNIT_VERSION}`,
    configHash: keepOldHash ? previousLock!.configHash : hash,
    // A lock with targets has no `target` (its model says so with empty strings).
    target: prepared ? { python: "", platform: "" } : targetOf(targetInterp),
    environments,
  };
  if (prepared) {
    lock.targets = prepared.map((t) => ({ ...targetOf(t.interpreter), marker: t.marker }));
  }
  if (Object.keys(islands).length) {
    // Islands are schema 1.2 (project/LOCK_FORMAT.md); a reader of 1.1 still sees valid entries.
    lock.islands = islands;
    if (lock.schemaVersion === "1.1") lock.schemaVersion = "1.2";
  }
  if (
    previousLock && options.env !== undefined &&
    Object.keys(environments).some((e) => !targets.includes(e)) &&
    describeTargets(previousLock) !== describeTargets(lock)
  ) {
    warn(
      `the other environments of ${LOCK_FILENAME} were locked for ` +
        `${describeTargets(previousLock)}; lock them again for ${describeTargets(lock)} with ` +
        "'envknit lock'",
    );
  }
  // The lock must not depend on the clock: an unchanged lock keeps its old timestamp.
  let written = false;
  let text: string;
  if (options.dryRun) {
    text = serializeLock(lock);
  } else {
    if (previous && sameExceptTimestamp(previous.text, serializeLock(lock))) {
      lock.lockGeneratedAt = previous.lock.lockGeneratedAt;
      text = previous.text;
    } else {
      written = await writeLock(lockPath, lock);
      text = written ? serializeLock(lock) : await Deno.readTextFile(lockPath);
      // Not written: another process wrote the same lock meanwhile; keep its timestamp.
      const stamp = /^lock_generated_at: (".*")$/m.exec(text)?.[1];
      if (!written && stamp) lock.lockGeneratedAt = JSON.parse(stamp);
    }
  }
  if (
    !options.dryRun && options.env === undefined && updates.size === 0 && !options.upgrade &&
    index.freshUntil > Date.now()
  ) {
    // A plain lock: until the index's answers go stale, it would come out the same again.
    await rememberLock(
      { config, options, envVars, layout },
      text,
      index.freshUntil,
    );
  }
  return {
    lock,
    text,
    lockPath,
    written,
    environments: targets,
    stats: {
      http: http.stats,
      index: index.stats,
      seconds: (phase("write"), (performance.now() - started) / 1000),
      phases,
    },
  };
}

/** The old lock: for preferences, and for the environments `--env` leaves alone. */
async function readPrevious(
  lockPath: string,
  layout: StoreLayout,
  needed: boolean,
  warn: (m: string) => void,
): Promise<{ lock: Lockfile; text: string } | null> {
  const exists = await Deno.stat(lockPath).then(() => true, () => false);
  if (!exists) return null;
  try {
    const loaded = await loadLock(lockPath, layout.parsedCacheDir);
    await loaded.remember();
    return { lock: loaded.lock, text: loaded.text };
  } catch (error) {
    if (needed) throw error; // --env would drop the other environments of a lock it cannot read
    warn(`ignoring the existing lock: ${error instanceof Error ? error.message : error}`);
    return null;
  }
}

/**
 * The targets an environment is locked for: all, or those whose Python is the environment's
 * `python_version` (`3.12`, or `3.12.4` for the 3.12 targets).
 */
function environmentTargets(
  config: ProjectConfig,
  envName: string,
  targets: readonly PreparedTarget[],
): number[] | undefined {
  const version = config.environments[envName].pythonVersion;
  if (!version) return undefined;
  const xy = version.split(".").slice(0, 2).join(".");
  const only = targets.flatMap((t, i) => (t.spec.python.replace(/t$/, "") === xy ? [i] : []));
  if (only.length === 0) {
    throw new EnvknitError(
      `environment '${envName}' has python_version ${version}, and no target of ` +
        `${config.path} is a Python ${xy}`,
      {
        hints: [
          `its targets: ${targets.map((_, i) => targetLabel(targets, i)).join(", ")}`,
          "add a target with that Python, or remove python_version (the targets say which " +
          "Pythons the lock serves)",
        ],
      },
    );
  }
  return only;
}

/**
 * Every requirement of the environments to lock is valid PEP 508, or one error naming it at its
 * line and column in envknit.yaml, before any index is asked.
 */
function checkRequirements(config: ProjectConfig, envNames: string[]): void {
  for (const name of envNames) {
    const env = config.environments[name];
    for (const requirement of [...env.packages, ...env.devPackages]) {
      try {
        parseRequirement(requirement);
      } catch (error) {
        const where = env.requirementsWhere?.[requirement] ??
          `${config.path}: environment '${name}'`;
        throw new EnvknitError(`${where}: ${error instanceof Error ? error.message : error}`, {
          hints: ['a requirement looks like "name", "name>=1.0", "name[extra]==1.2; marker"'],
        });
      }
    }
  }
}
