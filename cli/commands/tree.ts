/**
 * `envknit tree`: the locked dependency tree of an environment, from its requirements in
 * envknit.yaml down (or, with `--invert PKG`, from a package up to what requires it). A package
 * whose dependencies were already shown is marked `(*)` and not expanded again.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { GRAPH_OPTIONS, loadEnvironmentGraph } from "./graph.ts";
import { UsageError } from "../../core/errors.ts";
import { type DependencyGraph, type TreeLine, treeLines } from "../../project/graph.ts";
import type { CommandContext } from "../command.ts";
import { normalizeName } from "../../resolver/mod.ts";

export const command: Command = {
  name: "tree",
  summary: "show the locked dependency tree",
  usage: "[--env NAME] [--depth N] [--invert PKG]... [--no-dev] [--lock FILE]",
  options: [
    {
      name: "depth",
      kind: "string",
      value: "N",
      description: "show N levels below the first (0: the first level only)",
    },
    {
      name: "invert",
      kind: "list",
      value: "PKG",
      description: "show what requires PKG, up to the requirements (repeatable)",
    },
    ...GRAPH_OPTIONS,
  ],
  async run(ctx) {
    if (ctx.args.positionals.length) {
      throw new UsageError(`unexpected argument '${ctx.args.positionals[0]}'`, {
        hints: ["to see what requires a package: envknit tree --invert PKG, or envknit why PKG"],
      });
    }
    const depthText = ctx.args.options.depth as string | undefined;
    let maxDepth: number | null = null;
    if (depthText !== undefined) {
      if (!/^\d+$/.test(depthText)) {
        throw new UsageError(`--depth takes a number, got '${depthText}'`);
      }
      maxDepth = Number(depthText);
    }
    const { lockPath, env, graph, islands } = await loadEnvironmentGraph(ctx);
    if (islands && !ctx.global.json) {
      // One tree per island, each headed by the island and the requirements it serves (with
      // --invert, the islands that have the packages named).
      const wanted = (ctx.args.options.invert as string[] | undefined)?.map((w) =>
        normalizeName(w)
      );
      const unknown = (wanted ?? []).filter((n) => !islands.some((i) => i.graph.packages.has(n)));
      if (unknown.length) {
        throw new UsageError(
          `not in the lock of environment '${env}': ${unknown.join(", ")}`,
          { hints: ["see what is: envknit tree"] },
        );
      }
      let repeated = false;
      for (const island of islands) {
        const invert = wanted?.filter((n) => island.graph.packages.has(n));
        if (invert && invert.length === 0) continue;
        ctx.out.print(
          `island ${island.index}${island.index === 0 ? " (default)" : ""}: ${
            island.roots.join(", ")
          }`,
        );
        repeated = printTree(
          ctx,
          island.graph,
          treeLines(island.graph, { maxDepth, invert }),
          invert,
          "  ",
        ) || repeated;
      }
      if (repeated) ctx.out.info("(*) shown in full above");
      return 0;
    }

    if (ctx.global.json) {
      const names = [...graph.packages.keys()].sort();
      ctx.out.print(JSON.stringify(
        {
          lock: lockPath,
          environment: env,
          rootsFrom: graph.rootsFromConfig ? "envknit.yaml" : "lock",
          roots: graph.roots.map((r) => ({
            name: r.name,
            requirement: r.requirement,
            ...(r.dev ? { dev: true } : {}),
          })),
          packages: names.map((name) => {
            const p = graph.packages.get(name)!;
            return {
              name,
              version: p.version,
              ...(p.dev ? { dev: true } : {}),
              dependencies: (graph.dependencies.get(name) ?? []).map((e) => ({
                name: e.name,
                requirement: e.requirement,
              })),
              dependents: (graph.dependents.get(name) ?? []).map((e) => e.name),
            };
          }),
          ...(islands
            ? {
              islands: islands.map((island) => ({
                island: island.index,
                roots: island.roots,
                packages: [...island.graph.packages.values()]
                  .sort((a, b) => (a.name < b.name ? -1 : 1))
                  .map((p) => ({
                    name: p.name,
                    version: p.version,
                    ...(p.perIsland ? { per_island: true } : {}),
                    dependencies: (island.graph.dependencies.get(p.name) ?? []).map((e) => e.name),
                  })),
              })),
            }
            : {}),
        },
        null,
        2,
      ));
      return 0;
    }

    let invert: string[] | undefined;
    const wanted = ctx.args.options.invert as string[] | undefined;
    if (wanted) {
      invert = wanted.map((w) => normalizeName(w));
      const unknown = invert.filter((n) => !graph.packages.has(n));
      if (unknown.length) {
        throw new UsageError(
          `not in the lock of environment '${env}': ${unknown.join(", ")}`,
          { hints: ["see what is: envknit tree"] },
        );
      }
    }
    const lines = treeLines(graph, { maxDepth, invert });
    const repeated = printTree(ctx, graph, lines, invert);
    if (lines.length === 0) ctx.out.info(`environment '${env}' has no packages`);
    if (repeated) ctx.out.info("(*) shown in full above");
    return 0;
  },
};

/** Prints tree lines (each after `indent`); returns whether one was marked `(*)`. */
function printTree(
  ctx: CommandContext,
  graph: DependencyGraph,
  lines: TreeLine[],
  invert: string[] | undefined,
  indent = "",
): boolean {
  const roots = new Set(graph.roots.map((r) => r.name));
  let repeated = false;
  for (const line of lines) {
    const marks: string[] = [];
    if (line.depth === 0 && line.dev) marks.push("(dev)");
    if (invert && roots.has(line.name)) marks.push("(requirement)");
    if (graph.packages.get(line.name)?.perIsland) marks.push("(one instance per island)");
    if (line.repeated) {
      marks.push("(*)");
      repeated = true;
    }
    ctx.out.print(
      `${indent}${line.prefix}${line.name} v${line.version}${
        marks.length ? ` ${marks.join(" ")}` : ""
      }`,
    );
  }
  return repeated;
}
