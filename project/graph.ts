/**
 * The dependency graph of one locked environment, from the lock's `dependencies` (the applicable
 * Requires-Dist of each package), rooted at the environment's requirements in envknit.yaml. Used
 * by `envknit tree`, `graph`, `why` and the pylock export.
 *
 * Names are compared after PEP 503 normalization. Cycles are allowed (Python packages do have
 * them): every walk here keeps track of what it has seen.
 *
 * @module
 */
import type { LockPackage } from "./lock.ts";
import { EnvknitError } from "../core/errors.ts";
import { normalizeName, parseRequirement } from "../resolver/mod.ts";

/** One requirement edge: from a package (or a root) to a package by name. */
export interface Edge {
  /** PEP 503-normalized name of the package required. */
  name: string;
  /** The requirement as written (in the lock, or in envknit.yaml for roots). */
  requirement: string;
  /** Its version specifier (`>=2,<4`), or "" for any version. */
  specifier: string;
}

/** A root: a requirement of the environment in envknit.yaml (or inferred from the lock). */
export interface Root extends Edge {
  /** From dev_packages. */
  dev: boolean;
}

/** The graph of one environment. */
export interface DependencyGraph {
  /** Locked packages by normalized name. */
  packages: Map<string, LockPackage>;
  /** Outgoing edges by package name, in the lock's order. */
  dependencies: Map<string, Edge[]>;
  /** Incoming edges by package name: who requires it (with the requirement they use). */
  dependents: Map<string, Edge[]>;
  /** The roots, in envknit.yaml order (or by name when inferred). */
  roots: Root[];
  /** Whether the roots came from envknit.yaml (false: packages nothing else requires). */
  rootsFromConfig: boolean;
  /** Requirements naming packages that are not in the lock (the lock is out of date). */
  missing: { from: string | null; edge: Edge }[];
}

/** The name, specifier and text of a requirement string; throws EnvknitError naming `where`. */
export function requirementEdge(requirement: string, where: string): Edge {
  try {
    const r = parseRequirement(requirement);
    return { name: normalizeName(r.name), requirement, specifier: r.specifier ?? "" };
  } catch (error) {
    throw new EnvknitError(
      `invalid requirement ${JSON.stringify(requirement)} in ${where}: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
}

/**
 * Builds the graph of `packages`. `roots` are the environment's requirements (packages, then
 * dev_packages); when null, the roots are the packages nothing else requires (and, for cycles
 * nothing outside reaches, the first package of each).
 */
export function buildGraph(
  packages: LockPackage[],
  roots: { requirement: string; dev: boolean }[] | null,
): DependencyGraph {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const dependencies = new Map<string, Edge[]>();
  const dependents = new Map<string, Edge[]>();
  const missing: DependencyGraph["missing"] = [];
  for (const p of packages) {
    dependents.set(p.name, dependents.get(p.name) ?? []);
  }
  for (const p of packages) {
    const edges: Edge[] = [];
    for (const dep of p.dependencies) {
      const edge = requirementEdge(dep, `the lock entry of ${p.name}`);
      if (!byName.has(edge.name)) {
        missing.push({ from: p.name, edge });
        continue;
      }
      if (edges.some((e) => e.name === edge.name)) continue;
      edges.push(edge);
      dependents.get(edge.name)!.push({ ...edge, name: p.name });
    }
    dependencies.set(p.name, edges);
  }

  let rootList: Root[];
  if (roots !== null) {
    rootList = [];
    for (const r of roots) {
      const edge = requirementEdge(r.requirement, "envknit.yaml");
      if (!byName.has(edge.name)) missing.push({ from: null, edge });
      else if (!rootList.some((x) => x.name === edge.name)) rootList.push({ ...edge, dev: r.dev });
    }
  } else {
    rootList = inferRoots(packages, dependencies, dependents);
  }
  return {
    packages: byName,
    dependencies,
    dependents,
    roots: rootList,
    rootsFromConfig: roots !== null,
    missing,
  };
}

function inferRoots(
  packages: LockPackage[],
  dependencies: Map<string, Edge[]>,
  dependents: Map<string, Edge[]>,
): Root[] {
  const sorted = [...packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const roots = sorted.filter((p) => dependents.get(p.name)!.length === 0);
  const reached = new Set<string>();
  const reach = (name: string) => {
    const stack = [name];
    while (stack.length) {
      const n = stack.pop()!;
      if (reached.has(n)) continue;
      reached.add(n);
      for (const e of dependencies.get(n) ?? []) stack.push(e.name);
    }
  };
  for (const r of roots) reach(r.name);
  // A cycle that nothing outside it requires: its first package stands for it.
  for (const p of sorted) {
    if (!reached.has(p.name)) {
      roots.push(p);
      reach(p.name);
    }
  }
  return roots.map((p) => ({ name: p.name, requirement: p.name, specifier: "", dev: !!p.dev }));
}

/** Every package reachable from the roots (so a stale lock's leftovers can be told apart). */
export function reachable(graph: DependencyGraph): Set<string> {
  const seen = new Set<string>();
  const stack = graph.roots.map((r) => r.name);
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const e of graph.dependencies.get(n) ?? []) stack.push(e.name);
  }
  return seen;
}

/** One line of a rendered tree. */
export interface TreeLine {
  /** Box-drawing prefix (`├── `, `│   └── `…). */
  prefix: string;
  name: string;
  version: string;
  /** The requirement that led here (the root's, or the parent's on this dependency). */
  specifier: string;
  /** Already shown above with its subtree (`(*)`). */
  repeated: boolean;
  /** Children not shown because of the depth limit. */
  truncated: boolean;
  /** Root only: from dev_packages. */
  dev: boolean;
  /** Depth: 0 for the first level. */
  depth: number;
}

/**
 * The tree of `graph`, as lines: each root and what it requires, recursively (`invert`: each
 * starting package and what requires it). A package whose subtree was already shown is listed
 * with `repeated` and not expanded again, which also ends cycles. `maxDepth` limits the levels
 * below the first (null: no limit).
 */
export function treeLines(
  graph: DependencyGraph,
  options: { maxDepth?: number | null; invert?: string[] } = {},
): TreeLine[] {
  const lines: TreeLine[] = [];
  const expanded = new Set<string>();
  const next = options.invert ? graph.dependents : graph.dependencies;
  const maxDepth = options.maxDepth ?? null;
  const walk = (
    name: string,
    edge: { specifier: string; dev: boolean },
    prefix: string,
    childPrefix: string,
    depth: number,
  ) => {
    const pkg = graph.packages.get(name)!;
    const children = next.get(name) ?? [];
    const repeated = children.length > 0 && expanded.has(name);
    const truncated = !repeated && children.length > 0 && maxDepth !== null && depth >= maxDepth;
    lines.push({
      prefix,
      name,
      version: pkg.version,
      specifier: edge.specifier,
      repeated,
      truncated,
      dev: edge.dev,
      depth,
    });
    if (repeated || truncated) return;
    expanded.add(name);
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      walk(
        child.name,
        { specifier: child.specifier, dev: false },
        childPrefix + (last ? "└── " : "├── "),
        childPrefix + (last ? "    " : "│   "),
        depth + 1,
      );
    });
  };
  if (options.invert) {
    for (const name of options.invert) {
      walk(name, { specifier: "", dev: false }, "", "", 0);
    }
  } else {
    for (const root of graph.roots) walk(root.name, root, "", "", 0);
  }
  return lines;
}

/** A path from a root down to a package: the root first. */
export type DependencyPath = Edge[];

/**
 * Every path from a root to `target` that visits no package twice (at most `limit`; `more` is
 * true when there were others).
 */
export function pathsTo(
  graph: DependencyGraph,
  target: string,
  limit = 100,
): { paths: DependencyPath[]; more: boolean } {
  const paths: DependencyPath[] = [];
  let more = false;
  // Only packages that can reach the target are worth walking into.
  const leadsThere = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const n = stack.pop()!;
    if (leadsThere.has(n)) continue;
    leadsThere.add(n);
    for (const e of graph.dependents.get(n) ?? []) stack.push(e.name);
  }
  const onPath = new Set<string>();
  const walk = (edge: Edge, path: Edge[]) => {
    if (more) return;
    if (onPath.has(edge.name) || !leadsThere.has(edge.name)) return;
    const here = [...path, edge];
    if (edge.name === target) {
      if (paths.length >= limit) more = true;
      else paths.push(here);
      return;
    }
    onPath.add(edge.name);
    for (const child of graph.dependencies.get(edge.name) ?? []) walk(child, here);
    onPath.delete(edge.name);
  };
  for (const root of graph.roots) walk(root, []);
  return { paths, more };
}

/** One island's view of an environment with islands (project/LOCK_FORMAT.md, Islands). */
export interface IslandGraph {
  /** The island's number (0: the default island, what the application's code sees). */
  index: number;
  /** The top-level requirement names it serves. */
  roots: string[];
  /** The graph of the entries its code sees (one version per name), from its roots. */
  graph: DependencyGraph;
}

/**
 * The graph of each island of an environment: the entries that island sees (`island` absent or
 * naming it), rooted at the environment's requirements it serves (`roots` as in
 * {@link buildGraph}; null: the island's roots from the lock).
 */
export function islandGraphs(
  packages: LockPackage[],
  islands: { roots: string[] }[],
  roots: { requirement: string; dev: boolean }[] | null,
): IslandGraph[] {
  return islands.map((island, index) => {
    const seen = packages.filter((p) => !p.island || p.island.includes(index));
    const mine = roots === null
      ? island.roots.map((requirement) => ({ requirement, dev: false }))
      : roots.filter((r) =>
        island.roots.includes(requirementEdge(r.requirement, "envknit.yaml").name)
      );
    return { index, roots: [...island.roots], graph: buildGraph(seen, mine) };
  });
}
