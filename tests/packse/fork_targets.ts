/**
 * packse's universal `fork` scenarios as multi-target resolutions.
 *
 * packse resolves a universal scenario once for every environment at once, forking where
 * markers differ. envknit locks for a list of concrete targets instead, resolving each exactly
 * and sharing versions where one serves several (`resolver/multi_target.ts`). A scenario becomes
 * such a list by its own markers and Python range ({@link forkTargets}): every value its markers
 * compare a variable with, plus one value none of them names (`sys_platform` `linux`, `darwin`,
 * and another), crossed; Python versions at and around every version its markers name, inside
 * the project's Requires-Python (packse's default: the scenario's Python and later).
 *
 * The verdict envknit owes is decided target by target by {@link bruteForce}, an exhaustive
 * search that shares no code with the solver: the scenario is satisfiable when every target has
 * a solution. Where that differs from packse's verdict, the difference comes from uv's forking
 * (it forks only on requirements of one package under disjoint markers, so two requirements on
 * `c` reached through different parents are one conflict for it), and the report says so.
 *
 * @module
 */
import {
  type MarkerEnvironment,
  normalizeName,
  parseRequirement,
  resolveTargets,
  specifierContains,
} from "../../resolver/mod.ts";
import { evaluateMarker } from "../../resolver/pep.ts";
import { type MergedPackage, mergeTargets } from "../../resolver/merge_targets.ts";
import { interpreterFromTarget } from "../../store/tags/mod.ts";
import { type PackseScenario, type PackseVersion, requiresDist } from "../support/packse.ts";
import {
  fileUse,
  ScenarioProvider,
  scenarioRequest,
  type ScenarioTarget,
  scenarioTarget,
} from "./memory_provider.ts";

/** A value no marker of a scenario names: the rest of a variable's values. */
export const OTHER = "envknit-other";

/** Whether a scenario is resolved as a multi-target lock (packse's universal forks). */
export function isForkScenario(scenario: PackseScenario): boolean {
  return scenario.resolverOptions.universal && scenario.category.split("/")[0] === "fork";
}

const VERSION_VARIABLES = new Set(["python_version", "python_full_version"]);
const ATOM =
  /([a-z_]+)\s*(===|==|!=|<=|>=|~=|<|>|not\s+in|in)\s*(['"])(.*?)\3|(['"])(.*?)\5\s*(===|==|!=|<=|>=|~=|<|>|not\s+in|in)\s*([a-z_]+)/g;

/** Every marker of a scenario: the root's and those of every version's requirements. */
function scenarioMarkers(s: PackseScenario): string[] {
  const reqs = [
    ...s.root.requires,
    ...Object.values(s.packages).flatMap((vs) => Object.values(vs).flatMap((v) => requiresDist(v))),
  ];
  return reqs.flatMap((r) => {
    const m = parseRequirement(r).marker;
    return m ? [m] : [];
  });
}

/** Variable → the values the markers compare it with. */
export function markerValues(s: PackseScenario): Map<string, Set<string>> {
  const values = new Map<string, Set<string>>();
  for (const marker of scenarioMarkers(s)) {
    for (const m of marker.matchAll(ATOM)) {
      const variable = m[1] ?? m[8];
      const value = m[4] ?? m[6];
      if (variable === "extra") continue;
      const set = values.get(variable) ?? new Set<string>();
      set.add(value);
      values.set(variable, set);
    }
  }
  return values;
}

function release(version: string): number[] {
  return (/^\d+(\.\d+)*/.exec(version)?.[0] ?? "0").split(".").map(Number);
}

/** The Python range the universal resolution covers: the root's, else the scenario's and later. */
function pythonRange(s: PackseScenario): string {
  const python = s.resolverOptions.python ?? s.environment.python;
  return s.root.requiresPython ?? `>=${release(python).slice(0, 2).join(".")}`;
}

/**
 * The Python versions to target: for the scenario's own minor version, and each at or beside one
 * the markers name, its first release inside the project's Requires-Python, if any.
 */
export function forkPythons(s: PackseScenario, values = markerValues(s)): string[] {
  const minors = new Set<string>();
  const add = (major: number, minor: number) => {
    if (minor >= 0) minors.add(`${major}.${minor}`);
  };
  const own = release(s.resolverOptions.python ?? s.environment.python);
  minors.add(`${own[0]}.${own[1] ?? 0}`);
  const named = [...VERSION_VARIABLES].flatMap((v) => [...(values.get(v) ?? [])]);
  for (const v of named) {
    const [major, minor = 0] = release(v);
    add(major, minor - 1);
    add(major, minor);
    add(major, minor + 1);
  }
  const range = pythonRange(s);
  const out: string[] = [];
  for (const minor of minors) {
    for (let patch = 0; patch <= 20; patch++) {
      if (specifierContains(range, `${minor}.${patch}`, { prereleases: true })) {
        out.push(`${minor}.${patch}`);
        break;
      }
    }
  }
  return out.sort((a, b) => {
    const [x, y] = [release(a), release(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

/** The targets of a fork scenario (see the module documentation), in a deterministic order. */
export function forkTargets(s: PackseScenario): ScenarioTarget[] {
  const values = markerValues(s);
  const base = scenarioTarget(s);
  const variables = [...values.keys()].filter((v) => !VERSION_VARIABLES.has(v)).sort();
  let envs: Record<string, string>[] = forkPythons(s, values).map((python) => ({
    python_full_version: python,
    python_version: release(python).slice(0, 2).join("."),
    implementation_version: python,
  }));
  for (const variable of variables) {
    const options = [...values.get(variable)!].sort().concat(OTHER);
    envs = envs.flatMap((e) => options.map((o) => ({ ...e, [variable]: o })));
  }
  return envs.map((overrides) => {
    const interpreter = interpreterFromTarget({
      pythonVersion: overrides.python_full_version,
      platform: base.platform,
    });
    const environment = { ...interpreter.markers, ...overrides } as MarkerEnvironment;
    return {
      python: overrides.python_full_version,
      platform: base.platform,
      interpreter: { ...interpreter, markers: environment },
      environment,
      checkTags: base.checkTags,
    };
  });
}

/** A short name for a target: the values that differ from the scenario's default. */
export function targetLabel(t: ScenarioTarget, s: PackseScenario): string {
  const values = markerValues(s);
  const parts = [`python ${t.python}`];
  for (const v of [...values.keys()].filter((v) => !VERSION_VARIABLES.has(v)).sort()) {
    parts.push(`${v} ${t.environment[v as keyof MarkerEnvironment]}`);
  }
  return parts.join(", ");
}

/** Versions of a package a target may use: a usable wheel, Requires-Python holding, not yanked. */
function usable(s: PackseScenario, t: ScenarioTarget, name: string): PackseVersion[] {
  const versions = Object.entries(s.packages).find(([n]) => normalizeName(n) === name)?.[1];
  if (!versions) return [];
  return Object.values(versions).filter((v) =>
    fileUse(s, t, name, v).noWheel === null &&
    specifierContains(v.requiresPython, t.python, { prereleases: true }) &&
    !v.yanked
  ).reverse();
}

/** The requirements that apply on a target: root ones, and those of chosen versions. */
function applicable(
  reqs: string[],
  env: MarkerEnvironment,
  extras: readonly string[],
): { name: string; specifier: string; extras: string[] }[] {
  return reqs.flatMap((text) => {
    const r = parseRequirement(text);
    const on = r.marker === null || evaluateMarker(r.marker, env) ||
      extras.some((x) => evaluateMarker(r.marker!, env, [x]));
    return on ? [{ name: r.name, specifier: r.specifier, extras: r.extras }] : [];
  });
}

/**
 * One solution of the scenario on target `t` found by exhaustive search (name → version), or
 * null when there is none. Independent of the solver: it tries every usable version of each
 * required package, newest first, and checks the whole set.
 */
export function bruteForce(s: PackseScenario, t: ScenarioTarget): Record<string, string> | null {
  const env = t.environment;
  if (
    s.root.requiresPython !== null &&
    !specifierContains(s.root.requiresPython, t.python, { prereleases: true })
  ) return null;
  const versionOf = (name: string, version: string) =>
    Object.entries(s.packages).find(([n]) => normalizeName(n) === name)![1][version];
  type Chosen = Map<string, { version: string; extras: Set<string> }>;
  let steps = 0;
  const search = (chosen: Chosen): Chosen | null => {
    if (++steps > 200_000) throw new Error(`${s.name}: the exhaustive search is too large`);
    const reqs = applicable(s.root.requires, env, []);
    for (const [name, c] of chosen) {
      reqs.push(...applicable(requiresDist(versionOf(name, c.version)), env, [...c.extras]));
    }
    for (const r of reqs) {
      const have = chosen.get(r.name);
      if (have) {
        if (!specifierContains(r.specifier, have.version, { prereleases: true })) return null;
        const missing = r.extras.filter((x) => !have.extras.has(x));
        if (missing.length > 0) {
          const next = new Map(chosen);
          next.set(r.name, {
            version: have.version,
            extras: new Set([...have.extras, ...missing]),
          });
          return search(next);
        }
        continue;
      }
      for (const v of usable(s, t, r.name)) {
        if (!specifierContains(r.specifier, v.version, { prereleases: true })) continue;
        const next = new Map(chosen);
        next.set(r.name, { version: v.version, extras: new Set(r.extras) });
        const found = search(next);
        if (found) return found;
      }
      return null;
    }
    return chosen;
  };
  const found = search(new Map());
  return found && Object.fromEntries([...found].map(([n, c]) => [n, c.version]));
}

/** What the multi-target backend answered for a fork scenario. */
export interface ForkOutcome {
  satisfiable: boolean;
  targets: ScenarioTarget[];
  /** Per target, its solution (name → version); empty when unsatisfiable. */
  solutions: Record<string, string>[];
  /** The merged lock entries (empty when unsatisfiable). */
  entries: MergedPackage[];
  /** The explanation of the first target with no solution, naming the target. */
  explanation?: string;
  /** Resolutions the fixed point ran. */
  resolutions: number;
}

/** Resolves a fork scenario for its targets, as `envknit lock` with `targets:` does. */
export async function resolveForkInMemory(s: PackseScenario): Promise<ForkOutcome> {
  const targets = forkTargets(s);
  const request = scenarioRequest(s, targets[0]);
  const result = await resolveTargets({
    requirements: request.requirements,
    requiresPython: request.requiresPython,
    prereleases: request.prereleases,
    targets: targets.map((t) => ({
      environment: t.environment,
      provider: new ScenarioProvider(s, t),
    })),
  });
  if (!result.ok) {
    return {
      satisfiable: false,
      targets,
      solutions: [],
      entries: [],
      explanation: `for the target ${targetLabel(targets[result.target], s)}: ` +
        result.explanation,
      resolutions: result.stats.resolutions,
    };
  }
  return {
    satisfiable: true,
    targets,
    solutions: result.solutions.map((sol) =>
      Object.fromEntries(sol.map((p) => [p.name, p.version]))
    ),
    entries: mergeTargets(targets.map((t) => t.environment), result.solutions),
    resolutions: result.stats.resolutions,
  };
}

/**
 * What is wrong with a multi-target outcome, target by target (none: every target's solution
 * satisfies every requirement that applies there with versions it may use, and the merged
 * entries whose marker holds there are exactly that solution).
 */
export function forkProblems(s: PackseScenario, outcome: ForkOutcome): string[] {
  const problems: string[] = [];
  outcome.targets.forEach((t, i) => {
    const where = `target ${targetLabel(t, s)}`;
    const solution = outcome.solutions[i];
    const env = t.environment;
    const extrasOf = new Map<string, Set<string>>();
    const versionOf = (name: string, version: string) =>
      Object.entries(s.packages).find(([n]) => normalizeName(n) === name)?.[1][version];
    // The extras requested of each package, to a fixed point.
    for (let changed = true; changed;) {
      changed = false;
      const reqs = applicable(s.root.requires, env, []);
      for (const [name, version] of Object.entries(solution)) {
        const v = versionOf(name, version);
        if (v) reqs.push(...applicable(requiresDist(v), env, [...(extrasOf.get(name) ?? [])]));
      }
      for (const r of reqs) {
        const set = extrasOf.get(r.name) ?? new Set<string>();
        for (const x of r.extras) if (!set.has(x)) (set.add(x), changed = true);
        extrasOf.set(r.name, set);
      }
    }
    const needed = new Set<string>();
    const check = (reqs: ReturnType<typeof applicable>, who: string) => {
      for (const r of reqs) {
        needed.add(r.name);
        const have = solution[r.name];
        if (have === undefined) problems.push(`${where}: ${who} requires ${r.name}, not there`);
        else if (!specifierContains(r.specifier, have, { prereleases: true })) {
          problems.push(`${where}: ${who} requires ${r.name}${r.specifier}, got ${have}`);
        }
      }
    };
    check(applicable(s.root.requires, env, []), "the root");
    for (const [name, version] of Object.entries(solution)) {
      const v = versionOf(name, version);
      if (!v || !usable(s, t, name).includes(v)) {
        problems.push(`${where}: ${name} ${version} cannot be used here`);
        continue;
      }
      check(applicable(requiresDist(v), env, [...(extrasOf.get(name) ?? [])]), name);
    }
    const strays = Object.keys(solution).filter((n) => !needed.has(n));
    if (strays.length) problems.push(`${where}: nothing requires ${strays.join(", ")}`);
    const chosen = Object.fromEntries(
      outcome.entries
        .filter((e) => e.marker === null || evaluateMarker(e.marker, env))
        .map((e) => [e.name, e.version]),
    );
    if (
      JSON.stringify(Object.entries(chosen).sort()) !==
        JSON.stringify(Object.entries(solution).sort())
    ) {
      problems.push(
        `${where}: the entries whose marker holds are ${JSON.stringify(chosen)}, the solution ` +
          JSON.stringify(solution),
      );
    }
  });
  return problems;
}
