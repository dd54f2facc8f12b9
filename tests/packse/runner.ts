/**
 * packse conformance: what envknit should answer for each scenario, and whether a backend does.
 *
 * A backend is any function resolving a scenario for its target ({@link ResolveScenario}): the
 * in-memory one here ({@link resolveInMemory}), or one that serves the scenario from a loopback
 * index and locks through the CLI. {@link runScenarios} judges a backend against the expectation
 * derived for envknit by {@link expectationFor}:
 *
 * - packse's expected answer, when it needs no source distribution;
 * - "unsatisfiable, and the explanation says the version has no usable wheel" when packse's answer
 *   needs an sdist (no wheel, no wheel for the target, `no_binary`): envknit installs wheels
 *   only. This is derived from the scenario: a package of packse's expected solution has no
 *   usable wheel for the target. When a scenario gives no expected packages, packse's solution is
 *   computed by resolving the scenario in memory with sdists allowed and Requires-Python read as
 *   uv reads it (packse's own semantics);
 * - "unsatisfiable, and the explanation names the Requires-Python" when packse's answer holds a
 *   version whose `Requires-Python` excludes the target Python: uv ignores upper bounds
 *   (`<=3.8` on Python 3.9), but envknit resolves for a concrete Python and counts the whole
 *   specifier, as pip does when it installs;
 * - for universal resolution that forks by marker (the `fork` category), a multi-target lock
 *   (`fork_targets.ts`): the scenario's markers and Python range become a list of targets, each
 *   resolved exactly and versions shared where one serves several, as `envknit lock` does with
 *   `targets:`. The verdict is decided target by target by an exhaustive search: satisfiable
 *   when every target has a solution. Every target's solution is checked, and the merged
 *   entries whose marker holds there must be that solution. Where the verdict differs from
 *   packse's (uv forks only where requirements of one package have disjoint markers), the report
 *   says so: `pass (per-target)`.
 *
 * A backend may decline a scenario it cannot express (`unsupported` in its outcome): the
 * report lists it with the reason, never as passed.
 *
 * @module
 */
import { compareVersions, normalizeName, resolve, specifierContains } from "../../resolver/mod.ts";
import type { PackseScenario } from "../support/packse.ts";
import {
  bruteForce,
  type ForkOutcome,
  forkProblems,
  forkTargets,
  isForkScenario,
  resolveForkInMemory,
  targetLabel,
} from "./fork_targets.ts";
import { fileUse, ScenarioProvider, scenarioRequest, scenarioTarget } from "./memory_provider.ts";

/**
 * The categories every scenario of which must pass, in memory (`packse_test.ts`) and through the
 * CLI (`tests/e2e/lock_packse_test.ts`, on a representative subset).
 */
export const REQUIRED_CATEGORIES: readonly string[] = [
  "backtracking",
  "does_not_exist",
  "excluded",
  "extras",
  "incompatible_versions",
  "local",
  "post",
  "prereleases",
  "requires_python",
  "yanked",
  "tag_and_markers",
  "wheels",
];

/** What a backend answered for a scenario. */
export interface ScenarioOutcome {
  satisfiable: boolean;
  /**
   * Normalized name -> version (empty when unsatisfiable). For a multi-target lock, its entries:
   * `name` for one that applies everywhere, `name ; marker` for the others.
   */
  packages: Record<string, string>;
  /** The explanation of an unsatisfiable result. */
  explanation?: string;
  /** A multi-target lock's targets, solutions and entries (fork scenarios). */
  fork?: ForkOutcome;
  /** Why the backend cannot run this scenario (then nothing else counts). */
  unsupported?: string;
}

/** A backend: resolves one scenario for its target, as envknit would (wheels only). */
export type ResolveScenario = (scenario: PackseScenario) => Promise<ScenarioOutcome>;

/** What envknit should answer for a scenario. */
export type Expectation =
  | { kind: "solution"; packages: Record<string, string> | null }
  | { kind: "unsatisfiable" }
  | { kind: "wheels-only"; because: string }
  | { kind: "requires-python"; because: string }
  | {
    kind: "targets";
    scenario: PackseScenario;
    /** Whether every target has a solution (exhaustive search). */
    satisfiable: boolean;
    /** Why it differs from packse's verdict, or null when it does not. */
    because: string | null;
  };

/** The verdict on one scenario. */
export interface ScenarioReport {
  scenario: PackseScenario;
  expectation: Expectation;
  /** `pass`, `pass (…)` for a verdict derived from packse's, `FAIL`, or `unsupported`. */
  status:
    | "pass"
    | "pass (wheels-only)"
    | "pass (requires-python)"
    | "pass (per-target)"
    | "FAIL"
    | "unsupported";
  /** Why it failed, or why it is unsupported. */
  detail: string;
  outcome: ScenarioOutcome | null;
  /** Milliseconds the backend took. */
  millis: number;
}

/** The scenario's name with its category, for report lines. */
export function label(s: PackseScenario): string {
  return s.category ? `${s.category}/${s.name}` : s.name;
}

/** The in-memory backend (`packse: true` gives packse's semantics instead of envknit's). */
export async function resolveInMemory(
  scenario: PackseScenario,
  options: { packse?: boolean } = {},
): Promise<ScenarioOutcome> {
  if (isForkScenario(scenario) && !options.packse) {
    const fork = await resolveForkInMemory(scenario);
    const packages: Record<string, string> = {};
    for (const e of fork.entries) {
      packages[e.marker === null ? e.name : `${e.name} ; ${e.marker}`] = e.version;
    }
    return { satisfiable: fork.satisfiable, packages, explanation: fork.explanation, fork };
  }
  const target = scenarioTarget(scenario);
  const packse = options.packse ?? false;
  const provider = new ScenarioProvider(scenario, target, {
    sdists: packse,
    lowerBoundsOnly: packse,
  });
  const result = await resolve(scenarioRequest(scenario, target), provider);
  if (!result.ok) return { satisfiable: false, packages: {}, explanation: result.explanation };
  return {
    satisfiable: true,
    packages: Object.fromEntries(result.packages.map((p) => [p.name, p.version])),
  };
}

/** Derives what envknit should answer for a scenario (see the module documentation). */
export async function expectationFor(scenario: PackseScenario): Promise<Expectation> {
  if (isForkScenario(scenario)) {
    const targets = forkTargets(scenario);
    const failing = targets.filter((t) => bruteForce(scenario, t) === null);
    const satisfiable = failing.length === 0;
    const because = satisfiable === scenario.expected.satisfiable
      ? null
      : satisfiable
      ? "packse expects no solution, as uv forks only where requirements of one package have " +
        "disjoint markers; resolved target by target, every target has one"
      : `packse expects a solution, but the target ${targetLabel(failing[0], scenario)} has none`;
    return { kind: "targets", scenario, satisfiable, because };
  }
  if (!scenario.expected.satisfiable) return { kind: "unsatisfiable" };
  const target = scenarioTarget(scenario);
  let solution = scenario.expected.packages;
  if (solution === null) {
    const packse = await resolveInMemory(scenario, { packse: true });
    if (packse.satisfiable) solution = packse.packages;
  }
  const byName = new Map(
    Object.entries(scenario.packages).map(([n, vs]) => [normalizeName(n), vs]),
  );
  const picked = Object.entries(solution ?? {}).flatMap(([name, version]) => {
    const versions = byName.get(normalizeName(name)) ?? {};
    const v = Object.values(versions).find((x) => sameVersion(x.version, version));
    return v ? [{ name, version, v }] : [];
  });
  const python = target.environment.python_full_version;
  for (const { name, version, v } of picked) {
    if (!specifierContains(v.requiresPython, python, { prereleases: true })) {
      return {
        kind: "requires-python",
        because: `${name}==${version} requires Python${v.requiresPython}, the target is ${python}`,
      };
    }
  }
  for (const { name, version, v } of picked) {
    const use = fileUse(scenario, target, name, v);
    if (use.noWheel !== null) {
      return { kind: "wheels-only", because: `${name}==${version}: ${use.noWheel}` };
    }
  }
  return { kind: "solution", packages: scenario.expected.packages };
}

function sameVersion(a: string, b: string): boolean {
  try {
    return compareVersions(a, b) === 0;
  } catch {
    return a === b;
  }
}

/** Judges one outcome against an expectation: `null` when it matches, else what differs. */
export function judge(expectation: Expectation, outcome: ScenarioOutcome): string | null {
  switch (expectation.kind) {
    case "targets": {
      if (!outcome.fork) return "the backend did not resolve the scenario's targets";
      if (outcome.satisfiable !== expectation.satisfiable) {
        return expectation.satisfiable
          ? `expected a solution on every target, got none:\n${outcome.explanation ?? ""}`
          : `expected no solution on some target, got ${show(outcome.packages)}`;
      }
      if (!outcome.satisfiable) {
        const problem = explanationProblem(outcome);
        if (problem) return problem;
        return outcome.explanation!.includes("for the target ")
          ? null
          : `the explanation does not name the target:\n${outcome.explanation}`;
      }
      const problems = forkProblems(expectation.scenario, outcome.fork);
      return problems.length ? problems.join("\n") : null;
    }
    case "unsatisfiable":
      return outcome.satisfiable
        ? `expected no solution, got ${show(outcome.packages)}`
        : explanationProblem(outcome);
    case "wheels-only": {
      if (outcome.satisfiable) {
        return `expected no solution (${expectation.because}), got ${show(outcome.packages)}`;
      }
      const problem = explanationProblem(outcome);
      if (problem) return problem;
      return outcome.explanation!.includes("no usable wheel")
        ? null
        : `the explanation does not say which version has no usable wheel:\n${outcome.explanation}`;
    }
    case "requires-python": {
      if (outcome.satisfiable) {
        return `expected no solution (${expectation.because}), got ${show(outcome.packages)}`;
      }
      const problem = explanationProblem(outcome);
      if (problem) return problem;
      return /requires Python\S/.test(outcome.explanation!)
        ? null
        : `the explanation does not name the Requires-Python:\n${outcome.explanation}`;
    }
    case "solution": {
      if (!outcome.satisfiable) {
        return `expected a solution, got none:\n${outcome.explanation ?? ""}`;
      }
      const expected = expectation.packages;
      if (expected === null) return null;
      const want = Object.fromEntries(
        Object.entries(expected).map(([n, v]) => [normalizeName(n), v]),
      );
      const got = outcome.packages;
      const names = new Set([...Object.keys(want), ...Object.keys(got)]);
      for (const name of names) {
        if (!(name in got) || !(name in want) || !sameVersion(got[name], want[name])) {
          return `expected ${show(want)}, got ${show(got)}`;
        }
      }
      return null;
    }
  }
}

function explanationProblem(outcome: ScenarioOutcome): string | null {
  const text = outcome.explanation ?? "";
  return text.trim() === "" ? "no explanation for the failure" : null;
}

function show(packages: Record<string, string>): string {
  const items = Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return items.length ? items.map(([n, v]) => `${n}==${v}`).join(", ") : "(nothing)";
}

/**
 * Runs `backend` on every scenario (one at a time, in order) and judges each result; `onReport`
 * sees each verdict as soon as it is known.
 */
export async function runScenarios(
  scenarios: PackseScenario[],
  backend: ResolveScenario = resolveInMemory,
  onReport?: (report: ScenarioReport) => void,
): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = [];
  for (const scenario of scenarios) {
    const expectation = await expectationFor(scenario);
    const started = performance.now();
    let outcome: ScenarioOutcome | null = null;
    let detail: string;
    try {
      outcome = await backend(scenario);
      detail = outcome.unsupported ?? judge(expectation, outcome) ?? "";
    } catch (error) {
      detail = `error: ${(error as Error).message}`;
    }
    const millis = performance.now() - started;
    const status = outcome?.unsupported !== undefined
      ? "unsupported"
      : detail !== ""
      ? "FAIL"
      : expectation.kind === "wheels-only"
      ? "pass (wheels-only)"
      : expectation.kind === "requires-python"
      ? "pass (requires-python)"
      : expectation.kind === "targets" && expectation.because !== null
      ? "pass (per-target)"
      : "pass";
    if (status === "pass (per-target)" && expectation.kind === "targets") {
      detail = expectation.because!;
    }
    const report = { scenario, expectation, status, detail, outcome, millis } as ScenarioReport;
    reports.push(report);
    onReport?.(report);
  }
  return reports;
}

/** One line per scenario. */
export function reportLine(r: ScenarioReport): string {
  const head = `${r.status.padEnd(22)} ${label(r.scenario)}`;
  return r.detail ? `${head}: ${r.detail.replaceAll("\n", "\n    ")}` : head;
}

/** Totals: `N passed, N failed` (unsupported scenarios are neither). */
export function totals(reports: ScenarioReport[]): {
  passed: number;
  failed: number;
  unsupported: number;
} {
  let passed = 0, failed = 0, unsupported = 0;
  for (const r of reports) {
    if (r.status === "FAIL") failed++;
    else if (r.status === "unsupported") unsupported++;
    else passed++;
  }
  return { passed, failed, unsupported };
}

/** The `--json` document: scenario name -> what the backend answered. */
export function jsonResults(
  reports: ScenarioReport[],
): Record<string, { satisfiable: boolean; packages: Record<string, string> }> {
  const out: Record<string, { satisfiable: boolean; packages: Record<string, string> }> = {};
  for (const r of reports) {
    out[r.scenario.name] = {
      satisfiable: r.outcome?.satisfiable ?? false,
      packages: r.outcome?.packages ?? {},
    };
  }
  return out;
}
