/**
 * `envknit remove PKG...`: remove requirements (by PEP 503-normalized name) from an environment
 * of envknit.yaml, then lock that environment.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { EDIT_OPTIONS, packageNames, saveAndLock } from "./add.ts";
import { loadProject } from "../../project/config.ts";
import {
  editedEnvironment,
  listedRequirements,
  listKey,
  removeRequirement,
} from "../../project/edit.ts";
import { EnvknitError, UsageError } from "../../core/errors.ts";

export const command: Command = {
  name: "remove",
  summary: "remove requirements and lock",
  usage: "PKG... [--env NAME] [--dev] [--no-lock]",
  options: [
    ...EDIT_OPTIONS,
    { name: "dev", kind: "boolean", description: "remove from dev_packages" },
  ],
  async run(ctx) {
    if (ctx.args.positionals.length === 0) {
      throw new UsageError("remove needs at least one package name", {
        hints: ["envknit remove requests"],
      });
    }
    const names = packageNames(
      ctx.args.positionals,
      "name the package without a version: envknit remove requests",
    );
    const config = await loadProject(ctx.cwd);
    const originalText = await Deno.readTextFile(config.path);
    const env = editedEnvironment(config, ctx.args.options.env as string | undefined);
    if (!config.environments[env]) {
      const all = Object.keys(config.environments);
      throw new UsageError(`no environment '${env}' in ${config.path}`, {
        hints: [all.length ? `its environments: ${all.join(", ")}` : "it has no environments"],
      });
    }
    const dev = ctx.args.options.dev === true;
    const key = listKey(dev);
    // Every name is checked before anything is removed.
    const listed = listedRequirements(config, env, dev);
    const unknown = names.filter((n) => !listed.some((r) => r.name === n));
    if (unknown.length) {
      const elsewhere = unknown.filter((n) =>
        listedRequirements(config, env, !dev).some((r) => r.name === n)
      );
      throw new EnvknitError(
        `not in ${key} of '${env}': ${unknown.join(", ")}`,
        {
          hints: [
            listed.length
              ? `${key} of '${env}': ${listed.map((r) => r.requirement).join(", ")}`
              : `${key} of '${env}' is empty`,
            ...(elsewhere.length
              ? [
                `in ${listKey(!dev)}: ${elsewhere.join(", ")} (${dev ? "leave out" : "add"} --dev)`,
              ]
              : []),
          ],
        },
      );
    }
    const done: string[] = [];
    for (const name of new Set(names)) {
      const removed = removeRequirement(config, env, name, dev);
      done.push(`removed ${removed} from ${key} of '${env}'`);
    }
    await saveAndLock(ctx, config, env, originalText, { done });
    return 0;
  },
};
