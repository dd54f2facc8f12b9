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
 * The first round resolves the first target, then each other target in order is first checked
 * against the solutions found so far ({@link verifySolution}): when one of them is a solution of
 * that target too (every version available there and admitting its Python, every requirement
 * that applies there satisfied, nothing else needed), it is exactly what the solver would return
 * for that target preferring those versions, and is taken without running the solver (the
 * dependencies written as the solver writes them). Only the targets that need other versions are
 * resolved: a lock for several targets then costs little more than for one. Later rounds are
 * sequential, each target seeing the latest solutions of the others, and skip a target whose
 * solution already agrees with what it would be asked to prefer, or which was already resolved
 * with exactly those preferences. The order of `targets` decides ties, so the result is
 * deterministic.
 *
 * @module
 */
import {
  compareVersions,
  evaluateMarker,
  type MarkerEnvironment,
  parseRequirement,
  type Requirement,
  specifierContains,
} from "./pep.ts";
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
  /** Targets of the first round whose solution is another target's, checked without the solver. */
  verified: number;
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
    verified: 0,
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
  // The first round: a target that another's solution also solves takes it (the solver would,
  // preferring it); the others are resolved.
  const first: Awaited<ReturnType<typeof run>>[] = [];
  const parsed = new Map<string, Requirement | null>();
  for (let t = 0; t < targets.length; t++) {
    let found: ResolvedPackage[] | null = null;
    for (const r of first) {
      // Its own preferences (the old lock's versions) must agree: locking again moves nothing.
      if (!r.ok || !agreesWith(base[t], r.packages)) continue;
      found = await verifySolution(request, targets[t], r.packages, parsed);
      if (found) break;
    }
    if (found) {
      stats.verified++;
      first.push({ ok: true, packages: found });
      continue;
    }
    const result = await run(t, base[t]);
    first.push(result);
    if (!result.ok) break; // the first target without a solution decides
  }
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

/** Whether a solution keeps every version `prefs` names that it has. */
function agreesWith(prefs: Prefs, solution: readonly ResolvedPackage[]): boolean {
  const versions = versionsOf(solution);
  return Object.entries(prefs).every(([name, v]) => {
    const have = versions.get(name);
    return have === undefined || sameVersion(have, v);
  });
}

/** A release `X.Y.Z` of a `python_full_version` (`3.13.0rc1` is `3.13.0`), as the solver checks. */
function releaseOf(version: string): string {
  return /^\d+(?:\.\d+)*/.exec(version)?.[0] ?? version;
}

/** `name[a,b]<2,>=1`: a requirement as the solver writes it in `dependencies`. */
function withoutMarker(r: Requirement): string {
  return `${r.name}${r.extras.length ? `[${r.extras.join(",")}]` : ""}${r.specifier}`;
}

/**
 * The solution `target` would get preferring the versions of `solution` (another target's),
 * when those versions solve it, computed without the solver: from the root requirements, every
 * requirement that applies on the target (its marker, with no extra or a requested one, as the
 * solver evaluates it) must name a package of `solution` whose version it admits, which the
 * target's provider lists as available, not yanked, a final release, whose Requires-Python (as
 * listed and in its metadata) admits the target's Python. Then every package reached is the
 * solver's choice, and the result is written as the solver writes it (packages by name, their
 * requested extras sorted, the requirements that apply without their markers, in metadata order,
 * those of each extra after). Null when anything differs or is in doubt (a package the other
 * target did not need, a URL requirement, an error): the solver then decides.
 */
export async function verifySolution(
  request: Pick<MultiTargetRequest, "requirements" | "requiresPython">,
  target: TargetInput,
  solution: readonly ResolvedPackage[],
  parsed: Map<string, Requirement | null> = new Map(),
): Promise<ResolvedPackage[] | null> {
  const env = target.environment;
  const python = releaseOf(env.python_full_version);
  const chosen = new Map(solution.map((p) => [p.name, p]));
  const markers = new Map<string, boolean>();
  const admits = (spec: string | null | undefined) => {
    if (!spec) return true;
    return specifierContains(spec, python, { prereleases: true });
  };
  const parse = (text: string): Requirement | null => {
    let r = parsed.get(text);
    if (r === undefined) {
      try {
        r = parseRequirement(text);
      } catch {
        r = null; // a URL requirement, or one the solver would refuse
      }
      parsed.set(text, r);
    }
    return r;
  };
  // As the solver: with no extra, a requirement applies when its marker holds; with extra x, when
  // it holds with x and not without.
  const holds = (marker: string, extra: string | null) => {
    const key = `${extra ?? ""}\0${marker}`;
    let value = markers.get(key);
    if (value === undefined) {
      value = evaluateMarker(marker, env, extra === null ? [] : [extra]);
      markers.set(key, value);
    }
    return value;
  };
  const applies = (r: Requirement, extra: string | null) =>
    extra === null
      ? r.marker === null || holds(r.marker, null)
      : r.marker !== null && holds(r.marker, extra) && !holds(r.marker, null);

  interface Reached {
    pkg: ResolvedPackage;
    extras: Set<string>;
    requires: Requirement[];
    requiresPython: string | null;
  }
  const reached = new Map<string, Reached>();
  const queue: [string, string | null][] = [];
  try {
    if (request.requiresPython && !admits(request.requiresPython)) return null;
    const need = async (r: Requirement): Promise<boolean> => {
      const pkg = chosen.get(r.name);
      if (!pkg) return false; // this target needs a package the other did not
      if (r.specifier && !specifierContains(r.specifier, pkg.version, { prereleases: true })) {
        return false;
      }
      let entry = reached.get(r.name);
      if (!entry) {
        if (/[a-z]/i.test(pkg.version.replace(/\.post\d+/g, ""))) return false; // pre-release
        const listed = (await target.provider.listVersions(r.name))?.find((c) =>
          sameVersion(c.version, pkg.version)
        );
        if (!listed || listed.unavailable !== null || listed.yanked) return false;
        if (!admits(listed.requiresPython)) return false;
        const meta = await target.provider.getMetadata(r.name, listed.version);
        if (!admits(meta.requiresPython)) return false;
        const requires: Requirement[] = [];
        for (const text of meta.requiresDist) {
          const q = parse(text);
          if (q === null) return false;
          requires.push(q);
        }
        entry = {
          pkg,
          extras: new Set(),
          requires,
          requiresPython: meta.requiresPython ?? listed.requiresPython,
        };
        reached.set(r.name, entry);
        queue.push([r.name, null]);
      }
      for (const x of r.extras) {
        if (!entry.extras.has(x)) {
          entry.extras.add(x);
          queue.push([r.name, x]);
        }
      }
      return true;
    };
    for (const text of request.requirements) {
      const r = parse(text);
      if (r === null) return null;
      if (applies(r, null) && !(await need(r))) return null;
    }
    while (queue.length) {
      const [name, extra] = queue.shift()!;
      for (const r of reached.get(name)!.requires) {
        if (applies(r, extra) && !(await need(r))) return null;
      }
    }
  } catch {
    return null; // the solver will meet the same error and say it
  }
  const out: ResolvedPackage[] = [];
  for (const [name, entry] of reached) {
    const extras = [...entry.extras].sort();
    const dependencies: string[] = [];
    for (const extra of [null, ...extras]) {
      for (const r of entry.requires) {
        if (!applies(r, extra)) continue;
        const text = withoutMarker(r);
        if (!dependencies.includes(text)) dependencies.push(text);
      }
    }
    out.push({
      name,
      version: entry.pkg.version,
      dependencies,
      requiresPython: entry.requiresPython,
      extras,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
