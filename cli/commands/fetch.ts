/**
 * `envknit fetch --dest DIR`: write every wheel the lock needs into a folder, for machines
 * without the index (`envknit install --offline --find-links DIR` there).
 *
 * @module
 */
import type { Command } from "../command.ts";
import { LOCK_OPTIONS, lockPath, selection, wheelSources } from "../lock_options.ts";
import { formatBytes, Progress, progressBar } from "../progress.ts";
import { UsageError } from "../../core/errors.ts";
import { fetchLock } from "../../ops/fetch.ts";

export const command: Command = {
  name: "fetch",
  summary: "download the locked wheels into a folder (for offline installs)",
  usage: "--dest DIR [--target N | --all-platforms] [--env NAME]... [--no-dev] [--lock FILE]",
  options: [
    { name: "dest", kind: "string", value: "DIR", description: "the folder to write wheels to" },
    {
      name: "all-platforms",
      kind: "boolean",
      description: "every wheel of each locked version, not only this interpreter's",
    },
    {
      name: "target",
      kind: "string",
      value: "N",
      description:
        "only the wheels of the lock's target N (1 is the first; default: every target of a multi-target lock)",
    },
    ...LOCK_OPTIONS,
  ],
  async run(ctx) {
    const dest = ctx.args.options.dest as string | undefined;
    if (!dest) throw new UsageError("envknit fetch needs --dest DIR");
    const targetOption = ctx.args.options.target as string | undefined;
    let target: number | undefined;
    if (targetOption !== undefined) {
      if (!/^[1-9][0-9]{0,5}$/.test(targetOption)) {
        throw new UsageError(
          `--target takes the number of one of the lock's targets (1, 2, …), not ${
            JSON.stringify(targetOption)
          }`,
        );
      }
      if (ctx.args.options["all-platforms"]) {
        throw new UsageError("--target and --all-platforms do not go together");
      }
      target = Number(targetOption);
    }
    const lock = lockPath(ctx);
    const { findLinks, credentialUrls } = await wheelSources(ctx, lock);
    const progress = new Progress({ enabled: ctx.out.interactive && !ctx.out.quiet });
    let result;
    try {
      result = await fetchLock({
        lockPath: lock,
        dest: dest.startsWith("/") ? dest : `${ctx.cwd}/${dest}`,
        allPlatforms: !!ctx.args.options["all-platforms"],
        target,
        ...selection(ctx),
        python: ctx.global.python,
        findLinks,
        offline: ctx.global.offline,
        env: ctx.env,
        credentialUrls,
        onProgress: (p) =>
          progress.update(
            `${progressBar(p.done, p.total)} ${p.done}/${p.total} wheels, ${formatBytes(p.bytes)}`,
          ),
      });
    } finally {
      progress.done();
    }
    if (ctx.global.json) {
      ctx.out.print(JSON.stringify(result, null, 2));
      return 0;
    }
    ctx.out.info(
      `wrote ${result.written.length} wheel${result.written.length === 1 ? "" : "s"} to ${dest}` +
        (result.kept.length ? ` (${result.kept.length} already there)` : ""),
    );
    return 0;
  },
};
