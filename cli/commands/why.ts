/**
 * `envknit why PKG`: every path from a requirement of the environment (envknit.yaml) down to
 * PKG in the lock, one per line, each step with the requirement that led to it.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { GRAPH_OPTIONS, loadEnvironmentGraph } from "./graph.ts";
import { EnvknitError, UsageError } from "../../core/errors.ts";
import { type IslandGraph, pathsTo } from "../../project/graph.ts";
import type { Lockfile } from "../../project/lock.ts";
import type { CommandContext } from "../command.ts";
import { normalizeName } from "../../resolver/mod.ts";

/** Paths printed at most; a dense graph can have very many. */
const MAX_PATHS = 100;

export const command: Command = {
  name: "why",
  summary: "show why a package is in the lock",
  usage: "PKG [--env NAME] [--no-dev] [--lock FILE]",
  options: [...GRAPH_OPTIONS],
  async run(ctx) {
    if (ctx.args.positionals.length !== 1) {
      throw new UsageError("why takes one package name", { hints: ["envknit why urllib3"] });
    }
    const { env, graph, lock, islands } = await loadEnvironmentGraph(ctx);
    const target = normalizeName(ctx.args.positionals[0]);
    if (islands) return whyInIslands(ctx, env, lock, islands, target);
    const pkg = graph.packages.get(target);
    if (!pkg && lock.environments[env].some((p) => p.name === target)) {
      throw new EnvknitError(`${target} is only needed by dev_packages of '${env}'`, {
        hints: ["leave out --no-dev to see why"],
      });
    }
    if (!pkg) {
      throw new EnvknitError(`${target} is not in the lock of environment '${env}'`, {
        hints: ["see what is: envknit tree"],
      });
    }
    const { paths, more } = pathsTo(graph, target, MAX_PATHS);
    const version = (name: string) => graph.packages.get(name)!.version;
    if (ctx.global.json) {
      ctx.out.print(JSON.stringify(
        {
          environment: env,
          package: target,
          version: pkg.version,
          paths: paths.map((path) =>
            path.map((e) => ({
              name: e.name,
              version: version(e.name),
              requirement: e.requirement,
            }))
          ),
          truncated: more,
        },
        null,
        2,
      ));
      return 0;
    }
    if (paths.length === 0) {
      ctx.out.warn(
        `${target} ${pkg.version} is in the lock of '${env}', but no requirement leads to it; ` +
          "run 'envknit lock' to drop it",
      );
      return 0;
    }
    const roots = new Map(graph.roots.map((r) => [r.name, r]));
    for (const path of paths) {
      const steps = path.map((e, i) => {
        const dev = i === 0 && roots.get(e.name)!.dev ? " (dev)" : "";
        return `${e.name} ${version(e.name)}${e.specifier ? ` [${e.specifier}]` : ""}${dev}`;
      });
      ctx.out.print(steps.join(" → "));
    }
    if (more) ctx.out.info(`(only the first ${MAX_PATHS} paths are shown)`);
    return 0;
  },
};

/**
 * `why` in an environment with islands: every version of the package, each with the islands that
 * see it and the paths from their requirements to it (a path shared by islands shown once).
 */
function whyInIslands(
  ctx: CommandContext,
  env: string,
  lock: Lockfile,
  islands: IslandGraph[],
  target: string,
): number {
  const present = islands.filter((i) => i.graph.packages.has(target));
  if (present.length === 0) {
    const inLock = lock.environments[env].some((p) => p.name === target);
    throw new EnvknitError(
      inLock
        ? `${target} is only needed by dev_packages of '${env}'`
        : `${target} is not in the lock of environment '${env}'`,
      { hints: [inLock ? "leave out --no-dev to see why" : "see what is: envknit tree"] },
    );
  }
  // version → path text → the islands it runs in (and the path's data, for --json)
  const versions = new Map<
    string,
    Map<
      string,
      { islands: number[]; path: { name: string; version: string; requirement: string }[] }
    >
  >();
  let more = false;
  for (const island of present) {
    const { graph } = island;
    const version = graph.packages.get(target)!.version;
    const found = pathsTo(graph, target, MAX_PATHS);
    more ||= found.more;
    const byText = versions.get(version) ?? new Map();
    versions.set(version, byText);
    const roots = new Map(graph.roots.map((r) => [r.name, r]));
    for (const path of found.paths) {
      const text = path.map((e, i) => {
        const dev = i === 0 && roots.get(e.name)!.dev ? " (dev)" : "";
        const v = graph.packages.get(e.name)!.version;
        return `${e.name} ${v}${e.specifier ? ` [${e.specifier}]` : ""}${dev}`;
      }).join(" → ");
      const known = byText.get(text);
      if (known) known.islands.push(island.index);
      else {
        byText.set(text, {
          islands: [island.index],
          path: path.map((e) => ({
            name: e.name,
            version: graph.packages.get(e.name)!.version,
            requirement: e.requirement,
          })),
        });
      }
    }
  }
  const ordered = [...versions.keys()];
  const islandsOf = (version: string) =>
    present.filter((i) => i.graph.packages.get(target)!.version === version).map((i) => i.index);
  if (ctx.global.json) {
    ctx.out.print(JSON.stringify(
      {
        environment: env,
        package: target,
        version: present[0].graph.packages.get(target)!.version,
        versions: ordered.map((version) => ({
          version,
          islands: islandsOf(version),
          paths: [...versions.get(version)!.values()].map((p) => ({
            islands: p.islands,
            path: p.path,
          })),
        })),
        paths: ordered.flatMap((v) => [...versions.get(v)!.values()].map((p) => p.path)),
        truncated: more,
      },
      null,
      2,
    ));
    return 0;
  }
  const label = (list: number[]) =>
    list.length === islands.length
      ? "every island"
      : `island${list.length > 1 ? "s" : ""} ${list.join(", ")}`;
  for (const version of ordered) {
    const where = islandsOf(version);
    const roots = where.flatMap((k) => islands[k].roots);
    ctx.out.print(
      `${target} ${version} (${label(where)}${where.includes(0) ? ", the application's" : ""}: ${
        roots.join(", ")
      })`,
    );
    for (const [text, p] of versions.get(version)!) {
      ctx.out.print(`  ${text}${where.length > 1 ? `  (${label(p.islands)})` : ""}`);
    }
  }
  if (more) ctx.out.info(`(only the first ${MAX_PATHS} paths per island are shown)`);
  return 0;
}
