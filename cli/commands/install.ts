/**
 * `envknit install`: put every package of the lock into the store (and the runtime beside them).
 * When envknit.yaml changed since the lock (or there is no lock yet), the project is locked first,
 * with one line saying so; `--locked` makes that an error, `--frozen` installs the lock as it is.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { LOCK_OPTIONS, lockPath, selection, wheelSources } from "../lock_options.ts";
import { formatBytes, Progress, progressBar } from "../progress.ts";
import { installLock } from "../../ops/install.ts";
import { FOLLOW_OPTIONS, lockFirst, lockMode } from "../follow_lock.ts";
import { checkLock } from "../../ops/stale_lock.ts";
import { StoreLayout } from "../../store/layout.ts";

export const command: Command = {
  name: "install",
  summary: "install the locked packages into the store",
  usage: "[--env NAME]... [--no-dev] [--lock FILE] [--locked | --frozen] [--offline] " +
    "[--find-links DIR]...",
  options: [...LOCK_OPTIONS, ...FOLLOW_OPTIONS],
  async run(ctx) {
    const started = performance.now();
    const lock = lockPath(ctx);
    if (lockMode(ctx) !== "frozen") {
      const stale = await checkLock(lock, StoreLayout.fromEnv(ctx.env).parsedCacheDir);
      if (stale) await lockFirst(ctx, stale);
    }
    const progress = new Progress({ enabled: ctx.out.interactive && !ctx.out.quiet });
    let result;
    try {
      result = await installLock({
        lockPath: lock,
        ...selection(ctx),
        python: ctx.global.python,
        // Read (envknit.yaml included) only when some wheel has to be obtained.
        sources: () => wheelSources(ctx, lock),
        offline: ctx.global.offline,
        env: ctx.env,
        onProgress: (p) => {
          const bytes = p.totalBytes
            ? `${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)}`
            : formatBytes(p.bytes);
          progress.update(
            `${
              progressBar(p.totalBytes ? p.bytes : p.done, p.totalBytes ?? p.total)
            } ${p.done}/${p.total} packages, ${bytes}`,
          );
        },
      });
    } finally {
      progress.done();
    }
    if (ctx.global.json) {
      ctx.out.print(JSON.stringify(result, null, 2));
      return 0;
    }
    for (const e of result.entries) {
      if (e.status === "installed") ctx.out.debug(`+ ${e.name} ${e.version} (${e.source})`);
    }
    const ms = Math.round(performance.now() - started);
    ctx.out.info(
      result.installed
        ? `installed ${result.installed} package${result.installed === 1 ? "" : "s"}` +
          (result.present ? `, ${result.present} already present` : "") + ` in ${ms} ms`
        : `all ${result.present} packages already installed`,
    );
    return 0;
  },
};
