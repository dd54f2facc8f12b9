/**
 * The lock operation's contract: what {@link LockOptions} a caller gives `lockProject`
 * (`lock_project.ts`), what {@link LockResult} it gets back, and the words both paths use for
 * them (the targets of a lock, the command-line settings that differ from envknit.yaml's).
 *
 * @module
 */
import type { ProjectConfig, ResolverSettings } from "../../project/config.ts";
import type { Lockfile } from "../../project/lock.ts";
import type { HttpClient } from "../../store/http/client.ts";
import type { HttpStats } from "../../store/http/stats.ts";
import type { IndexStats } from "../../store/index/stats.ts";
import type { TargetSpec } from "./lock_targets.ts";

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
  /**
   * Traffic and cache counters, the whole time, and milliseconds per phase (`config`,
   * `interpreter`, `resolve` — fetching included —, `write`; or `config`, `unchanged` when the
   * lock was found up to date without resolving).
   */
  stats: { http: HttpStats; index: IndexStats; seconds: number; phases: Record<string, number> };
}

/**
 * What the command line changed of envknit.yaml's resolver settings, said once per setting: the
 * re-locks of `add`, `remove`, `pin` and `upgrade` follow envknit.yaml, so a flag given to `lock`
 * alone would otherwise be dropped silently by the next of them.
 */
export function overrideNotes(options: LockOptions, settings: ResolverSettings): string[] {
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
export function chooseTargets(config: ProjectConfig, options: LockOptions): TargetSpec[] | null {
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
