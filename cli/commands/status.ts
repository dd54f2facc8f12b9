/**
 * `envknit status`: for each environment of the lock, which packages are installed in the store
 * and which are missing; and whether the lock is stale (envknit.yaml changed since it was written).
 *
 * @module
 */
import type { Command } from "../command.ts";
import { LOCK_OPTIONS, lockPath, selection } from "../lock_options.ts";
import { StoreLayout } from "../../store/layout.ts";
import { loadLock } from "../../project/lock.ts";
import { InstallTarget } from "../../ops/interpreter.ts";
import { selectedEnvironments } from "../../ops/selection.ts";
import { installedState } from "../../ops/status.ts";
import { checkLock } from "../../ops/stale_lock.ts";
import { checkInstallPaths } from "../../ops/install_path.ts";

export const command: Command = {
  name: "status",
  summary: "show which locked packages are installed, per environment",
  usage: "[--env NAME]... [--no-dev] [--lock FILE]",
  options: [...LOCK_OPTIONS],
  async run(ctx) {
    const path = lockPath(ctx);
    const layout = StoreLayout.fromEnv(ctx.env);
    const { lock } = await loadLock(path, layout.parsedCacheDir);
    checkInstallPaths(lock, path, layout);
    const stale = (await checkLock(path, layout.parsedCacheDir))?.reason ?? null;
    const sel = selection(ctx);
    const target = new InstallTarget(lock.target, {
      python: ctx.global.python,
      env: ctx.env,
      cacheDir: layout.cacheDir,
      targets: lock.targets,
    });
    const report: Record<string, { installed: string[]; missing: string[] }> = {};
    for (const env of selectedEnvironments(lock, sel)) {
      report[env] = await installedState(
        lock,
        { environments: [env], dev: sel.dev },
        target,
        layout,
      );
    }
    if (ctx.global.json) {
      ctx.out.print(
        JSON.stringify({ lock: path, store: layout.root, stale, environments: report }, null, 2),
      );
      return 0;
    }
    ctx.out.print(`lock:  ${path}${stale ? ` (stale: ${stale})` : ""}\nstore: ${layout.root}`);
    for (const [env, { installed, missing }] of Object.entries(report)) {
      const state = missing.length ? `${missing.length} missing` : "complete";
      ctx.out.print(`${env}: ${installed.length} installed, ${state}`);
      for (const m of missing) ctx.out.print(`  missing ${m}`);
    }
    if (stale) ctx.out.info("run 'envknit lock' to bring the lock up to date");
    if (Object.values(report).some((r) => r.missing.length)) {
      ctx.out.info("run 'envknit install' to install what is missing");
    }
    return 0;
  },
};
