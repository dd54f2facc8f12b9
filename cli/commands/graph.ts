/**
 * `envknit graph`: the locked dependency graph of an environment as Graphviz dot (default) or a
 * Mermaid flowchart; with `--json`, the nodes and edges of every environment (or of `--env`). Also the loader `tree` and `why` share: which lock, which environment, which
 * roots.
 *
 * @module
 */
import type { OptionSpec } from "../args.ts";
import type { Command, CommandContext } from "../command.ts";
import type { CompletionHints } from "./completions.ts";
import { lockPath } from "../lock_options.ts";
import {
  CONFIG_FILENAME,
  configHash,
  loadConfig,
  type ProjectConfig,
} from "../../project/config.ts";
import { UsageError } from "../../core/errors.ts";
import {
  buildGraph,
  type DependencyGraph,
  type IslandGraph,
  islandGraphs,
} from "../../project/graph.ts";
import { type Lockfile, readLock } from "../../project/lock.ts";
import { defaultEnvironment } from "../../ops/run.ts";

/** `--env`, `--no-dev` and `--lock`, as `tree`, `graph` and `why` take them. */
export const GRAPH_OPTIONS: OptionSpec[] = [
  {
    name: "env",
    kind: "string",
    value: "NAME",
    description: "the environment (default: 'default', or the only one)",
  },
  {
    name: "no-dev",
    kind: "boolean",
    description: "leave out dev_packages and what only they need",
  },
  {
    name: "lock",
    kind: "string",
    value: "FILE",
    description: "the lock file (default: beside envknit.yaml)",
  },
];

/** An environment's graph and where it came from. */
export interface LoadedGraph {
  lockPath: string;
  lock: Lockfile;
  env: string;
  /** The environment's graph; with islands, island 0's (what the application's code sees). */
  graph: DependencyGraph;
  /** The graph of each island, when the environment has islands (else null). */
  islands: IslandGraph[] | null;
}

/**
 * Reads the lock, picks the environment (`--env`, else `default` or the only one), and builds its
 * graph rooted at the environment's requirements in envknit.yaml beside the lock (when there is
 * one; else at the packages nothing requires). Warns when the lock is older than envknit.yaml.
 */
export async function loadEnvironmentGraph(ctx: CommandContext): Promise<LoadedGraph> {
  return (await loadEnvironmentGraphs(ctx, false))[0];
}

/**
 * {@link loadEnvironmentGraph} for several environments: with `every` and no `--env`, every
 * environment of the lock (sorted by name), else the one `--env` or the default picks.
 */
export async function loadEnvironmentGraphs(
  ctx: CommandContext,
  every: boolean,
): Promise<LoadedGraph[]> {
  const path = lockPath(ctx);
  const lock = await readLock(path);
  const names = Object.keys(lock.environments);
  const given = ctx.args.options.env as string | undefined;
  const envs = every && given === undefined
    ? [...names].sort()
    : [given ?? defaultEnvironment(names)];
  for (const env of envs) {
    if (!(env in lock.environments)) {
      throw new UsageError(`the lock has no environment '${env}'`, {
        hints: [
          names.length ? `its environments: ${names.sort().join(", ")}` : "it has none",
          "after changing envknit.yaml, run 'envknit lock'",
        ],
      });
    }
  }
  const dev = !ctx.args.options["no-dev"];
  const configPath = `${path.slice(0, path.lastIndexOf("/")) || ""}/${CONFIG_FILENAME}`;
  let config: ProjectConfig | null = null;
  if (await Deno.stat(configPath).then((s) => s.isFile, () => false)) {
    config = await loadConfig(configPath);
    if (lock.configHash !== await configHash(config)) {
      ctx.out.warn(`${CONFIG_FILENAME} changed since the lock was written; run 'envknit lock'`);
    }
  }
  return envs.map((env) => {
    let roots: { requirement: string; dev: boolean }[] | null = null;
    const e = config?.environments[env];
    if (e) {
      roots = [
        ...e.packages.map((requirement) => ({ requirement, dev: false })),
        ...e.devPackages.map((requirement) => ({ requirement, dev: true })),
      ];
    }
    if (roots && !dev) roots = roots.filter((r) => !r.dev);
    const packages = lock.environments[env].filter((p) => dev || !p.dev);
    const islands = lock.islands?.[env] ? islandGraphs(packages, lock.islands[env], roots) : null;
    const graph = islands ? islands[0].graph : buildGraph(packages, roots);
    const missing = islands ? islands.flatMap((i) => i.graph.missing) : graph.missing;
    const said = new Set<string>();
    for (const { from, edge } of missing) {
      if (said.has(`${from} ${edge.requirement}`)) continue;
      said.add(`${from} ${edge.requirement}`);
      // Without dev packages, a dev requirement's package is left out on purpose.
      ctx.out.warn(
        `${from ? `${from} requires` : `${CONFIG_FILENAME} asks for`} ${edge.requirement}, ` +
          `which is not in the lock of '${env}'; run 'envknit lock'`,
      );
    }
    return { lockPath: path, lock, env, graph, islands };
  });
}

/**
 * An environment with islands as one graph: a node per entry (a split package's versions are
 * `name==version`, the others `name`), the edges of every island, and each node's islands.
 */
export function mergeIslands(islands: IslandGraph[]): {
  nodes: {
    id: string;
    name: string;
    version: string;
    root: boolean;
    dev: boolean;
    islands: number[] | null;
    perIsland: boolean;
  }[];
  edges: { from: string; to: string; requirement: string; specifier: string }[];
} {
  const versions = new Map<string, Set<string>>();
  for (const { graph } of islands) {
    for (const p of graph.packages.values()) {
      versions.set(p.name, (versions.get(p.name) ?? new Set()).add(p.version));
    }
  }
  const id = (name: string, version: string) =>
    versions.get(name)!.size > 1 ? `${name}==${version}` : name;
  const nodes = new Map<string, ReturnType<typeof mergeIslands>["nodes"][number]>();
  const edges = new Map<string, ReturnType<typeof mergeIslands>["edges"][number]>();
  for (const { graph } of islands) {
    const roots = new Set(graph.roots.map((r) => r.name));
    for (const p of graph.packages.values()) {
      const key = id(p.name, p.version);
      const node = nodes.get(key);
      if (node) {
        node.root ||= roots.has(p.name);
      } else {
        nodes.set(key, {
          id: key,
          name: p.name,
          version: p.version,
          root: roots.has(p.name),
          dev: p.dev === true,
          islands: p.island ? [...p.island] : null,
          perIsland: p.perIsland === true,
        });
      }
      for (const e of graph.dependencies.get(p.name) ?? []) {
        const to = id(e.name, graph.packages.get(e.name)!.version);
        const edge = { from: key, to, requirement: e.requirement, specifier: e.specifier };
        edges.set(`${key}\0${to}`, edges.get(`${key}\0${to}`) ?? edge);
      }
    }
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    nodes: [...nodes.values()].sort(byId),
    edges: [...edges.values()].sort((a, b) =>
      byId({ id: `${a.from} ${a.to}` }, { id: `${b.from} ${b.to}` })
    ),
  };
}

/** The islands as `graph --json` and `tree --json` show them: each with its roots. */
function islandList(islands: IslandGraph[]): { island: number; roots: string[] }[] {
  return islands.map((i) => ({ island: i.index, roots: i.roots }));
}

/** `graph --json` of an environment with islands: its merged nodes and edges, and its islands. */
export function toJsonIslands(islands: IslandGraph[]): Record<string, unknown> {
  const merged = mergeIslands(islands);
  return {
    nodes: merged.nodes.map((n) => ({
      id: n.id,
      version: n.version,
      root: n.root,
      dev: n.dev,
      ...(n.id !== n.name ? { name: n.name } : {}),
      ...(n.islands ? { islands: n.islands } : {}),
      ...(n.perIsland ? { per_island: true } : {}),
    })),
    edges: merged.edges,
    islands: islandList(islands),
  };
}

/** Graphviz dot of an environment with islands: one cluster per island for what only it sees. */
export function toDotIslands(islands: IslandGraph[], env: string): string {
  const { nodes, edges } = mergeIslands(islands);
  const lines = [
    `digraph ${dotId(`envknit ${env}`)} {`,
    "  rankdir=LR;",
    '  node [shape=box, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const node = (n: (typeof nodes)[number], indent: string) => {
    const style = [n.root ? "bold" : "", n.dev ? "dashed" : ""].filter((s) => s);
    const label = `${n.name}\n${n.version}${n.perIsland ? "\none instance per island" : ""}`;
    const attrs = [`label=${dotId(label)}`];
    if (style.length) attrs.push(`style=${dotId(style.join(","))}`);
    lines.push(`${indent}${dotId(n.id)} [${attrs.join(", ")}];`);
  };
  for (const n of nodes) if (!n.islands || n.islands.length > 1) node(n, "  ");
  for (const island of islands) {
    const only = nodes.filter((n) => n.islands?.length === 1 && n.islands[0] === island.index);
    lines.push(`  subgraph ${dotId(`cluster_island_${island.index}`)} {`);
    lines.push(
      `    label=${
        dotId(
          `island ${island.index}${island.index === 0 ? " (default)" : ""}: ${
            island.roots.join(", ")
          }`,
        )
      };`,
    );
    for (const n of only) node(n, "    ");
    lines.push("  }");
  }
  for (const e of edges) {
    const label = e.specifier ? ` [label=${dotId(e.specifier)}]` : "";
    lines.push(`  ${dotId(e.from)} -> ${dotId(e.to)}${label};`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** A Mermaid flowchart of an environment with islands: one subgraph per island. */
export function toMermaidIslands(islands: IslandGraph[]): string {
  const { nodes, edges } = mergeIslands(islands);
  const id = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["flowchart LR"];
  const node = (n: (typeof nodes)[number], indent: string) =>
    lines.push(`${indent}${id.get(n.id)}["${mermaidText(`${n.name} ${n.version}`)}"]`);
  for (const n of nodes) if (!n.islands || n.islands.length > 1) node(n, "  ");
  for (const island of islands) {
    lines.push(
      `  subgraph island${island.index}["${
        mermaidText(`island ${island.index}: ${island.roots.join(", ")}`)
      }"]`,
    );
    for (const n of nodes) {
      if (n.islands?.length === 1 && n.islands[0] === island.index) node(n, "    ");
    }
    lines.push("  end");
  }
  for (const e of edges) {
    const label = e.specifier ? `|"${mermaidText(e.specifier)}"|` : "";
    lines.push(`  ${id.get(e.from)} -->${label} ${id.get(e.to)}`);
  }
  const rootIds = nodes.filter((n) => n.root).map((n) => id.get(n.id));
  if (rootIds.length) {
    lines.push("  classDef root stroke-width:3px", `  class ${rootIds.join(",")} root`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The graph as data (`graph --json`): one node per locked package (roots and dev-only packages
 * marked) and one edge per requirement between them, with the requirement as the lock states it.
 */
export function toJsonGraph(graph: DependencyGraph): {
  nodes: { id: string; version: string; root: boolean; dev: boolean }[];
  edges: { from: string; to: string; requirement: string; specifier: string }[];
} {
  const roots = new Set(graph.roots.map((r) => r.name));
  const names = [...graph.packages.keys()].sort();
  return {
    nodes: names.map((name) => ({
      id: name,
      version: graph.packages.get(name)!.version,
      root: roots.has(name),
      dev: graph.packages.get(name)!.dev === true,
    })),
    edges: names.flatMap((name) =>
      (graph.dependencies.get(name) ?? []).map((e) => ({
        from: name,
        to: e.name,
        requirement: e.requirement,
        specifier: e.specifier,
      }))
    ),
  };
}

/** A Graphviz double-quoted ID. */
function dotId(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** The graph as Graphviz dot: roots bold, dev-only packages dashed, edges labelled with specifiers. */
export function toDot(graph: DependencyGraph, env: string): string {
  const roots = new Set(graph.roots.map((r) => r.name));
  const names = [...graph.packages.keys()].sort();
  const lines = [
    `digraph ${dotId(`envknit ${env}`)} {`,
    "  rankdir=LR;",
    '  node [shape=box, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const name of names) {
    const p = graph.packages.get(name)!;
    const style = [roots.has(name) ? "bold" : "", p.dev ? "dashed" : ""].filter((s) => s);
    const attrs = [`label=${dotId(`${name}\n${p.version}`)}`];
    if (style.length) attrs.push(`style=${dotId(style.join(","))}`);
    lines.push(`  ${dotId(name)} [${attrs.join(", ")}];`);
  }
  for (const name of names) {
    for (const e of graph.dependencies.get(name) ?? []) {
      const label = e.specifier ? ` [label=${dotId(e.specifier)}]` : "";
      lines.push(`  ${dotId(name)} -> ${dotId(e.name)}${label};`);
    }
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** Text inside a Mermaid quoted label: quotes and angle brackets as entity codes. */
function mermaidText(text: string): string {
  return text.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** The graph as a Mermaid flowchart (node ids n0, n1… in name order). */
export function toMermaid(graph: DependencyGraph): string {
  const names = [...graph.packages.keys()].sort();
  const id = new Map(names.map((n, i) => [n, `n${i}`]));
  const roots = new Set(graph.roots.map((r) => r.name));
  const lines = ["flowchart LR"];
  for (const name of names) {
    const p = graph.packages.get(name)!;
    lines.push(`  ${id.get(name)}["${mermaidText(`${name} ${p.version}`)}"]`);
  }
  for (const name of names) {
    for (const e of graph.dependencies.get(name) ?? []) {
      const label = e.specifier ? `|"${mermaidText(e.specifier)}"|` : "";
      lines.push(`  ${id.get(name)} -->${label} ${id.get(e.name)}`);
    }
  }
  const rootIds = names.filter((n) => roots.has(n)).map((n) => id.get(n));
  const devIds = names.filter((n) => graph.packages.get(n)!.dev).map((n) => id.get(n));
  if (rootIds.length) {
    lines.push("  classDef root stroke-width:3px", `  class ${rootIds.join(",")} root`);
  }
  if (devIds.length) {
    lines.push("  classDef dev stroke-dasharray:5 5", `  class ${devIds.join(",")} dev`);
  }
  return lines.join("\n") + "\n";
}

const FORMATS = ["dot", "mermaid"];

/** Completion facts of this command. */
export const completion: CompletionHints = { values: { format: FORMATS } };

export const command: Command = {
  name: "graph",
  summary: "print the dependency graph",
  usage: `[--env NAME] [--format dot|mermaid | --json] [--no-dev] [--lock FILE]

With --json: {"lock", "environments": {NAME: {"nodes": [{"id", "version", "root", "dev"}],
"edges": [{"from", "to", "requirement", "specifier"}]}}}, for every environment of the
lock, or only --env NAME. An environment with islands also has "islands" ([{"island",
"roots"}]); its nodes carry "islands" (the islands that see them, when not all) and
"per_island", and a package with several versions has one node per version, "name==version".`,
  options: [
    {
      name: "format",
      kind: "string",
      value: "FORMAT",
      description: "dot (Graphviz, the default) or mermaid",
    },
    ...GRAPH_OPTIONS,
  ],
  async run(ctx) {
    if (ctx.args.positionals.length) {
      throw new UsageError(`unexpected argument '${ctx.args.positionals[0]}'`);
    }
    const format = (ctx.args.options.format as string | undefined) ?? "dot";
    if (!FORMATS.includes(format)) {
      throw new UsageError(`unknown graph format '${format}'`, {
        hints: [`use one of: ${FORMATS.join(", ")}`],
      });
    }
    if (ctx.global.json) {
      if (ctx.args.options.format !== undefined) {
        throw new UsageError("--format and --json do not go together", {
          hints: ["--json prints the graph as JSON; --format picks a text format"],
        });
      }
      const graphs = await loadEnvironmentGraphs(ctx, true);
      ctx.out.print(JSON.stringify(
        {
          lock: graphs[0].lockPath,
          environments: Object.fromEntries(
            graphs.map((g) => [g.env, g.islands ? toJsonIslands(g.islands) : toJsonGraph(g.graph)]),
          ),
        },
        null,
        2,
      ));
      return 0;
    }
    const { env, graph, islands } = await loadEnvironmentGraph(ctx);
    if (islands) {
      ctx.out.print(format === "dot" ? toDotIslands(islands, env) : toMermaidIslands(islands));
      return 0;
    }
    ctx.out.print(format === "dot" ? toDot(graph, env) : toMermaid(graph));
    return 0;
  },
};
