/**
 * `envknit check`: is envknit.lock.yaml up to date with envknit.yaml? Exit 0 when it is, 1 when
 * envknit.yaml changed since the lock was written (its `config_hash` differs) or an environment
 * is missing from the lock.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { configHash, loadProject } from "../../project/config.ts";
import { EnvknitError } from "../../core/errors.ts";
import { LOCK_FILENAME, readLock } from "../../project/lock.ts";

/** `envknit check`. */
export const command: Command = {
  name: "check",
  summary: "exit 1 when envknit.yaml changed since the lock was written",
  usage: "",
  options: [],
  async run(ctx) {
    const config = await loadProject(ctx.cwd);
    const lockPath = `${config.dir}/${LOCK_FILENAME}`;
    const lock = await readLock(lockPath);
    const expected = await configHash(config);
    const missing = Object.keys(config.environments).filter((e) => !(e in lock.environments))
      .sort();
    const stale = lock.configHash !== expected;
    if (ctx.global.json) {
      ctx.out.print(JSON.stringify({
        upToDate: !stale && missing.length === 0,
        configHash: expected,
        lockConfigHash: lock.configHash,
        missingEnvironments: missing,
      }));
      return stale || missing.length ? 1 : 0;
    }
    if (stale) {
      throw new EnvknitError(`${config.path} changed since ${LOCK_FILENAME} was written`, {
        hints: ["run 'envknit lock' to bring the lock up to date"],
      });
    }
    if (missing.length) {
      throw new EnvknitError(
        `${LOCK_FILENAME} has no environment ${missing.map((m) => `'${m}'`).join(", ")}`,
        { hints: ["run 'envknit lock' to bring the lock up to date"] },
      );
    }
    ctx.out.info(`${LOCK_FILENAME} is up to date with ${config.path}`);
    return 0;
  },
};
