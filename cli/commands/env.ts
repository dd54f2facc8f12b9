/**
 * `envknit env`: list, create and remove the environments of envknit.yaml (comments kept), and
 * `env python [NAME]`: the path of the environment's interpreter, `bin/python` of its view (built
 * when missing, as `envknit run` builds it), for an editor or a shell: started directly, with
 * nothing set, it is that environment.
 *
 * @module
 */
import type { Command, CommandContext } from "../command.ts";
import type { CompletionHints } from "./completions.ts";
import { loadProject, type ProjectConfig, saveConfig } from "../../project/config.ts";
import { addEnvironment, checkEdited, removeEnvironment } from "../../project/edit.ts";
import { UsageError } from "../../core/errors.ts";
import { didYouMean } from "../../core/suggest.ts";
import { LOCK_FILENAME, type Lockfile, readLock } from "../../project/lock.ts";
import { LOCK_OPTIONS, lockPath } from "../lock_options.ts";
import { FOLLOW_OPTIONS, prepareFollowingLock } from "../follow_lock.ts";

const SUBCOMMANDS = ["list", "create", "remove", "python"];

/** Completion facts of this command. */
export const completion: CompletionHints = { positionals: SUBCOMMANDS };

export const command: Command = {
  name: "env",
  summary: "list, create or remove environments",
  usage: "list | create NAME [--python-version X.Y] | remove NAME | " +
    "python [NAME] [--no-dev] [--lock FILE] [--locked | --frozen]",
  options: [
    ...LOCK_OPTIONS.filter((o) => o.name !== "env"),
    ...FOLLOW_OPTIONS,
    {
      name: "python-version",
      kind: "string",
      value: "X.Y",
      description: "the new environment's target Python (env create)",
    },
  ],
  async run(ctx) {
    const [sub, ...rest] = ctx.args.positionals;
    if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
      throw new UsageError(
        sub === undefined
          ? "env needs a subcommand"
          : `unknown env subcommand '${sub}'${didYouMean(sub, SUBCOMMANDS)}`,
        { hints: [`use one of: ${SUBCOMMANDS.join(", ")}`] },
      );
    }
    const pythonVersion = ctx.args.options["python-version"] as string | undefined;
    if (pythonVersion !== undefined && sub !== "create") {
      throw new UsageError("--python-version goes with 'env create'");
    }
    if (sub === "python") return await python(ctx, rest);
    for (const name of ["lock", "no-dev", "locked", "frozen"]) {
      if (ctx.args.options[name] !== undefined) {
        throw new UsageError(`--${name} goes with 'env python'`);
      }
    }
    const config = await loadProject(ctx.cwd);
    if (sub === "list") {
      if (rest.length) throw new UsageError("env list takes no arguments");
      return await list(ctx, config);
    }
    if (rest.length !== 1) throw new UsageError(`env ${sub} takes one environment name`);
    const name = rest[0];
    if (sub === "create") {
      addEnvironment(config, name, { pythonVersion });
      await checkEdited(config);
      await saveConfig(config);
      ctx.out.info(`created environment '${name}' in ${config.path}`);
      ctx.out.info(`next: 'envknit add --env ${name} <package>'`);
      return 0;
    }
    removeEnvironment(config, name);
    await checkEdited(config);
    await saveConfig(config);
    ctx.out.info(`removed environment '${name}' from ${config.path}`);
    const lock = await lockOf(config);
    if (lock && name in lock.environments) {
      ctx.out.info(`run 'envknit lock' to drop it from ${LOCK_FILENAME} too`);
    }
    return 0;
  },
};

/** The project's lock, or null when there is none (or it cannot be read: list still works). */
async function lockOf(config: ProjectConfig): Promise<Lockfile | null> {
  try {
    return await readLock(`${config.dir}/${LOCK_FILENAME}`);
  } catch {
    return null;
  }
}

async function list(ctx: CommandContext, config: ProjectConfig): Promise<number> {
  const lock = await lockOf(config);
  const rows = Object.values(config.environments).map((e) => ({
    name: e.name,
    pythonVersion: e.pythonVersion ?? null,
    packages: e.packages,
    devPackages: e.devPackages,
    locked: lock?.environments[e.name]?.length ?? null,
  }));
  if (ctx.global.json) {
    ctx.out.print(JSON.stringify({ config: config.path, environments: rows }, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    ctx.out.info(`no environments in ${config.path}; create one with 'envknit env create NAME'`);
    return 0;
  }
  const table = [
    ["NAME", "PYTHON", "PACKAGES", "DEV", "LOCKED"],
    ...rows.map((r) => [
      r.name,
      r.pythonVersion ?? "-",
      String(r.packages.length),
      String(r.devPackages.length),
      r.locked === null ? "-" : String(r.locked),
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) {
    ctx.out.print(row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
  }
  return 0;
}

/**
 * `env python [NAME]`: prints the view's `bin/python` (the lock followed as `run` follows it).
 * The view is its own user for `store gc` (no lease: the path outlives this command).
 */
async function python(ctx: CommandContext, rest: string[]): Promise<number> {
  if (rest.length > 1) throw new UsageError("env python takes at most one environment name");
  const prepared = await prepareFollowingLock(ctx, {
    lockPath: lockPath(ctx),
    environment: rest[0],
    dev: !ctx.args.options["no-dev"],
    python: ctx.global.python,
    env: ctx.env,
  });
  ctx.out.print(
    ctx.global.json
      ? JSON.stringify({
        environment: prepared.environment,
        python: prepared.viewPython,
        view: prepared.view,
      })
      : prepared.viewPython,
  );
  return 0;
}
