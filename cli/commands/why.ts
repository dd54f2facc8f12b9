/**
 * `envknit why PKG`: every path from a requirement of the environment (envknit.yaml) down to
 * PKG in the lock, one per line, each step with the requirement that led to it.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { GRAPH_OPTIONS, loadEnvironmentGraph } from "./graph.ts";
import { EnvknitError, UsageError } from "../../core/errors.ts";
import { pathsTo } from "../../project/graph.ts";
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
    const { env, graph, lock } = await loadEnvironmentGraph(ctx);
    const target = normalizeName(ctx.args.positionals[0]);
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
