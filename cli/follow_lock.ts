/**
 * `--locked` and `--frozen` of `run` and `install`, and what they do with a stale lock (#15.4):
 * by default envknit.yaml changed since the lock (or no lock yet) means lock first, saying so in
 * one line; `--locked` makes it an error (exit 1); `--frozen` uses the lock as it is, as
 * `uv run` does.
 *
 * @module
 */
import type { OptionSpec } from "./args.ts";
import type { CommandContext } from "./command.ts";
import { UsageError } from "../core/errors.ts";
import { globalLockOptions, wheelSources } from "./lock_options.ts";
import { type LockMode, StaleLockError } from "../ops/stale_lock.ts";
import { prepareRun, type RunEnvironment, type RunOptions } from "../ops/run.ts";

/** `--locked`, `--frozen`. */
export const FOLLOW_OPTIONS: OptionSpec[] = [
  {
    name: "locked",
    kind: "boolean",
    description: "fail (exit 1) when envknit.yaml changed since the lock, instead of locking first",
  },
  {
    name: "frozen",
    kind: "boolean",
    description: "use the lock as it is, even when envknit.yaml changed since",
  },
];

/** The mode the options ask for. */
export function lockMode(ctx: CommandContext): LockMode {
  const locked = ctx.args.options.locked === true;
  const frozen = ctx.args.options.frozen === true;
  if (locked && frozen) throw new UsageError("--locked and --frozen exclude each other");
  return locked ? "locked" : frozen ? "frozen" : "auto";
}

/**
 * What a stale lock leads to: with `--locked`, the error itself; else one line saying so, then
 * the project is locked (quietly: warnings only).
 */
export async function lockFirst(ctx: CommandContext, stale: StaleLockError): Promise<void> {
  if (lockMode(ctx) === "locked") throw stale;
  ctx.out.info(`${stale.reason}: locking first`);
  const { lockProject } = await import("../ops/lock/lock_project.ts");
  const { recordProject } = await import("../store/projects.ts");
  const result = await lockProject({
    configPath: stale.configPath,
    cwd: stale.configPath.slice(0, stale.configPath.lastIndexOf("/")) || "/",
    ...globalLockOptions(ctx),
    onWarning: (m) => ctx.out.warn(m),
  });
  await recordProject(result.lockPath, { env: ctx.env });
}

/**
 * `prepareRun` for `run` and `env python`, the lock followed: when it is stale, the project is
 * locked first (or `--locked` fails) and what the environment lacks installed, then prepared.
 */
export async function prepareFollowingLock(
  ctx: CommandContext,
  options: RunOptions,
): Promise<RunEnvironment> {
  const mode = lockMode(ctx);
  const prepare = () => prepareRun({ ...options, checkConfig: mode !== "frozen" });
  try {
    return await prepare();
  } catch (error) {
    if (!(error instanceof StaleLockError)) throw error;
    await lockFirst(ctx, error);
  }
  const { installLock } = await import("../ops/install.ts");
  await installLock({
    lockPath: options.lockPath,
    environments: options.environment ? [options.environment] : [],
    dev: options.dev,
    python: options.python,
    sources: () => wheelSources(ctx, options.lockPath),
    offline: ctx.global.offline,
    env: ctx.env,
  });
  return await prepare();
}
