/**
 * Islands: one environment resolved into several groups of its top-level requirements when no
 * single resolution exists and `allow_multiple` lets the conflicting packages have several
 * versions (issue #16; project/LOCK_FORMAT.md, Islands).
 *
 * The search is a deterministic first-fit greedy over the top-level requirements, in order: each
 * one joins the first island whose requirements it resolves with, else starts a new island. Every
 * island is a real resolution of its own requirements. What makes the islands one environment is
 * that they agree on every package that may not be split: a resolution that chose another version
 * of one of them than another island did is resolved again with that version pinned (`name==v`,
 * as an extra root that is pruned from the result afterwards), and an island that cannot agree
 * does not take the requirement. The versions other islands chose are preferences, so islands
 * share every version they can.
 *
 * Then:
 *
 * - a package with two or more versions is **split**: each version is an entry seen only by the
 *   islands that chose it;
 * - a package with one version whose dependency closure holds a split package (directly or not)
 *   is routed: it belongs to the islands that have it (`islands`), and when its closure differs
 *   between them it is **per island**: one module instance per island, the same files;
 * - any other package is shared: one entry, one module object, every island sees it.
 *
 * Split and per-island packages must be pure Python (a compiled extension loads once per
 * process): a compiled package that would be split is taken out of the splittable names and the
 * search runs again; a compiled package that would be duplicated takes the split packages of its
 * closure out the same way. A top-level requirement that names a split package is moved to the
 * front and the search runs again, so the application's own imports (island 0) see the version
 * its own requirement chose. Each of these reruns grows a set, so the search ends.
 *
 * When it fails, the caller gets the plain resolution's explanation and what a split would need:
 * the search is run again with every package splittable, and the packages it splits (and those of
 * them with compiled code) are the hint.
 *
 * @module
 */
import { normalizeName } from "../../core/names.ts";
import { requirementName } from "../../resolver/split_requirement.ts";
import {
  resolve,
  type ResolvedPackage,
  type ResolveRequest,
  type ResolverProvider,
} from "../../resolver/mod.ts";

/** Which packages may have several versions: normalized names, or `"auto"` (any pure package). */
export type AllowMultiple = "auto" | readonly string[];

/** What to partition: a resolve request plus the `allow_multiple` setting. */
export interface PartitionRequest extends ResolveRequest {
  /** The environment's `allow_multiple`; null or absent: none (a conflict is an error). */
  allowMultiple?: AllowMultiple | null;
}

/** Whether a version's wheels are all pure Python (so it may be split or loaded per island). */
export type PurityCheck = (name: string, version: string) => boolean | Promise<boolean>;

/** One resolution of some requirements (a single target's {@link resolve}, in tests a stub). */
export type Solve = (
  requirements: string[],
  preferences: Record<string, string>,
) => Promise<{ ok: true; packages: ResolvedPackage[] } | { ok: false; explanation: string }>;

/** How {@link partition} reaches the index. */
export interface PartitionDeps {
  /** Where project data comes from (unless `solve` is given). */
  provider?: ResolverProvider;
  /** The resolution of a set of requirements; default {@link resolve} with `provider`. */
  solve?: Solve;
  /** Whether a version is pure Python; default: every version is. */
  isPure?: PurityCheck;
}

/** One island: the top-level requirements it serves and their resolution. */
export interface Island {
  /** Normalized names of its top-level requirements, in envknit.yaml order. */
  roots: string[];
  /** Those requirements as written. */
  requirements: string[];
  /** Its resolution, sorted by name (only what its requirements need). */
  packages: ResolvedPackage[];
}

/** A package of an environment with islands. */
export interface IslandPackage extends ResolvedPackage {
  /** The islands whose code sees this entry (sorted), or null when every island does. */
  islands: number[] | null;
  /** One module instance per island of `islands` (its closure differs between them). */
  perIsland: boolean;
}

/** Why no partition was found, and what splitting would need. */
export interface SplitHint {
  /** The packages a split would need to have several versions (sorted). */
  split: string[];
  /** Those of them (or packages that depend on them and would be duplicated) with compiled code. */
  compiled: string[];
  /** The versions each package of `split` would have, in island order. */
  versions: Record<string, string[]>;
}

/** The result of {@link partition}. */
export type PartitionResult =
  | {
    ok: true;
    /** null: one resolution served every requirement (no islands). */
    islands: null;
    packages: ResolvedPackage[];
    /** Names of `allow_multiple` the environment does not need (for a `-v` warning). */
    unused: string[];
  }
  | {
    ok: true;
    islands: Island[];
    /** Every entry, sorted by name then island. */
    packages: IslandPackage[];
    /** The packages with several versions (sorted). */
    split: string[];
    /** The packages with one instance per island (sorted). */
    perIsland: string[];
    unused: string[];
  }
  | {
    ok: false;
    /** The plain resolution's explanation (or, when it is the cause, the one requirement's). */
    explanation: string;
    /** What a split would need; null when splitting would not help. */
    hint: SplitHint | null;
    /**
     * Compiled packages `allow_multiple` allowed but that could not be split (or duplicated per
     * island), sorted: the search had to keep one version of each, and failed.
     */
    compiled: string[];
  };

interface Root {
  index: number;
  requirement: string;
  name: string | null;
}

interface Placed {
  roots: Root[];
  packages: Map<string, ResolvedPackage>;
}

type SearchResult =
  | { ok: true; islands: Placed[] }
  | { ok: false; explanation: string };

function nameOf(requirement: string): string | null {
  const name = requirementName(requirement);
  return name === null ? null : normalizeName(name);
}

function depNames(p: ResolvedPackage): string[] {
  const out: string[] = [];
  for (const d of p.dependencies) {
    const n = nameOf(d);
    if (n !== null) out.push(n);
  }
  return out;
}

/** The packages reachable from `roots` through the solution's dependencies, sorted by name. */
function prune(
  packages: ResolvedPackage[],
  roots: (string | null)[],
): Map<string, ResolvedPackage> {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const kept = new Map<string, ResolvedPackage>();
  const stack = roots.filter((r): r is string => r !== null);
  while (stack.length) {
    const n = stack.pop()!;
    const p = byName.get(n);
    if (!p || kept.has(n)) continue;
    kept.set(n, p);
    stack.push(...depNames(p));
  }
  return new Map([...kept.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `name[extras]==version`, a pin that keeps a package at the version another island chose. */
function pin(p: ResolvedPackage): string {
  const extras = p.extras.length ? `[${[...p.extras].sort().join(",")}]` : "";
  return `${p.name}${extras}==${p.version}`;
}

/** The closure of `name` in an island as `name==version` items, sorted. */
function closureOf(name: string, packages: Map<string, ResolvedPackage>): string[] {
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n) || !packages.has(n)) continue;
    seen.add(n);
    stack.push(...depNames(packages.get(n)!));
  }
  return [...seen].sort().map((n) => `${n}==${packages.get(n)!.version}`);
}

class Searcher {
  resolutions = 0;
  constructor(
    readonly solve: Solve,
    readonly basePreferences: Record<string, string>,
  ) {}

  /**
   * The pruned resolution of `roots` that agrees with `fixed` on every package `canSplit` refuses,
   * or why there is none.
   */
  async fit(
    roots: Root[],
    fixed: Map<string, ResolvedPackage>,
    preferences: Record<string, string>,
    canSplit: (name: string) => boolean,
  ): Promise<
    { ok: true; packages: Map<string, ResolvedPackage> } | { ok: false; explanation: string }
  > {
    const pins = new Map<string, string>();
    for (;;) {
      this.resolutions++;
      const result = await this.solve(
        [...roots.map((r) => r.requirement), ...[...pins.values()]],
        preferences,
      );
      if (!result.ok) return result;
      const packages = prune(result.packages, roots.map((r) => r.name));
      let moved = false;
      for (const p of packages.values()) {
        const other = fixed.get(p.name);
        if (!other || canSplit(p.name) || other.version === p.version) continue;
        if (pins.has(p.name)) continue; // pinned yet not kept: the solver would have failed
        pins.set(p.name, pin(other));
        moved = true;
      }
      if (!moved) {
        const disagree = [...packages.values()].find((p) =>
          !canSplit(p.name) && fixed.has(p.name) && fixed.get(p.name)!.version !== p.version
        );
        if (disagree) {
          return {
            ok: false,
            explanation: `${disagree.name} would need ${disagree.version} and ${
              fixed.get(disagree.name)!.version
            }`,
          };
        }
        return { ok: true, packages };
      }
    }
  }

  /** The first-fit greedy over `order` (see the module documentation). */
  async greedy(order: Root[], canSplit: (name: string) => boolean): Promise<SearchResult> {
    let islands: Placed[] = [];
    const preferences = () => {
      const prefs: Record<string, string> = { ...this.basePreferences };
      for (const island of islands) {
        for (const p of island.packages.values()) prefs[p.name] ??= p.version;
      }
      return prefs;
    };
    for (const root of order) {
      let placed = false;
      for (let i = 0; i < islands.length && !placed; i++) {
        const roots = [...islands[i].roots, root];
        const fit = await this.fit(roots, fixedFrom(islands, i, canSplit), preferences(), canSplit);
        if (fit.ok) {
          islands[i] = { roots, packages: fit.packages };
          placed = true;
        }
      }
      if (placed) continue;
      const prefs = preferences();
      const fit = await this.fit([root], fixedFrom(islands, -1, canSplit), prefs, canSplit);
      if (fit.ok) {
        islands.push({ roots: [root], packages: fit.packages });
        continue;
      }
      // The new island cannot take the versions the others chose of a package that may not be
      // split: see whether the others can take its versions instead.
      const alone = islands.length ? await this.fit([root], new Map(), prefs, canSplit) : fit;
      if (!alone.ok) return { ok: false, explanation: alone.explanation };
      const trial = [{ roots: [root], packages: alone.packages }, ...islands];
      let agreed = true;
      for (let j = 1; j < trial.length && agreed; j++) {
        const again = await this.fit(
          trial[j].roots,
          fixedFrom(trial, j, canSplit),
          prefs,
          canSplit,
        );
        if (again.ok) trial[j] = { roots: trial[j].roots, packages: again.packages };
        else agreed = false;
      }
      if (!agreed || !agree(trial, canSplit)) return { ok: false, explanation: fit.explanation };
      islands = [...trial.slice(1), trial[0]];
    }
    return { ok: true, islands };
  }
}

/**
 * Islands that share what they can: each package the greedy left with several versions is tried
 * at each of its versions (in island order) in every island that has it, and kept whole when all
 * of them can take one. Returns the islands and the names still splittable.
 */
async function unsplit(
  searcher: Searcher,
  islands: Placed[],
  canSplit: (name: string) => boolean,
): Promise<{ islands: Placed[]; canSplit: (name: string) => boolean }> {
  const whole = new Set<string>();
  const narrowed = (name: string) => canSplit(name) && !whole.has(name);
  for (const name of layout(islands).split) {
    if (!layout(islands).split.includes(name)) continue; // made whole by an earlier one
    const tried = new Set<string>();
    for (const island of islands) {
      const p = island.packages.get(name);
      if (!p || tried.has(p.version)) continue;
      tried.add(p.version);
      whole.add(name);
      const trial = [...islands];
      let ok = true;
      for (let j = 0; j < trial.length && ok; j++) {
        if (!trial[j].packages.has(name) || trial[j].packages.get(name)!.version === p.version) {
          continue;
        }
        const fixed = fixedFrom(trial, j, narrowed);
        fixed.set(name, p);
        const prefs: Record<string, string> = { ...searcher.basePreferences };
        for (const other of trial) {
          for (const q of other.packages.values()) prefs[q.name] ??= q.version;
        }
        prefs[name] = p.version;
        const again = await searcher.fit(trial[j].roots, fixed, prefs, narrowed);
        if (again.ok) trial[j] = { roots: trial[j].roots, packages: again.packages };
        else ok = false;
      }
      if (ok && agree(trial, narrowed)) {
        islands = trial;
        break;
      }
      whole.delete(name);
    }
  }
  return { islands, canSplit: narrowed };
}

/** The versions the islands other than `skip` chose of the packages that may not be split. */
function fixedFrom(
  islands: Placed[],
  skip: number,
  canSplit: (name: string) => boolean,
): Map<string, ResolvedPackage> {
  const fixed = new Map<string, ResolvedPackage>();
  islands.forEach((island, i) => {
    if (i === skip) return;
    for (const p of island.packages.values()) {
      if (!canSplit(p.name) && !fixed.has(p.name)) fixed.set(p.name, p);
    }
  });
  return fixed;
}

/** Whether the islands agree on every package that may not be split. */
function agree(islands: Placed[], canSplit: (name: string) => boolean): boolean {
  const seen = new Map<string, string>();
  for (const island of islands) {
    for (const p of island.packages.values()) {
      if (canSplit(p.name)) continue;
      const v = seen.get(p.name);
      if (v !== undefined && v !== p.version) return false;
      seen.set(p.name, p.version);
    }
  }
  return true;
}

interface Layout {
  split: string[];
  packages: IslandPackage[];
  perIsland: string[];
}

/** The entries of a set of islands (see the module documentation). */
function layout(islands: Placed[]): Layout {
  const versions = new Map<string, Map<string, number[]>>();
  islands.forEach((island, i) => {
    for (const p of island.packages.values()) {
      let byVersion = versions.get(p.name);
      if (!byVersion) versions.set(p.name, byVersion = new Map());
      const list = byVersion.get(p.version) ?? [];
      list.push(i);
      byVersion.set(p.version, list);
    }
  });
  const split = new Set([...versions].filter(([, v]) => v.size > 1).map(([n]) => n));
  const packages: IslandPackage[] = [];
  const perIsland = new Set<string>();
  for (const name of [...versions.keys()].sort()) {
    const byVersion = versions.get(name)!;
    for (const [version, where] of byVersion) {
      const closures = where.map((i) => closureOf(name, islands[i].packages));
      const routed = split.has(name) ||
        closures.some((c) => c.some((item) => split.has(item.slice(0, item.indexOf("==")))));
      const differs = closures.some((c) => c.join(" ") !== closures[0].join(" "));
      // One entry per version: extras and dependencies as the islands chose them (a version
      // resolved with other extras in another island adds its own).
      const first = islands[where[0]].packages.get(name)!;
      const dependencies = [...first.dependencies];
      const extras = new Set(first.extras);
      for (const i of where.slice(1)) {
        const p = islands[i].packages.get(name)!;
        for (const d of p.dependencies) if (!dependencies.includes(d)) dependencies.push(d);
        for (const e of p.extras) extras.add(e);
      }
      const all = where.length === islands.length;
      packages.push({
        ...first,
        version,
        dependencies,
        extras: [...extras].sort(),
        islands: routed && !all ? [...where] : null,
        perIsland: differs,
      });
      if (differs) perIsland.add(name);
    }
  }
  packages.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : (a.islands?.[0] ?? -1) - (b.islands?.[0] ?? -1)
  );
  return { split: [...split].sort(), packages, perIsland: [...perIsland].sort() };
}

interface Outcome {
  search: SearchResult;
  /** Compiled packages taken out of the splittable names. */
  compiled: Set<string>;
  layout: Layout | null;
}

/**
 * The greedy with its reruns: compiled packages out of the splittable names, top-level
 * requirements naming a split package to the front.
 */
async function search(
  roots: Root[],
  allowed: (name: string) => boolean,
  searcher: Searcher,
  isPure: PurityCheck,
): Promise<Outcome> {
  const compiled = new Set<string>();
  const front = new Set<number>();
  for (;;) {
    const order = [
      ...roots.filter((r) => front.has(r.index)),
      ...roots.filter((r) => !front.has(r.index)),
    ];
    const canSplit = (name: string) => allowed(name) && !compiled.has(name);
    const greedy = await searcher.greedy(order, canSplit);
    if (!greedy.ok) return { search: greedy, compiled, layout: null };
    const shared = await unsplit(searcher, greedy.islands, canSplit);
    const result = { ok: true as const, islands: shared.islands };
    const found = layout(result.islands);
    // Compiled code is never split nor loaded twice.
    let grew = false;
    for (const p of found.packages) {
      const duplicated = found.split.includes(p.name) || p.perIsland;
      if (!duplicated || await isPure(p.name, p.version)) continue;
      if (found.split.includes(p.name)) {
        if (!compiled.has(p.name)) compiled.add(p.name), grew = true;
      } else {
        // Per island: keep the split packages of its closure whole instead.
        for (const island of result.islands) {
          if (!island.packages.has(p.name)) continue;
          for (const item of closureOf(p.name, island.packages)) {
            const n = item.slice(0, item.indexOf("=="));
            if (found.split.includes(n) && !compiled.has(n)) compiled.add(n), grew = true;
          }
        }
        if (!compiled.has(p.name)) compiled.add(p.name), grew = true;
      }
    }
    if (grew) continue;
    // The application's own imports see island 0: its requirements on split packages go there.
    const misplaced = result.islands.slice(1).flatMap((island) =>
      island.roots.filter((r) => r.name !== null && found.split.includes(r.name))
    );
    const newFront = misplaced.filter((r) => !front.has(r.index));
    if (newFront.length) {
      for (const r of newFront) front.add(r.index);
      continue;
    }
    if (misplaced.length) {
      return {
        search: {
          ok: false,
          explanation: `the requirements ${
            misplaced.map((r) => `'${r.requirement}'`).join(", ")
          } name packages with several versions, and cannot all be in the application's island`,
        },
        compiled,
        layout: null,
      };
    }
    return { search: result, compiled, layout: found };
  }
}

/**
 * Resolves `request`, into islands when a plain resolution fails and `allowMultiple` permits (see
 * the module documentation). The same input gives the same result.
 *
 * @throws what {@link resolve} throws (an invalid requirement, a provider failure)
 */
export async function partition(
  request: PartitionRequest,
  deps: PartitionDeps,
): Promise<PartitionResult> {
  const solve: Solve = deps.solve ?? ((requirements, preferences) => {
    if (!deps.provider) throw new Error("partition: a provider or a solve function is needed");
    return resolve({ ...request, requirements, preferences }, deps.provider);
  });
  const isPure = deps.isPure ?? (() => true);
  const allow = request.allowMultiple ?? null;
  const listed = allow === null || allow === "auto" ? [] : [...new Set(allow)];
  const roots: Root[] = request.requirements.map((requirement, index) => ({
    index,
    requirement,
    name: nameOf(requirement),
  }));
  const base = request.preferences ?? {};
  const searcher = new Searcher(solve, base);

  const plain = await solve(request.requirements, base);
  if (plain.ok) {
    const present = new Set(plain.packages.map((p) => p.name));
    return {
      ok: true,
      islands: null,
      packages: plain.packages,
      unused: listed.filter((n) => !present.has(n)).sort(),
    };
  }

  const hint = async (): Promise<SplitHint | null> => {
    const any = await search(roots, () => true, new Searcher(solve, base), () => true);
    if (!any.layout) return null;
    const compiled = new Set<string>();
    for (const p of any.layout.packages) {
      const duplicated = any.layout.split.includes(p.name) || p.perIsland;
      if (duplicated && !(await isPure(p.name, p.version))) compiled.add(p.name);
    }
    const versions: Record<string, string[]> = {};
    for (const name of any.layout.split) {
      versions[name] = any.layout.packages.filter((p) => p.name === name).map((p) => p.version);
    }
    return { split: any.layout.split, compiled: [...compiled].sort(), versions };
  };

  if (allow === null) {
    return { ok: false, explanation: plain.explanation, hint: await hint(), compiled: [] };
  }
  const allowedSet = new Set(listed);
  const allowed = allow === "auto" ? () => true : (name: string) => allowedSet.has(name);
  const outcome = await search(roots, allowed, searcher, isPure);
  if (!outcome.layout || !outcome.search.ok) {
    return {
      ok: false,
      explanation: plain.explanation,
      hint: await hint(),
      compiled: [...outcome.compiled].sort(),
    };
  }
  const placed = outcome.search.islands;
  const present = new Set(outcome.layout.packages.map((p) => p.name));
  return {
    ok: true,
    islands: placed.map((island) => {
      const ordered = [...island.roots].sort((a, b) => a.index - b.index);
      return {
        roots: [...new Set(ordered.map((r) => r.name).filter((n): n is string => n !== null))],
        requirements: ordered.map((r) => r.requirement),
        packages: [...island.packages.values()],
      };
    }),
    packages: outcome.layout.packages,
    split: outcome.layout.split,
    perIsland: outcome.layout.perIsland,
    unused: listed.filter((n) => !present.has(n)).sort(),
  };
}

/**
 * The hints that end a "no solution" error when islands would help: the exact `allow_multiple`
 * line to add to the environment (the names it lists already, plus the ones the split needs), or,
 * for packages with compiled code, `worker()`.
 */
export function splitHints(
  env: string,
  hint: SplitHint | null,
  allowMultiple: AllowMultiple | null = null,
): string[] {
  if (!hint || hint.split.length === 0) return [];
  const hints: string[] = [];
  const compiled = new Set(hint.compiled);
  const pure = hint.split.filter((n) => !compiled.has(n));
  const listed = allowMultiple === null || allowMultiple === "auto" ? [] : [...allowMultiple];
  const missing = allowMultiple === "auto" ? [] : pure.filter((n) => !listed.includes(n));
  if (missing.length && !hint.split.some((n) => compiled.has(n))) {
    const line = `allow_multiple: [${[...new Set([...listed, ...missing])].join(", ")}]`;
    const what = missing.map((n) => `${n} ${hint.versions[n]?.join(" and ") ?? ""}`.trim());
    hints.push(
      `each dependency can have the ${missing.length > 1 ? "versions" : "version"} it needs ` +
        `(${what.join("; ")}) in one process: add '${line}' to environments.${env} in envknit.yaml`,
    );
  }
  for (const name of hint.compiled) {
    if (hint.split.includes(name)) {
      const versions = hint.versions[name];
      const other = versions && versions.length > 1 ? versions[versions.length - 1] : null;
      hints.push(
        `${name} has compiled code, which one process cannot load in two versions: run the code ` +
          `that needs ${other ? `${name} ${other}` : "the other version"} in ` +
          `envknit.worker(${JSON.stringify(name)}, ${JSON.stringify(other ?? "<version>")})`,
      );
      continue;
    }
    // Compiled and depending on a split package: it would need one instance per island. The
    // code that needs the split package's other version goes to a worker.
    const split = pure[0];
    const versions = split ? hint.versions[split] : undefined;
    const other = versions && versions.length > 1 ? versions[versions.length - 1] : null;
    hints.push(
      `${name} has compiled code and depends on ${pure.join(", ")}, so it cannot have one ` +
        "instance per island: run the code that needs " +
        (split && other
          ? `${split} ${other} in envknit.worker(${JSON.stringify(split)}, ${
            JSON.stringify(other)
          })`
          : `the other version in envknit.worker(${JSON.stringify(name)}, "<version>")`),
    );
  }
  return hints;
}
