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
import { compareVersions, type MarkerEnvironment, pepBatch, type Requirement } from "./pep.ts";
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
  const parsed: VerifyCache = { requirements: new Map(), contains: new Map() };
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

/** What {@link verifySolution} computed, kept for the next targets (the same strings recur). */
export interface VerifyCache {
  /** Requirement text → its parse (null: one the solver would refuse, or a URL). */
  requirements: Map<string, Requirement | null>;
  /** `specifier\0version` → whether the specifier admits the version (null: invalid). */
  contains: Map<string, boolean | null>;
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
 *
 * The checks cross into the wasm module a few times in all (batches), not once per requirement.
 */
export async function verifySolution(
  request: Pick<MultiTargetRequest, "requirements" | "requiresPython">,
  target: TargetInput,
  solution: readonly ResolvedPackage[],
  cache: VerifyCache = { requirements: new Map(), contains: new Map() },
): Promise<ResolvedPackage[] | null> {
  const env = target.environment;
  const python = releaseOf(env.python_full_version);
  const chosen = new Map(solution.map((p) => [p.name, p]));
  interface Facts {
    pkg: ResolvedPackage;
    /** Whether the target may have this version (listed, available, not yanked, final). */
    usable: boolean;
    requires: string[];
    requiresPython: string | null;
    listedPython: string | null;
  }
  // Everything the target's provider says of the other target's packages (any package this
  // target reaches must be one of them), fetched at once; a package it does not reach may be
  // unusable here.
  const facts = await Promise.all(solution.map(async (pkg): Promise<Facts> => {
    const none = { pkg, usable: false, requires: [], requiresPython: null, listedPython: null };
    try {
      if (/[a-z]/i.test(pkg.version.replace(/\.post\d+/g, ""))) return none; // a pre-release
      const listed = (await target.provider.listVersions(pkg.name))?.find((c) =>
        sameVersion(c.version, pkg.version)
      );
      if (!listed || listed.unavailable !== null || listed.yanked) return none;
      const meta = await target.provider.getMetadata(pkg.name, listed.version);
      return {
        pkg,
        usable: true,
        requires: meta.requiresDist,
        requiresPython: meta.requiresPython,
        listedPython: listed.requiresPython,
      };
    } catch {
      return none; // an error the solver will meet and say, if it needs this
    }
  }));
  const byName = new Map(facts.map((f) => [f.pkg.name, f]));

  // One batch: every requirement text not parsed before.
  const texts = new Set(request.requirements);
  for (const f of facts) for (const r of f.requires) texts.add(r);
  const unparsed = [...texts].filter((t) => !cache.requirements.has(t));
  pepBatch<Requirement>("requirement_parse", unparsed.map((requirement) => ({ requirement })))
    .forEach((answer, i) => cache.requirements.set(unparsed[i], answer.ok ?? null));
  const parse = (text: string) => cache.requirements.get(text) ?? null;

  // One batch: the specifiers against the versions they name, and every Requires-Python
  // against the target's Python.
  const pairs = new Set<string>();
  const specKey = (spec: string, version: string) => `${spec}\0${version}`;
  const pythonSpecs = [
    request.requiresPython,
    ...facts.flatMap((f) => [f.requiresPython, f.listedPython]),
  ].filter((x): x is string => !!x);
  for (const spec of pythonSpecs) pairs.add(specKey(spec, python));
  for (const text of texts) {
    const r = parse(text);
    const pkg = r && chosen.get(r.name);
    if (r?.specifier && pkg) pairs.add(specKey(r.specifier, pkg.version));
  }
  const unknown = [...pairs].filter((k) => !cache.contains.has(k));
  pepBatch<boolean>(
    "specifier_contains",
    unknown.map((k) => {
      const [specifier, version] = k.split("\0");
      return { specifier, version, prereleases: true };
    }),
  ).forEach((answer, i) => cache.contains.set(unknown[i], answer.ok ?? null));
  const contains = (spec: string, version: string) =>
    cache.contains.get(specKey(spec, version)) === true;
  if (request.requiresPython && !contains(request.requiresPython, python)) return null;

  // One batch: each marker with no extra and with each extra some requirement asks of its
  // package (the only ones the solver evaluates it with).
  const asked = new Map<string, Set<string>>(); // package → extras requested of it anywhere
  for (const text of texts) {
    const r = parse(text);
    if (r?.extras.length) {
      const set = asked.get(r.name) ?? new Set<string>();
      r.extras.forEach((x) => set.add(x));
      asked.set(r.name, set);
    }
  }
  const evaluations = new Map<string, boolean | null>();
  const markerKey = (marker: string, extra: string | null) => `${extra ?? ""}\0${marker}`;
  const want = (marker: string | null, extras: Iterable<string>) => {
    if (marker === null) return;
    for (const extra of [null, ...extras]) evaluations.set(markerKey(marker, extra), null);
  };
  for (const text of request.requirements) want(parse(text)?.marker ?? null, []);
  for (const f of facts) {
    for (const text of f.requires) want(parse(text)?.marker ?? null, asked.get(f.pkg.name) ?? []);
  }
  const keys = [...evaluations.keys()];
  pepBatch<boolean>(
    "marker_evaluate",
    keys.map((k) => {
      const [extra, marker] = [k.slice(0, k.indexOf("\0")), k.slice(k.indexOf("\0") + 1)];
      return { marker, environment: env, extras: extra ? [extra] : [] };
    }),
  ).forEach((answer, i) => evaluations.set(keys[i], answer.ok ?? null));
  let doubt = false;
  const holds = (marker: string, extra: string | null) => {
    const value = evaluations.get(markerKey(marker, extra));
    if (value === null || value === undefined) doubt = true; // an error: the solver decides
    return value === true;
  };
  // As the solver: with no extra, a requirement applies when its marker holds; with extra x, when
  // it holds with x and not without.
  const applies = (r: Requirement, extra: string | null) =>
    extra === null
      ? r.marker === null || holds(r.marker, null)
      : r.marker !== null && holds(r.marker, extra) && !holds(r.marker, null);

  // The closure, in plain JavaScript.
  const reached = new Map<string, { facts: Facts; extras: Set<string>; requires: Requirement[] }>();
  const queue: [string, string | null][] = [];
  const need = (r: Requirement): boolean => {
    const f = byName.get(r.name);
    if (!f?.usable) return false; // a package the other did not need, or one unusable here
    if (r.specifier && !contains(r.specifier, f.pkg.version)) return false;
    let entry = reached.get(r.name);
    if (!entry) {
      for (const spec of [f.listedPython, f.requiresPython]) {
        if (spec && !contains(spec, python)) return false;
      }
      const requires = f.requires.map(parse);
      if (requires.some((q) => q === null)) return false;
      entry = { facts: f, extras: new Set(), requires: requires as Requirement[] };
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
    if (applies(r, null) && !need(r)) return null;
  }
  while (queue.length) {
    const [name, extra] = queue.shift()!;
    for (const r of reached.get(name)!.requires) {
      if (applies(r, extra) && !need(r)) return null;
    }
  }
  if (doubt) return null;
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
      version: entry.facts.pkg.version,
      dependencies,
      requiresPython: entry.facts.requiresPython ?? entry.facts.listedPython,
      extras,
    });
  }
  if (doubt) return null;
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
