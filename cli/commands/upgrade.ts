/**
 * `envknit upgrade [PKG...]`: lock again, letting the named packages (or, without names, every
 * package) move to the newest versions envknit.yaml allows, and print what changed.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { globalLockOptions } from "../lock_options.ts";
import { currentLock, packageNames } from "./add.ts";
import { loadProject } from "../../project/config.ts";
import { requireEnvironment } from "../../project/edit.ts";
import { EnvknitError } from "../../core/errors.ts";
import { describeChanges, diffLocks } from "../../project/lock_diff.ts";
import { lockProject } from "../../ops/lock/lock_project.ts";

export const command: Command = {
  name: "upgrade",
  summary: "upgrade locked packages",
  usage: `[PKG...] [--env NAME] [--dry-run]

Locks again with the named packages (without names: all packages) free to move to
the newest versions envknit.yaml allows; the others keep their locked versions when
they can. Prints each change (↑ upgraded, ↓ downgraded, + added, - removed).`,
  options: [
    {
      name: "env",
      kind: "string",
      value: "NAME",
      description: "only this environment (default: all)",
    },
    { name: "dry-run", kind: "boolean", description: "show the changes without writing the lock" },
  ],
  async run(ctx) {
    const names = packageNames(
      ctx.args.positionals,
      "name the package without a version: envknit upgrade requests",
    );
    const config = await loadProject(ctx.cwd);
    const env = ctx.args.options.env as string | undefined;
    if (env !== undefined) requireEnvironment(config, env);
    const dryRun = ctx.args.options["dry-run"] === true;
    const before = await currentLock(config);
    if (names.length && before) {
      const locked = new Set(
        Object.entries(before.environments)
          .filter(([e]) => env === undefined || e === env)
          .flatMap(([, packages]) => packages.map((p) => p.name)),
      );
      const unknown = names.filter((n) => !locked.has(n));
      if (unknown.length) {
        throw new EnvknitError(
          `not in the lock${env ? ` of '${env}'` : ""}: ${unknown.join(", ")}`,
          { hints: ["add a package with 'envknit add'"] },
        );
      }
    }
    const result = await lockProject({
      configPath: config.path,
      cwd: ctx.cwd,
      env,
      update: names.length ? names : undefined,
      upgrade: names.length === 0,
      dryRun,
      ...globalLockOptions(ctx),
      onWarning: (m) => ctx.out.warn(m),
    });
    const empty = { ...result.lock, environments: {} };
    // What upgrade reports is packages: a config_hash that changed with envknit.yaml is not one.
    const old = before ? { ...before, configHash: result.lock.configHash } : empty;
    const diff = diffLocks(old, result.lock, result.environments);
    if (ctx.global.json) {
      ctx.out.print(JSON.stringify(
        {
          lock: result.lockPath,
          dryRun,
          written: result.written,
          changed: !diff.equal,
          environments: Object.fromEntries(
            result.environments.map((e) => [
              e,
              diff.environments[e] ?? {
                added: diff.addedEnvironments.some((a) => a.name === e)
                  ? result.lock.environments[e].map((p) => ({ name: p.name, version: p.version }))
                  : [],
                removed: [],
                changed: [],
              },
            ]),
          ),
        },
        null,
        2,
      ));
      return 0;
    }
    if (diff.equal) {
      ctx.out.info(
        `nothing to upgrade: ${
          names.length ? names.join(", ") : "every package"
        } is at the newest version envknit.yaml allows`,
      );
      return 0;
    }
    for (const added of diff.addedEnvironments) {
      ctx.out.print(`${added.name}: (not locked before)`);
      for (const p of result.lock.environments[added.name]) {
        ctx.out.print(`  + ${p.name} ${p.version}`);
      }
    }
    for (const [e, changes] of Object.entries(diff.environments)) {
      ctx.out.print(`${e}:`);
      for (const line of describeChanges(changes)) ctx.out.print(`  ${line}`);
    }
    ctx.out.info(dryRun ? "dry run: the lock was not written" : `updated ${result.lockPath}`);
    return 0;
  },
};
