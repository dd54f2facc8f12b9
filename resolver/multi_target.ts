/**
 * One set of requirements resolved for several targets at once, sharing versions where one
 * version serves them (project/LOCK_FORMAT.md, Targets; issue #17).
 *
 * Each target is resolved exactly, by the same solver as a one-target lock, for its own marker
 * environment and with its own provider (which knows the target's wheel tags). What makes the
 * solutions one lock rather than several is the preferences: after every target has a solution,
 * each target is resolved again, in order, preferring the versions the other targets chose
 * (the lowest of them: the one some target may have had to settle for, so the likeliest to serve
 * them all), until no target moves — a fixed point. A target that cannot take a preferred
 * version (a wheel for another Python only, a Requires-Python cap, a dependency behind a
 * marker) keeps its own, and is not offered that version again. Its own previous preferences
 * (the old lock's versions for it) come first, so locking again moves nothing.
 *
 * Every solution is a real resolution of its target, whatever the preferences: sharing never
 * costs correctness, and a target that has no solution fails the whole with its explanation.
 *
 * The first round runs every target at once (their providers' I/O overlaps); later rounds are
 * sequential, each target seeing the latest solutions of the others, and skip a target whose
 * solution already agrees with what it would be asked to prefer, or which was already resolved
 * with exactly those preferences. The order of `targets` decides ties, so the result is
 * deterministic.
 *
 * @module
 */
import { compareVersions, type MarkerEnvironment } from "./pep.ts";
import {
  resolve,
  type ResolvedPackage,
  type ResolveRequest,
  type ResolverProvider,
  type ResolveStats,
} from "./solve.ts";

/** One target of a multi-target resolution. */
export interface TargetInput {
  /** The target's marker environment (`python_full_version` is its Requires-Python target). */
  environment: MarkerEnvironment;
  /** Project data for this target: `unavailable` says whether a version has a wheel for it. */
  provider: ResolverProvider;
  /** Versions to keep when possible on this target (from the old lock), name → version. */
  preferences?: Record<string, string>;
}

/** What to resolve, for which targets. */
export interface MultiTargetRequest {
  /** Root requirements (their markers are evaluated per target). */
  requirements: string[];
  targets: TargetInput[];
  prereleases?: ResolveRequest["prereleases"];
  requiresPython?: string | null;
  /** Most rounds after the first (default: 2 per target, at least 4). */
  maxRounds?: number;
}

/** The solutions, one per target, or the first target (in order) that has none. */
export type MultiTargetResult =
  | { ok: true; solutions: ResolvedPackage[][]; stats: MultiTargetStats }
  | { ok: false; target: number; explanation: string; stats: MultiTargetStats };

/** How much work the fixed point took. */
export interface MultiTargetStats {
  /** Resolutions run, the first round's included. */
  resolutions: number;
  /** Rounds after the first that resolved anything. */
  rounds: number;
  /** Whether the last round moved nothing (false: stopped at `maxRounds`). */
  converged: boolean;
  /** Solver counters summed over every resolution. */
  solver: ResolveStats;
}

type Prefs = Record<string, string>;

function sameVersion(a: string, b: string): boolean {
  return a === b || compareVersions(a, b) === 0;
}

function versionsOf(solution: readonly ResolvedPackage[]): Map<string, string> {
  return new Map(solution.map((p) => [p.name, p.version]));
}

function sameSolution(a: readonly ResolvedPackage[], b: readonly ResolvedPackage[]): boolean {
  if (a.length !== b.length) return false;
  const vb = versionsOf(b);
  return a.every((p) => vb.get(p.name) === p.version);
}

function prefsKey(prefs: Prefs): string {
  return JSON.stringify(Object.keys(prefs).sort().map((k) => [k, prefs[k]]));
}

/**
 * Resolves `request.requirements` for every target, sharing versions where one serves several
 * targets (see the module documentation).
 *
 * @throws what {@link resolve} throws (an invalid requirement, a provider failure)
 */
export async function resolveTargets(request: MultiTargetRequest): Promise<MultiTargetResult> {
  const { targets } = request;
  const stats: MultiTargetStats = {
    resolutions: 0,
    rounds: 0,
    converged: true,
    solver: { decisions: 0, conflicts: 0, propagations: 0, incompatibilities: 0, steps: 0 },
  };
  const run = async (t: number, preferences: Prefs) => {
    stats.resolutions++;
    const result = await resolve({
      requirements: request.requirements,
      environment: targets[t].environment,
      prereleases: request.prereleases,
      requiresPython: request.requiresPython,
      preferences,
    }, targets[t].provider);
    if (result.stats) {
      for (const k of Object.keys(stats.solver) as (keyof ResolveStats)[]) {
        stats.solver[k] += result.stats[k];
      }
    }
    return result;
  };

  const base = targets.map((t) => ({ ...(t.preferences ?? {}) }));
  const first = await Promise.all(targets.map((_, t) => run(t, base[t])));
  const failed = first.findIndex((r) => !r.ok);
  if (failed >= 0) {
    const r = first[failed] as { ok: false; explanation: string };
    return { ok: false, target: failed, explanation: r.explanation, stats };
  }
  const solutions = first.map((r) => (r as { ok: true; packages: ResolvedPackage[] }).packages);
  const lastPrefs = base.map(prefsKey);
  // Versions each target was asked to prefer and did not take: not offered to it again.
  const refused = targets.map(() => new Map<string, Set<string>>());
  const noteRefusals = (t: number, prefs: Prefs, solution: readonly ResolvedPackage[]) => {
    let any = false;
    for (const p of solution) {
      const wanted = prefs[p.name];
      if (wanted === undefined || sameVersion(wanted, p.version)) continue;
      const set = refused[t].get(p.name) ?? new Set<string>();
      if (!set.has(wanted)) any = true;
      set.add(wanted);
      refused[t].set(p.name, set);
    }
    return any;
  };
  targets.forEach((_, t) => noteRefusals(t, base[t], solutions[t]));

  /** What target `t` is asked to prefer: its own old versions, else the others' lowest. */
  const preferencesFor = (t: number): Prefs => {
    const offered = new Map<string, string[]>();
    solutions.forEach((solution, o) => {
      if (o === t) return;
      for (const p of solution) {
        if (refused[t].get(p.name)?.has(p.version)) continue;
        const list = offered.get(p.name) ?? [];
        if (!list.some((v) => sameVersion(v, p.version))) list.push(p.version);
        offered.set(p.name, list);
      }
    });
    const prefs: Prefs = {};
    for (const [name, versions] of offered) {
      prefs[name] = versions.reduce((low, v) => (compareVersions(v, low) < 0 ? v : low));
    }
    for (const [name, version] of Object.entries(base[t])) {
      if (!refused[t].get(name)?.has(version)) prefs[name] = version;
    }
    return prefs;
  };

  const maxRounds = request.maxRounds ?? Math.max(4, 2 * targets.length);
  stats.converged = targets.length <= 1;
  for (let round = 0; round < maxRounds && !stats.converged; round++) {
    let moved = false;
    let resolved = false;
    for (let t = 0; t < targets.length; t++) {
      const prefs = preferencesFor(t);
      const agrees = solutions[t].every((p) =>
        prefs[p.name] === undefined || sameVersion(prefs[p.name], p.version)
      );
      const k = prefsKey(prefs);
      if (agrees || k === lastPrefs[t]) continue;
      lastPrefs[t] = k;
      resolved = true;
      const result = await run(t, prefs);
      // Preferences never make a solvable target unsolvable; if the solver disagrees, the
      // target keeps the solution it had.
      if (!result.ok) continue;
      if (noteRefusals(t, prefs, result.packages)) moved = true;
      if (!sameSolution(result.packages, solutions[t])) {
        solutions[t] = result.packages;
        moved = true;
      }
    }
    if (resolved) stats.rounds++;
    if (!moved) stats.converged = true;
  }
  return { ok: true, solutions, stats };
}
