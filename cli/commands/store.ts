/**
 * `envknit store list | stats | cleanup | gc [--dry-run]`: look after the global store.
 *
 * - `list`: every installed entry (name, version, hash, wheel);
 * - `stats`: counts and sizes (entries, cached wheels, runtimes, recorded projects);
 * - `cleanup`: remove what interrupted installs left behind and records of projects whose lock
 *   is gone;
 * - `gc`: also remove every entry and cached wheel that no recorded project's lock uses, and the
 *   views of locks that are gone or changed; what a running `envknit run` uses (its lease) stays.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { formatBytes } from "../progress.ts";
import { UsageError } from "../../core/errors.ts";
import { didYouMean } from "../../core/suggest.ts";
import { StoreLayout } from "../../store/layout.ts";
import { cleanupStale, diskUsage, listEntries, withExclusiveStore } from "../../store/gc.ts";
import { collectGarbage } from "../../ops/gc.ts";
import { forgetProject, listProjects } from "../../store/projects.ts";

const SUBCOMMANDS = ["list", "stats", "cleanup", "gc"];

export const command: Command = {
  name: "store",
  summary: "list, measure, clean up or garbage-collect the package store",
  usage: "list | stats | cleanup | gc [--dry-run]",
  options: [
    { name: "dry-run", kind: "boolean", description: "gc: only report what would be removed" },
  ],
  async run(ctx) {
    const [sub, ...rest] = ctx.args.positionals;
    if (!sub || !SUBCOMMANDS.includes(sub)) {
      throw new UsageError(
        sub
          ? `unknown store command '${sub}'${didYouMean(sub, SUBCOMMANDS)}`
          : "envknit store needs a subcommand",
        { hints: [`one of: ${SUBCOMMANDS.join(", ")}`] },
      );
    }
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    if (ctx.args.options["dry-run"] && sub !== "gc") {
      throw new UsageError("--dry-run applies to 'envknit store gc'");
    }
    const layout = StoreLayout.fromEnv(ctx.env);
    const json = ctx.global.json;

    if (sub === "list") {
      const entries = await listEntries(layout);
      if (json) {
        ctx.out.print(JSON.stringify(
          entries.map((e) => ({
            name: e.name,
            version: e.version,
            hash16: e.hash16,
            wheel: e.marker?.wheel ?? null,
            path: e.path,
          })),
          null,
          2,
        ));
      } else {
        for (const e of entries) {
          ctx.out.print(`${e.name} ${e.version} ${e.hash16} ${e.marker?.wheel ?? "(no marker)"}`);
        }
        ctx.out.info(`${entries.length} entries in ${layout.packagesDir}`);
      }
      return 0;
    }

    if (sub === "stats") {
      const entries = await listEntries(layout);
      const packages = await diskUsage(layout.packagesDir);
      const wheels = await diskUsage(layout.wheelCacheDir);
      const cache = await diskUsage(layout.cacheDir);
      const runtimes = await diskUsage(layout.runtimesDir);
      const projects = await listProjects(layout);
      const stats = {
        store: layout.root,
        entries: entries.length,
        packages: new Set(entries.map((e) => e.name)).size,
        packageBytes: packages.bytes,
        packageFiles: packages.files,
        cachedWheels: wheels.files,
        cachedWheelBytes: wheels.bytes,
        cacheBytes: cache.bytes,
        runtimeBytes: runtimes.bytes,
        recordedProjects: projects.length,
      };
      if (json) ctx.out.print(JSON.stringify(stats, null, 2));
      else {
        ctx.out.print([
          `store:             ${stats.store}`,
          `entries:           ${stats.entries} (${stats.packages} distinct packages)`,
          `installed files:   ${stats.packageFiles} (${formatBytes(stats.packageBytes)})`,
          `cached wheels:     ${stats.cachedWheels} (${formatBytes(stats.cachedWheelBytes)})`,
          `cache in all:      ${formatBytes(stats.cacheBytes)}`,
          `runtime:           ${formatBytes(stats.runtimeBytes)}`,
          `recorded projects: ${stats.recordedProjects}`,
        ].join("\n"));
      }
      return 0;
    }

    if (sub === "cleanup") {
      const result = await withExclusiveStore(layout, async () => {
        const dropped: string[] = [];
        for (const p of await listProjects(layout)) {
          if (!(await Deno.stat(p.lock).then(() => true, () => false))) {
            await forgetProject(layout, p.id);
            dropped.push(p.lock);
          }
        }
        const { temporary } = await cleanupStale(layout);
        return { temporary, droppedProjects: dropped };
      });
      if (json) ctx.out.print(JSON.stringify(result, null, 2));
      else {
        for (const p of result.droppedProjects) ctx.out.print(`forgot project ${p} (lock gone)`);
        ctx.out.info(
          `removed ${result.temporary.length} leftover temp item(s), forgot ` +
            `${result.droppedProjects.length} project(s)`,
        );
      }
      return 0;
    }

    const dryRun = !!ctx.args.options["dry-run"];
    const result = await collectGarbage(layout, { dryRun });
    if (json) {
      ctx.out.print(JSON.stringify(
        {
          dryRun,
          projects: result.projects.map((p) => p.lock),
          droppedProjects: result.droppedProjects.map((p) => p.lock),
          removedEntries: result.removedEntries.map((e) => e.path),
          removedWheels: result.removedWheels,
          bytes: result.bytes,
          kept: result.kept,
          keptViews: result.keptViews.map((v) => v.path),
          removedViews: result.removedViews.map((v) => v.path),
          leases: result.leases,
          staleLeases: result.staleLeases,
        },
        null,
        2,
      ));
      return 0;
    }
    const verb = dryRun ? "would remove" : "removed";
    for (const p of result.droppedProjects) {
      ctx.out.print(`${dryRun ? "would forget" : "forgot"} project ${p.lock} (lock gone)`);
    }
    for (const e of result.removedEntries) {
      ctx.out.print(`${verb} ${e.name} ${e.version} ${e.hash16}`);
    }
    for (const w of result.removedWheels) {
      ctx.out.print(`${verb} cached ${w.slice(w.lastIndexOf("/") + 1)}`);
    }
    for (const v of result.removedViews) ctx.out.print(`${verb} view ${v.key}`);
    if (result.leases) {
      ctx.out.info(
        `kept what ${result.leases} running command${result.leases === 1 ? " uses" : "s use"}`,
      );
    }
    ctx.out.info(
      `${verb} ${result.removedEntries.length} entries and ${result.removedWheels.length} cached ` +
        `wheels (${formatBytes(result.bytes)}); kept ${result.kept} entries used by ` +
        `${result.projects.length} project(s)`,
    );
    return 0;
  },
};
