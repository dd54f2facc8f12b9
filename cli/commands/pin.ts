/**
 * `envknit pin PKG...`: write `PKG==<locked version>` into envknit.yaml for packages of the lock
 * (keeping a requirement's extras and marker), so the next locks keep those versions. A package
 * that was only required through others is added as a requirement.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { currentLock, EDIT_OPTIONS, packageNames, saveAndLock } from "./add.ts";
import { loadProject } from "../../project/config.ts";
import {
  editedEnvironment,
  listedRequirements,
  listKey,
  pinnedRequirement,
  requireEnvironment,
  setRequirement,
} from "../../project/edit.ts";
import { EnvknitError, UsageError } from "../../core/errors.ts";
import { LOCK_FILENAME } from "../../project/lock.ts";

export const command: Command = {
  name: "pin",
  summary: "pin packages to their locked versions",
  usage: "PKG... [--env NAME] [--no-lock]",
  options: [...EDIT_OPTIONS],
  async run(ctx) {
    if (ctx.args.positionals.length === 0) {
      throw new UsageError("pin needs at least one package name", {
        hints: ["envknit pin requests"],
      });
    }
    const names = [
      ...new Set(
        packageNames(ctx.args.positionals, "pin takes names; the version comes from the lock"),
      ),
    ];
    const config = await loadProject(ctx.cwd);
    const originalText = await Deno.readTextFile(config.path);
    const env = editedEnvironment(config, ctx.args.options.env as string | undefined);
    requireEnvironment(config, env);
    const lock = await currentLock(config);
    if (!lock || !lock.environments[env]) {
      throw new EnvknitError(`environment '${env}' is not locked yet`, {
        hints: [`run 'envknit lock' first (${LOCK_FILENAME})`],
      });
    }
    // A package split by allow_multiple is locked at several versions, one per island: pin the
    // one the application's own imports see (island 0), not whichever entry comes last.
    const locked = new Map<string, (typeof lock.environments)[string][number]>();
    for (const p of lock.environments[env]) {
      const seenByApplication = p.island === undefined || p.island.includes(0);
      if (!locked.has(p.name) || seenByApplication) locked.set(p.name, p);
    }
    const unknown = names.filter((n) => !locked.has(n));
    if (unknown.length) {
      throw new EnvknitError(`not in the lock of '${env}': ${unknown.join(", ")}`, {
        hints: ["only locked packages can be pinned; add others with 'envknit add NAME==VERSION'"],
      });
    }
    const done: string[] = [];
    for (const name of names) {
      const pkg = locked.get(name)!;
      let dev = false;
      let existing = listedRequirements(config, env, false).find((r) => r.name === name);
      if (!existing) {
        existing = listedRequirements(config, env, true).find((r) => r.name === name);
        dev = existing !== undefined || pkg.dev === true;
      }
      const pinned = pinnedRequirement(existing?.requirement ?? null, name, pkg.version);
      if (existing?.requirement === pinned) {
        ctx.out.info(`${pinned} is already pinned`);
        continue;
      }
      setRequirement(config, env, pinned, dev);
      done.push(
        existing
          ? `pinned ${existing.requirement} → ${pinned} in ${listKey(dev)} of '${env}'`
          : `added ${pinned} to ${listKey(dev)} of '${env}' (it was required by other packages)`,
      );
    }
    if (!done.length) return 0;
    await saveAndLock(ctx, config, env, originalText, { done });
    return 0;
  },
};
