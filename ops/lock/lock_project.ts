/**
 * The lock operation (`envknit lock`, `lockProject` in mod.ts): every environment of envknit.yaml
 * is resolved for the target interpreter against the configured indexes, and the result is
 * written to `envknit.lock.yaml` atomically.
 *
 * Versions already in the lock are kept when they still fit (they are the resolver's
 * preferences), so locking again changes nothing unless envknit.yaml or the index did; `update`
 * lets named packages move to their newest allowed version, `upgrade` ignores the old lock.
 *
 * This module composes the parts: envknit.yaml and the lock model (`project/`), the index client
 * (`store/index/`), the target interpreters (`../interpreter.ts`), and per environment the solver
 * over the index (`resolve_environment.ts`, `index_provider.ts`).
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
  type ResolverSettings,
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
import { HttpClient, type HttpStats } from "../../store/http/client.ts";
import { httpOptionsFromEnv } from "../../store/http/env.ts";
import { IndexCache } from "../../store/index/cache.ts";
import { DEFAULT_INDEX_URL, IndexClient, type IndexStats } from "../../store/index/client.ts";
import { cacheDir, envknitHome } from "../../store/home.ts";
import { cacheWheel } from "../../store/install/sources.ts";
import { StoreLayout } from "../../store/layout.ts";
import type { Interpreter } from "../../store/tags/interpreter.ts";
import { defaultLockInterpreter, lockInterpreters, targetOf } from "../interpreter.ts";
import { IndexProvider } from "./index_provider.ts";
import {
  lockEnvironmentTargets,
  type PreparedTarget,
  prepareTargets,
  targetLabel,
  targetPreferences,
  type TargetSpec,
} from "./lock_targets.ts";
import {
  fitsRequirements,
  lockEnvironment,
  preferencesFrom,
  safeName,
} from "./resolve_environment.ts";

/** What to lock and how. Everything is optional; the defaults are those of `envknit lock`. */
export interface LockOptions {
  /** Where to look for envknit.yaml (upward); default the current directory. */
  cwd?: string;
  /** envknit.yaml itself, instead of searching. */
  configPath?: string;
  /** Lock only this environment; the others are kept from the existing lock. */
  env?: string;
  /** Resolve and return the lock without writing it. */
  dryRun?: boolean;
  /** Packages to move to their newest allowed versions; the rest of the old lock is preferred. */
  update?: string[];
  /** Ignore the old lock entirely (every package may move). */
  upgrade?: boolean;
  /** Overrides `index.url` (the CLI's `--index-url` / `ENVKNIT_INDEX_URL`). */
  indexUrl?: string;
  /** Indexes searched after the configured ones. */
  extraIndexUrls?: string[];
  /** More find-links folders (absolute, or relative to `cwd`). */
  findLinks?: string[];
  /** Use the cache alone. */
  offline?: boolean;
  /** Revalidate every cached index page, even those the index said are still fresh. */
  refresh?: boolean;
  /** The interpreter to lock for (`--python`): a path, a command, or a version like `3.12`. */
  python?: string;
  /** Lock for another machine: its Python version (`3.12`), without running it. */
  pythonVersion?: string;
  /** Lock for another machine: its platform tag (`manylinux_2_28_x86_64`). */
  platform?: string;
  /**
   * Lock for these machines (one lock, entries carrying markers), instead of envknit.yaml's
   * `targets:`. Without either, or with `pythonVersion` or `platform` given, the lock is for one
   * machine.
   */
  targets?: TargetSpec[];
  /** Hosts that may be reached over plain http. */
  trustedHosts?: string[];
  /**
   * Accept versions that have a wheel for any platform (see `IndexProviderOptions.anyWheel`);
   * default envknit.yaml's `any_wheel`, else false.
   */
  anyWheel?: boolean;
  /**
   * Projects whose wheels must not be used (`:all:`: every project); see the provider. Default
   * envknit.yaml's `no_binary`.
   */
  noBinary?: string[];
  /**
   * Pre-releases: only when a requirement names one or nothing else fits (the default, as pip and
   * uv do), always, or never. Default envknit.yaml's `prerelease`.
   */
  prereleases?: "if-necessary-or-explicit" | "allow" | "disallow";
  /** Process environment (`ENVKNIT_HOME`, `ENVKNIT_PYTHON`, `PATH`, `HOME`, …). */
  envVars?: Record<string, string>;
  /** The HTTP client to use (tests and benchmarks count its requests). */
  http?: HttpClient;
  /** Called as work progresses (for a progress line); cheap calls, often. */
  onProgress?: (progress: LockProgress) => void;
  /** Called with warnings (the CLI prints them). */
  onWarning?: (message: string) => void;
  /** Called with notes only worth showing on request (the CLI prints them with `-v`). */
  onNote?: (message: string) => void;
  /** The clock, for `lock_generated_at`. */
  now?: () => Date;
}

/** A snapshot for progress lines. */
export interface LockProgress {
  /** The environment being resolved. */
  env: string;
  /** Project pages loaded so far. */
  projects: number;
  /** Metadata documents loaded so far. */
  metadata: number;
  /** HTTP requests in flight. */
  inFlight: number;
  /** HTTP requests sent so far. */
  requests: number;
}

/** What {@link lockProject} did. */
export interface LockResult {
  /** The new lock (its `lockGeneratedAt` is the old one when nothing changed). */
  lock: Lockfile;
  /** Its text, as written (or as it would be, for a dry run). */
  text: string;
  /** Where the lock is. */
  lockPath: string;
  /** Whether the file on disk changed (always false for a dry run). */
  written: boolean;
  /** The environments that were resolved. */
  environments: string[];
  /** The target of the lock (the first one, for a lock with several). */
  interpreter: Interpreter;
  /** Every target of a lock made for several (absent: a lock for one machine). */
  targets?: PreparedTarget[];
  /**
   * Traffic and cache counters, the whole time, and milliseconds per phase (`config`,
   * `interpreter`, `resolve` — fetching included —, `write`).
   */
  stats: { http: HttpStats; index: IndexStats; seconds: number; phases: Record<string, number> };
}

/** Resolves the project's environments and writes `envknit.lock.yaml` (see the module docs). */
export async function lockProject(options: LockOptions = {}): Promise<LockResult> {
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
  return {
    lock,
    text,
    lockPath,
    written,
    environments: targets,
    interpreter: targetInterp,
    ...(prepared ? { targets: prepared } : {}),
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
 * What the command line changed of envknit.yaml's resolver settings, said once per setting: the
 * re-locks of `add`, `remove`, `pin` and `upgrade` follow envknit.yaml, so a flag given to `lock`
 * alone would otherwise be dropped silently by the next of them.
 */
function overrideNotes(options: LockOptions, settings: ResolverSettings): string[] {
  const notes: string[] = [];
  const note = (flag: string, key: string, now: string, was: string) =>
    notes.push(
      `${flag} is for this run only: 'envknit add' and 'envknit upgrade' lock with ` +
        `envknit.yaml's ${key} (${was}); to keep it, set '${key}: ${now}' in envknit.yaml`,
    );
  const pre = settings.prerelease ?? "if-necessary-or-explicit";
  if (options.prereleases !== undefined && options.prereleases !== pre) {
    note(`--prerelease ${options.prereleases}`, "prerelease", options.prereleases, pre);
  }
  if (options.anyWheel !== undefined && options.anyWheel !== (settings.anyWheel ?? false)) {
    note(
      options.anyWheel ? "--any-wheel" : "any_wheel false",
      "any_wheel",
      String(options.anyWheel),
      String(settings.anyWheel ?? false),
    );
  }
  const list = (l: string[] | undefined) => [...new Set(l ?? [])].sort().join(", ");
  if (options.noBinary !== undefined && list(options.noBinary) !== list(settings.noBinary)) {
    note(
      options.noBinary.map((n) => `--no-binary ${n}`).join(" ") || "--no-binary",
      "no_binary",
      `[${list(options.noBinary)}]`,
      `[${list(settings.noBinary)}]`,
    );
  }
  return notes;
}

/** What a lock was made for, in words: `Python 3.12 on win_amd64`, or its targets. */
export function describeTargets(lock: Pick<Lockfile, "target" | "targets">): string {
  const one = (t: { python: string; platform: string }) => `Python ${t.python} on ${t.platform}`;
  if (!lock.targets?.length) return one(lock.target);
  return `${lock.targets.length} targets (${lock.targets.map(one).join(", ")})`;
}

/**
 * The targets to lock for: `options.targets`, else envknit.yaml's `targets:`; none (a lock for
 * one machine) when the command line describes one (`--python-version`, `--platform`). The
 * interpreter of `--python` or `ENVKNIT_PYTHON` plays no part in a lock with targets: they are
 * described, nothing runs.
 */
function chooseTargets(config: ProjectConfig, options: LockOptions): TargetSpec[] | null {
  if (options.targets?.length) return options.targets;
  if (options.pythonVersion || options.platform) return null;
  if (!config.targets?.length) return null;
  return config.targets.map((t) => ({
    python: t.python,
    platform: t.platform,
    where: t.where,
    pythonWhere: t.pythonWhere,
    platformWhere: t.platformWhere,
  }));
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
