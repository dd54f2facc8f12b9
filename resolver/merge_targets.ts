/**
 * One environment's solutions for several targets merged into the entries of one lock
 * (project/LOCK_FORMAT.md, Targets): one entry per (name, version), applying to the targets
 * whose solution holds it, with a marker that holds on those targets and no other (none when it
 * applies on all); its dependencies keep a marker where they apply to only some of the entry's
 * targets (a Requires-Dist behind `sys_platform == "win32"`, an extra requested on one target).
 *
 * Pure: the solutions in, the entries out (markers from `target_markers.ts`).
 *
 * @module
 */
import { compareVersions, type MarkerEnvironment } from "./pep.ts";
import type { ResolvedPackage } from "./solve.ts";
import { markerFor } from "./target_markers.ts";

/** One lock entry of a multi-target environment. */
export interface MergedPackage {
  name: string;
  version: string;
  /** The targets (indices, ascending) whose solution holds this version. */
  targets: number[];
  /** Where it applies (PEP 508); null when it applies on every target. */
  marker: string | null;
  /**
   * Its dependencies on any of its targets, each `requirement ; marker` when it applies on some of
   * them only (the marker tells them apart among the entry's targets), in the order of the
   * targets' lists (their Requires-Dist order).
   */
  dependencies: string[];
  /** Extras of this package requested on any of its targets, sorted. */
  extras: string[];
  requiresPython: string | null;
}

/**
 * Merges the solutions of one environment, `solutions[i]` being target `i`'s (whose marker
 * environment is `envs[i]`), into entries sorted by name, then version.
 *
 * @throws {IndistinguishableTargets} when two targets that need different entries have the same
 * marker environment
 */
export function mergeTargets(
  envs: readonly MarkerEnvironment[],
  solutions: readonly (readonly ResolvedPackage[])[],
): MergedPackage[] {
  if (envs.length !== solutions.length) {
    throw new RangeError(`mergeTargets: ${envs.length} targets, ${solutions.length} solutions`);
  }
  const groups = new Map<string, { packages: ResolvedPackage[]; targets: number[] }>();
  solutions.forEach((solution, t) => {
    for (const p of solution) {
      const k = `${p.name}\0${p.version}`;
      const g = groups.get(k) ?? { packages: [], targets: [] };
      if (g.targets.at(-1) === t) continue; // one version once per target
      g.packages.push(p);
      g.targets.push(t);
      groups.set(k, g);
    }
  });
  const out: MergedPackage[] = [];
  for (const { packages, targets } of groups.values()) {
    const where = new Map<string, number[]>();
    const order: string[] = [];
    packages.forEach((p, i) => {
      p.dependencies.forEach((d, k) => {
        const at = where.get(d) ?? [];
        if (at.at(-1) !== targets[i]) at.push(targets[i]);
        if (!where.has(d)) {
          // After the nearest one before it in this target's list (Requires-Dist order).
          let before = k - 1;
          while (before >= 0 && !where.has(p.dependencies[before])) before--;
          order.splice(before < 0 ? 0 : order.indexOf(p.dependencies[before]) + 1, 0, d);
        }
        where.set(d, at);
      });
    });
    const dependencies = order.map((d) => {
      const at = where.get(d)!;
      const m = markerFor(envs, at, targets);
      return m === null ? d : `${d} ; ${m}`;
    });
    out.push({
      name: packages[0].name,
      version: packages[0].version,
      targets,
      marker: markerFor(envs, targets),
      dependencies,
      extras: [...new Set(packages.flatMap((p) => p.extras))].sort(),
      requiresPython: packages[0].requiresPython,
    });
  }
  return out.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : compareVersions(a.version, b.version)
  );
}
