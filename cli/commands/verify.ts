/**
 * `envknit verify`: rehash the installed files of the lock's entries; exit 1 listing every
 * changed, missing or extra file (and every package not installed at all).
 *
 * @module
 */
import type { Command } from "../command.ts";
import { LOCK_OPTIONS, lockPath, selection } from "../lock_options.ts";
import { verifyLock } from "../../ops/verify.ts";

export const command: Command = {
  name: "verify",
  summary: "check the installed files against what was installed",
  usage: "[--env NAME]... [--no-dev] [--lock FILE]",
  options: [...LOCK_OPTIONS],
  async run(ctx) {
    const result = await verifyLock({
      lockPath: lockPath(ctx),
      ...selection(ctx),
      env: ctx.env,
      python: ctx.global.python,
    });
    if (ctx.global.json) {
      ctx.out.print(JSON.stringify(result, null, 2));
      return result.problems.length ? 1 : 0;
    }
    for (const p of result.problems) {
      ctx.out.print(
        p.kind === "absent"
          ? `absent   ${p.package} (not installed)`
          : `${p.kind.padEnd(8)} ${p.package}: ${p.path}`,
      );
    }
    if (result.problems.length) {
      ctx.out.error(
        `${result.problems.length} problem${result.problems.length === 1 ? "" : "s"} in ` +
          `${result.entries} entries`,
        result.problems.some((p) => p.kind === "absent")
          ? ["run 'envknit install' for packages that are not installed"]
          : [
            "a changed entry can be reinstalled: envknit store gc removes nothing in use, so " +
            `remove the entry folder and run 'envknit install'`,
          ],
      );
      return 1;
    }
    ctx.out.info(`verified ${result.files} files in ${result.entries} entries: all intact`);
    return 0;
  },
};
