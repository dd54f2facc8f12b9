/**
 * `envknit add PKG...`: add requirements to an environment of envknit.yaml (replacing one of the
 * same name, creating the environment if needed), then lock that environment. Also the re-lock
 * step and the package-name arguments `remove`, `pin` and `upgrade` share.
 *
 * @module
 */
import type { OptionSpec } from "../args.ts";
import type { Command, CommandContext } from "../command.ts";
import { globalLockOptions } from "../lock_options.ts";
import {
  type EditableConfig,
  loadProject,
  type ProjectConfig,
  saveConfig,
} from "../../project/config.ts";
import {
  checkEdited,
  editedEnvironment,
  listedRequirements,
  listKey,
  setRequirement,
} from "../../project/edit.ts";
import { EnvknitError } from "../../core/errors.ts";
import { LOCK_FILENAME, type Lockfile, readLock } from "../../project/lock.ts";
import { describeChanges, diffPackages, isEmptyDiff } from "../../project/lock_diff.ts";
import { lockProject } from "../../ops/lock/lock_project.ts";
import { writeFileAtomicSync } from "../../core/atomic_write.ts";
import { normalizeName, parseRequirement } from "../../resolver/mod.ts";

/** `--env` and `--no-lock`, shared by the commands that edit requirements. */
export const EDIT_OPTIONS: OptionSpec[] = [
  {
    name: "env",
    kind: "string",
    value: "NAME",
    description: "the environment (default: 'default', or the only one)",
  },
  {
    name: "no-lock",
    kind: "boolean",
    description: "change envknit.yaml only; do not lock",
  },
];

/**
 * The package names given on the command line, PEP 503-normalized (validated: `foo bar` is an
 * error whose hint is `hint`), in order, duplicates kept.
 */
export function packageNames(positionals: string[], hint: string): string[] {
  return positionals.map((n) => {
    try {
      return normalizeName(n.trim());
    } catch {
      throw new EnvknitError(`invalid package name ${JSON.stringify(n)}`, { hints: [hint] });
    }
  });
}

/** The project's lock, or null when there is none yet (or it cannot be read). */
export async function currentLock(config: ProjectConfig): Promise<Lockfile | null> {
  try {
    return await readLock(`${config.dir}/${LOCK_FILENAME}`);
  } catch {
    return null;
  }
}

/**
 * Saves the edited envknit.yaml, then locks environment `env` (unless `--no-lock`) and tells what
 * changed in it. When locking fails, envknit.yaml is put back as it was, so a failed `add` leaves
 * nothing half done. `done` are the lines that report the edits (`added x to …`): they are printed
 * only once the edit stands (locked, or saved with `--no-lock`), never before a failure.
 */
export async function saveAndLock(
  ctx: CommandContext,
  config: EditableConfig,
  env: string,
  originalText: string,
  options: { update?: string[]; done?: string[] } = {},
): Promise<void> {
  await checkEdited(config);
  await saveConfig(config);
  const report = () => {
    for (const line of options.done ?? []) ctx.out.info(line);
  };
  if (ctx.args.options["no-lock"]) {
    report();
    ctx.out.info(`not locked (--no-lock): run 'envknit lock' to update ${LOCK_FILENAME}`);
    return;
  }
  const before = await currentLock(config);
  ctx.out.info(`locking environment '${env}'…`);
  let lock: Lockfile;
  try {
    ({ lock } = await lockProject({
      configPath: config.path,
      cwd: ctx.cwd,
      env,
      update: options.update,
      ...globalLockOptions(ctx),
      onWarning: (m) => ctx.out.warn(m),
    }));
  } catch (error) {
    writeFileAtomicSync(config.path, originalText);
    if (error instanceof EnvknitError) {
      throw new EnvknitError(error.message, {
        exitCode: error.exitCode,
        hints: [
          ...error.hints,
          `${config.path} was left unchanged; --no-lock changes it without locking`,
        ],
      });
    }
    throw error;
  }
  report();
  const diff = diffPackages(before?.environments[env] ?? [], lock.environments[env] ?? []);
  if (isEmptyDiff(diff)) {
    ctx.out.info(`locked '${env}': no package changed`);
  } else {
    ctx.out.info(`locked '${env}':`);
    for (const line of describeChanges(diff)) ctx.out.info(`  ${line}`);
  }
}

export const command: Command = {
  name: "add",
  summary: "add requirements to an environment and lock",
  usage: `PKG... [--env NAME] [--dev] [--no-lock]

Each PKG is a PEP 508 requirement ("requests>=2.28", "click[colors]==8.1.7").
A requirement for a package already listed replaces it. The environment is
created when it does not exist. Then the environment is locked (not with --no-lock).`,
  options: [
    ...EDIT_OPTIONS,
    { name: "dev", kind: "boolean", description: "add to dev_packages" },
  ],
  async run(ctx) {
    const requirements = ctx.args.positionals.map((r) => r.trim());
    if (requirements.length === 0) {
      throw new EnvknitError("add needs at least one requirement", {
        exitCode: 2,
        hints: ['envknit add "requests>=2.28"'],
      });
    }
    // Every requirement is checked before anything is written.
    const names = requirements.map((r) => {
      try {
        return parseRequirement(r).name;
      } catch (error) {
        throw new EnvknitError(
          `invalid requirement ${JSON.stringify(r)}: ${
            error instanceof Error ? error.message : error
          }`,
          { hints: ['a requirement looks like "name", "name>=1.0" or "name[extra]==1.2"'] },
        );
      }
    });
    const config = await loadProject(ctx.cwd);
    const originalText = await Deno.readTextFile(config.path);
    const env = editedEnvironment(config, ctx.args.options.env as string | undefined);
    const dev = ctx.args.options.dev === true;
    const created = !config.environments[env];
    const other = new Set(
      listedRequirements(config, env, !dev).map((r) => r.name).filter((n) => n !== null),
    );
    const done: string[] = [];
    if (created) done.push(`created environment '${env}'`);
    requirements.forEach((requirement, i) => {
      const replaced = setRequirement(config, env, requirement, dev);
      const where = `${listKey(dev)} of '${env}'`;
      done.push(
        replaced === null
          ? `added ${requirement} to ${where}`
          : `replaced ${replaced} with ${requirement} in ${where}`,
      );
      if (other.has(names[i])) {
        ctx.out.warn(`${names[i]} is also in ${listKey(!dev)} of '${env}'`);
      }
    });
    await saveAndLock(ctx, config, env, originalText, { done });
    return 0;
  },
};
