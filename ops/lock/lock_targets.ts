/**
 * Locking for several targets (`targets:` in envknit.yaml; project/LOCK_FORMAT.md, Targets):
 * each environment resolved for every target at once (`resolveTargets`: each target exactly,
 * sharing versions where one serves several) and merged into one list of entries, those that
 * apply to some targets only carrying a PEP 508 marker (`mergeTargets`).
 *
 * - {@link prepareTargets} turns envknit.yaml's targets into interpreters (no Python runs) and
 *   markers; a malformed one is an error at its line and column, with the accepted forms.
 * - {@link targetPreferences} gives each target the versions of the old lock that apply to it.
 * - {@link lockEnvironmentTargets} resolves and merges one environment; a target without a
 *   solution is an error naming the target, whose explanation names the package.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { type ProjectConfig, TARGET_FORMS } from "../../project/config.ts";
import type { Lockfile, LockPackage } from "../../project/lock.ts";
import {
  evaluateMarker,
  IndistinguishableTargets,
  mergeTargets,
  resolveTargets,
  targetMarkers,
} from "../../resolver/mod.ts";
import { redactUrl } from "../../store/http/url.ts";
import type { IndexClient } from "../../store/index/client.ts";
import type { Interpreter } from "../../store/tags/interpreter.ts";
import { interpreterFromTarget } from "../../store/tags/target.ts";
import type { IndexProvider } from "./index_provider.ts";
import type { LockOptions } from "./lock_project.ts";
import { lockEntry, reached, safeName } from "./resolve_environment.ts";

/** One target as envknit.yaml (or the command line) names it. */
export interface TargetSpec {
  /** `X.Y` (`3.13t` for a free-threaded build). */
  python: string;
  /** A wheel platform tag or a target name (`store/tags/target.ts`). */
  platform: string;
  /** `<path>:<line>:<col>` of its entry in envknit.yaml, for messages; null when not from one. */
  where?: string | null;
  /** Where its `python` is written, when from envknit.yaml. */
  pythonWhere?: string | null;
  /** Where its `platform` is written, when from envknit.yaml. */
  platformWhere?: string | null;
}

/** A target ready to resolve for. */
export interface PreparedTarget {
  /** The target as named. */
  spec: TargetSpec;
  /** The machine it describes (nothing is run). */
  interpreter: Interpreter;
  /** The marker that holds on this target's machines and no other listed target's. */
  marker: string;
}

export { TARGET_FORMS };

/** How a target reads in messages: `target 3 (Python 3.12 on win_amd64)`. */
export function targetLabel(targets: readonly PreparedTarget[] | readonly TargetSpec[], i: number) {
  const t = targets[i];
  const spec = "spec" in t ? t.spec : t;
  return `target ${i + 1} (Python ${spec.python} on ${spec.platform})`;
}

function at(spec: TargetSpec, i: number, field?: "python" | "platform"): string {
  const where =
    (field === "python" ? spec.pythonWhere : field === "platform" ? spec.platformWhere : null) ??
      spec.where;
  const name = `targets[${i}]${field ? `.${field}` : ""}`;
  return where ? `${where}: ${name}` : name;
}

/**
 * The interpreters and markers of `specs`.
 *
 * @throws EnvknitError for a malformed target (where it is, and the accepted forms), or two
 * targets no marker tells apart
 */
export function prepareTargets(specs: readonly TargetSpec[]): PreparedTarget[] {
  const interpreters = specs.map((spec, i) => {
    if (!/^\d+\.\d+t?$/.test(spec.python)) {
      throw new EnvknitError(
        `${at(spec, i, "python")}: ${JSON.stringify(spec.python)} is not a Python version X.Y`,
        { hints: [...TARGET_FORMS] },
      );
    }
    try {
      return interpreterFromTarget({ pythonVersion: spec.python, platform: spec.platform });
    } catch (error) {
      if (!(error instanceof EnvknitError)) throw error;
      throw new EnvknitError(`${at(spec, i, "platform")}: ${error.message}`, {
        hints: [...TARGET_FORMS],
      });
    }
  });
  let markers: string[];
  try {
    markers = targetMarkers(interpreters.map((i) => i.markers));
  } catch (error) {
    if (!(error instanceof IndistinguishableTargets)) throw error;
    const [a, b] = [specs[error.first], specs[error.second]];
    throw new EnvknitError(
      `${at(b, error.second)}: ${targetLabel(specs, error.second)} cannot be told apart from ` +
        `${targetLabel(specs, error.first)}${a.where ? ` (${a.where})` : ""} by any marker ` +
        "(same Python, operating system and machine)",
      {
        hints: [
          "a lock tells its targets apart by python_version, sys_platform and platform_machine: " +
          "keep one of them (the one with the oldest C library serves both)",
        ],
      },
    );
  }
  return specs.map((spec, i) => ({ spec, interpreter: interpreters[i], marker: markers[i] }));
}

/**
 * The versions of the old lock to keep on each target (its preferences): the entries of `env`
 * that apply there (no marker, or one that holds in the target's environment); none with
 * `upgrade`, and none for the packages `update` names.
 */
export function targetPreferences(
  previous: Lockfile | null,
  env: string,
  targets: readonly PreparedTarget[],
  updates: ReadonlySet<string>,
  upgrade: boolean,
): Record<string, string>[] {
  const entries = upgrade || !previous ? [] : previous.environments[env] ?? [];
  const holds = new Map<string, boolean[]>();
  return targets.map((_, i) => {
    const preferences: Record<string, string> = {};
    for (const p of entries) {
      if (updates.has(p.name)) continue;
      const marker = (p as MarkedPackage).marker;
      if (marker) {
        let values = holds.get(marker);
        if (!values) {
          values = targets.map((x) => {
            try {
              return evaluateMarker(marker, x.interpreter.markers);
            } catch {
              return false; // a broken marker in an old lock: no preference from it
            }
          });
          holds.set(marker, values);
        }
        if (!values[i]) continue;
      }
      preferences[p.name] = p.version;
    }
    return preferences;
  });
}

/** A lock entry that may carry a marker (schema 1.2). */
export type MarkedPackage = LockPackage & { marker?: string };

/** What {@link lockEnvironmentTargets} needs. */
export interface TargetsLockRequest {
  config: ProjectConfig;
  envName: string;
  targets: readonly PreparedTarget[];
  /** One provider per target (over one index client, so pages and metadata are fetched once). */
  providers: readonly IndexProvider[];
  index: IndexClient;
  /** Per target, from {@link targetPreferences}. */
  preferences: readonly Record<string, string>[];
  /**
   * The targets this environment is for (indices into `targets`; default all): an environment
   * whose `python_version` names some targets' Python. Its entries then carry markers that hold
   * on those targets only.
   */
  only?: readonly number[];
  prereleases: LockOptions["prereleases"];
  warn: (message: string) => void;
}

/**
 * Resolves one environment for every target and merges the solutions into lock entries
 * (sorted by name, then version).
 *
 * @throws EnvknitError naming the environment and the first target without a solution
 */
export async function lockEnvironmentTargets(r: TargetsLockRequest): Promise<MarkedPackage[]> {
  const env = r.config.environments[r.envName];
  const requirements = [...env.packages, ...env.devPackages];
  const only = r.only ?? r.targets.map((_, i) => i);
  const resolved = await resolveTargets({
    requirements,
    prereleases: r.prereleases ?? "if-necessary-or-explicit",
    targets: only.map((i) => ({
      environment: r.targets[i].interpreter.markers,
      provider: r.providers[i],
      preferences: r.preferences[i],
    })),
  });
  const result = resolved.ok
    ? {
      ok: true as const,
      solutions: r.targets.map((_, i) =>
        only.includes(i) ? resolved.solutions[only.indexOf(i)] : []
      ),
    }
    : { ok: false as const, target: only[resolved.target], explanation: resolved.explanation };
  if (!result.ok) {
    const provider = r.providers[result.target];
    const missing = [...provider.notFound].sort();
    const where = r.index.indexes.map(redactUrl).join(", ");
    const rootMissing = missing.filter((n) => requirements.some((q) => safeName(q) === n));
    if (rootMissing.length) {
      throw new EnvknitError(
        `environment '${r.envName}': ${rootMissing.map((n) => `'${n}'`).join(", ")} ${
          rootMissing.length > 1 ? "were" : "was"
        } not found on ${where}`,
        { hints: ["check the name in envknit.yaml, or add the index that has it (extra_urls)"] },
      );
    }
    const lines = result.explanation.split("\n").map((l) => l.trim()).filter((l) => l);
    const hints = missing.length ? [`not found on ${where}: ${missing.join(", ")}`] : [];
    hints.push(
      `the lock is for every target of envknit.yaml; ${targetLabel(r.targets, result.target)} is ${
        r.targets[result.target].spec.where ?? "one of them"
      }`,
    );
    throw new EnvknitError(
      `no solution for environment '${r.envName}' on ${targetLabel(r.targets, result.target)}: ${
        lines.join(" ") || "unsatisfiable"
      }`,
      { hints },
    );
  }
  const runtime = result.solutions.map((s) => reached(env.packages, s));
  const merged = mergeTargets(r.targets.map((t) => t.interpreter.markers), result.solutions);
  const out: MarkedPackage[] = [];
  for (const m of merged) {
    // Only dev where it is only dev on every target it applies to.
    const dev = m.targets.every((t) => !runtime[t].has(m.name));
    const entry: MarkedPackage = await lockEntry(
      r.envName,
      m,
      r.providers[m.targets[0]],
      dev,
      r.warn,
    );
    if (m.marker !== null) entry.marker = m.marker;
    out.push(entry);
  }
  return out;
}
