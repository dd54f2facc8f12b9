/**
 * Store housekeeping: listing entries, removing what interrupted writers left behind, and garbage
 * collection of entries that no recorded project still uses (seed 002: the store remembers who
 * uses it, and a collector checks which of them still exist).
 *
 * Removals happen under the store lock held exclusively, so no installer is building or renaming
 * at the same time. An entry is first renamed into `packages/.tmp/` (it disappears from its final
 * path in one step) and then deleted: a collector killed half-way never leaves half an entry.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { FileLock } from "./file_lock.ts";
import { ENTRY_MARKER, type EntryMarker, hash16, type StoreLayout } from "./layout.ts";
import type { StorePackage } from "./packages.ts";
import { forgetProject, listProjects, type ProjectRecord } from "./projects.ts";
import { scanLeases } from "./leases.ts";
import { listViews, removeView, type StoreView } from "./view/scan.ts";

/** One installed entry of the store. */
export interface StoreEntry {
  /** The package's (normalized) name: `packages/<name>/`. */
  name: string;
  /** Its version: `packages/<name>/<version>/`. */
  version: string;
  /** The first 16 hex digits of the wheel's sha256: the entry's folder name. */
  hash16: string;
  /** The entry folder. */
  path: string;
  /** Its marker, or null when unreadable. */
  marker: EntryMarker | null;
}

async function dirNames(path: string): Promise<string[]> {
  try {
    const names: string[] = [];
    for await (const e of Deno.readDir(path)) if (e.isDirectory) names.push(e.name);
    return names.sort();
  } catch {
    return [];
  }
}

/** Every entry `packages/<name>/<version>/<hash16>/` of the store, sorted. */
export async function listEntries(layout: StoreLayout): Promise<StoreEntry[]> {
  const entries: StoreEntry[] = [];
  for (const name of await dirNames(layout.packagesDir)) {
    if (name.startsWith(".")) continue;
    for (const version of await dirNames(layout.nameDir(name))) {
      for (const hash of await dirNames(layout.versionDir(name, version))) {
        const path = `${layout.versionDir(name, version)}/${hash}`;
        let marker: EntryMarker | null = null;
        try {
          marker = JSON.parse(await Deno.readTextFile(`${path}/${ENTRY_MARKER}`));
        } catch {
          marker = null;
        }
        entries.push({ name, version, hash16: hash, path, marker });
      }
    }
  }
  return entries;
}

/** Total size in bytes of the files under `path` (links not followed). */
export async function diskUsage(path: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  async function walk(dir: string) {
    let list: Deno.DirEntry[];
    try {
      list = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return;
    }
    for (const e of list) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else {
        try {
          bytes += (await Deno.lstat(p)).size;
          files++;
        } catch {
          // vanished meanwhile
        }
      }
    }
  }
  await walk(path);
  return { bytes, files };
}

/** What {@link cleanupStale} removed. */
export interface CleanupResult {
  /** Temp folders and files of interrupted installs and downloads. */
  temporary: string[];
}

/**
 * Removes leftovers of interrupted writers: `packages/.tmp/*`, `cache/wheels/.tmp/*`,
 * `runtime/.tmp/*` and `views/.tmp/*`. The caller must hold the store lock exclusively (nobody is
 * writing: view builders hold it shared).
 */
export async function cleanupStale(layout: StoreLayout): Promise<CleanupResult> {
  const temporary: string[] = [];
  const dirs = [
    layout.tmpDir,
    layout.wheelCacheTmpDir,
    `${layout.runtimesDir}/.tmp`,
    layout.viewsTmpDir,
  ];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
    } catch {
      continue;
    }
    for (const name of names) {
      await Deno.remove(`${dir}/${name}`, { recursive: true }).catch(() => {});
      temporary.push(`${dir}/${name}`);
    }
    await Deno.remove(dir).catch(() => {});
  }
  return { temporary };
}

/** Runs `fn` with the store lock held exclusively (waits for running installs to finish). */
export async function withExclusiveStore<T>(
  layout: StoreLayout,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await FileLock.acquire(layout.storeLock, { exclusive: true });
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/**
 * A view of a recorded project that links entries its lock no longer lists (made from an older
 * lock) is kept while it was used (by `run` or `env python`) within this time.
 */
export const VIEW_KEPT_MS = 14 * 24 * 3600 * 1000;

/** What a garbage collection found (and removed, unless it was a dry run). */
export interface GcResult {
  /** Projects whose lock is still there. */
  projects: ProjectRecord[];
  /** Projects whose lock file is gone: their records are dropped. */
  droppedProjects: ProjectRecord[];
  /** Entries no recorded lock uses. */
  removedEntries: StoreEntry[];
  /** Cached wheels no recorded lock uses. */
  removedWheels: string[];
  /** Bytes freed (or that would be). */
  bytes: number;
  /** Entries kept. */
  kept: number;
  /** Leftovers of interrupted writers. */
  temporary: string[];
  /** Views kept: of a recorded project's current lock, or leased by a running command. */
  keptViews: StoreView[];
  /** Views removed: their lock is gone or not recorded, or they link what it no longer lists. */
  removedViews: StoreView[];
  /** Leases of running commands honoured (their views and entries kept). */
  leases: number;
  /** Lease files of processes that are gone (removed). */
  staleLeases: string[];
  /** Whether this was a dry run (nothing removed). */
  dryRun: boolean;
}

/** Options of {@link collectUnused}. */
export interface CollectOptions {
  /** Only report what would be removed. */
  dryRun?: boolean;
  /**
   * The package versions a recorded project uses, read from its lock file (the registry's
   * `lock`); throws when the file cannot be read (a missing file drops the project).
   */
  packagesOf: (lockPath: string) => Promise<Iterable<StorePackage>>;
}

/**
 * Removes every entry and cached wheel that no recorded project uses (`packagesOf` its lock: any
 * of a version's wheels), drops records of projects whose lock is gone, and cleans leftovers.
 * With `dryRun`, only reports. (`ops/gc.ts` reads the locks.)
 *
 * Views and leases (DEVELOPERS.md, "Environment views"): a view is a user of the entries it
 * links. A view of a recorded project is kept while its lock lists every entry it links, or while
 * it was used within {@link VIEW_KEPT_MS} (a view of an older lock an editor may still run); a
 * view leased by a running `envknit run` is kept whatever the lock says. Every other view (its
 * project gone, or an old one unused) is removed before entries are collected, so no kept view
 * ever links a removed entry. A lease none of whose processes lives is ignored and removed.
 *
 * @throws EnvknitError when a recorded lock exists but cannot be read: its entries cannot be
 * told apart, so nothing is collected until it is fixed or its record removed.
 */
export async function collectUnused(
  layout: StoreLayout,
  options: CollectOptions,
): Promise<GcResult> {
  const dryRun = options.dryRun ?? false;
  return await withExclusiveStore(layout, async () => {
    const used = new Set<string>(); // name/version/hash16
    const usedWheels = new Set<string>(); // sha256
    const projects: ProjectRecord[] = [];
    const droppedProjects: ProjectRecord[] = [];
    for (const project of await listProjects(layout)) {
      let packages: Iterable<StorePackage>;
      try {
        packages = await options.packagesOf(project.lock);
      } catch (error) {
        const gone = await Deno.stat(project.lock).then(
          () => false,
          (e) => e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory,
        );
        if (gone) {
          droppedProjects.push(project);
          continue;
        }
        throw new EnvknitError(
          `cannot read the lock of a project that uses this store: ${
            error instanceof Error ? error.message : error
          }`,
          {
            hints: [
              "fix that lock, or forget the project: remove " + layout.projectFile(project.id),
            ],
          },
        );
      }
      projects.push(project);
      for (const pkg of packages) {
        for (const wheel of pkg.wheels) {
          used.add(`${pkg.name}/${pkg.version}/${hash16(wheel.sha256)}`);
          usedWheels.add(wheel.sha256);
        }
      }
    }

    // Views: kept while leased or while their project's lock still lists all they link.
    const scan = scanLeases(layout);
    const leased = new Set(scan.live.map((l) => l.view));
    const locks = new Set<string>();
    for (const project of projects) {
      locks.add(project.lock);
      locks.add(await Deno.realPath(project.lock).catch(() => project.lock));
    }
    const keptViews: StoreView[] = [];
    const removedViews: StoreView[] = [];
    const recent = Date.now() - VIEW_KEPT_MS;
    const current = (view: StoreView) => view.entries.every((id) => used.has(id));
    const viewUsers: StoreView[] = [];
    for (const view of listViews(layout)) {
      const recorded = view.lock !== null && locks.has(view.lock);
      if (leased.has(view.key) || (recorded && (current(view) || view.used >= recent))) {
        keptViews.push(view);
        viewUsers.push(view);
      } else {
        removedViews.push(view);
      }
    }
    // A kept view is a user of what it links (an editor may run its python).
    for (const view of viewUsers) for (const id of view.entries) used.add(id);

    const removedEntries: StoreEntry[] = [];
    let bytes = 0;
    let kept = 0;
    for (const entry of await listEntries(layout)) {
      if (used.has(`${entry.name}/${entry.version}/${entry.hash16}`)) {
        kept++;
        continue;
      }
      removedEntries.push(entry);
      bytes += (await diskUsage(entry.path)).bytes;
    }
    const removedWheels: string[] = [];
    try {
      for await (const e of Deno.readDir(layout.wheelCacheDir)) {
        const m = /^([0-9a-f]{64})\.whl$/.exec(e.name);
        if (!e.isFile || !m || usedWheels.has(m[1])) continue;
        const path = `${layout.wheelCacheDir}/${e.name}`;
        removedWheels.push(path);
        bytes += await Deno.stat(path).then((s) => s.size, () => 0);
      }
    } catch {
      // no wheel cache yet
    }
    removedWheels.sort();

    let temporary: string[] = [];
    if (!dryRun) {
      for (const project of droppedProjects) await forgetProject(layout, project.id);
      for (const view of removedViews) await removeView(layout, view);
      for (const path of scan.stale) await Deno.remove(path).catch(() => {});
      for (const entry of removedEntries) await removeEntry(layout, entry);
      for (const path of removedWheels) await Deno.remove(path).catch(() => {});
      // Validated locks are cheap to rebuild: the cache is emptied rather than tracked.
      await Deno.remove(layout.parsedCacheDir, { recursive: true }).catch(() => {});
      await Deno.remove(layout.runPlansDir, { recursive: true }).catch(() => {});
      await Deno.remove(layout.checkedEntriesDir, { recursive: true }).catch(() => {});
      await Deno.remove(layout.lockMemoDir, { recursive: true }).catch(() => {});
      temporary = (await cleanupStale(layout)).temporary;
    }
    return {
      projects,
      droppedProjects,
      removedEntries,
      removedWheels,
      bytes,
      kept,
      temporary,
      keptViews,
      removedViews,
      leases: scan.live.length,
      staleLeases: scan.stale,
      dryRun,
    };
  });
}

/** Removes one entry: renamed out of sight first, then deleted; empty parents go too. */
export async function removeEntry(layout: StoreLayout, entry: StoreEntry): Promise<void> {
  await Deno.mkdir(layout.tmpDir, { recursive: true });
  const aside = `${layout.tmpDir}/gc-${crypto.randomUUID().slice(0, 12)}`;
  try {
    await Deno.rename(entry.path, aside);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw new EnvknitError(`cannot remove ${entry.path}: ${(error as Error).message}`);
  }
  await Deno.remove(aside, { recursive: true });
  // Empty version and name folders are removed (a non-empty one refuses, which is fine).
  await Deno.remove(layout.versionDir(entry.name, entry.version)).catch(() => {});
  await Deno.remove(layout.nameDir(entry.name)).catch(() => {});
}
