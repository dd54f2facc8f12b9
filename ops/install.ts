/**
 * `installLock`: makes every package of a lock's environments present in the store (the
 * operation behind `envknit install`, exported by `mod.ts`).
 *
 * The lock is read (through the parse cache), its selected environments become package versions
 * (`selection.ts`), each gets its best wheel for the target interpreter (`interpreter.ts`,
 * `chooseWheels`), and the store installs what is missing (`store/installing.ts`: all or
 * nothing, under the shared store lock). Then, still under the lock, the runtime is written if
 * missing or stale and the project recorded for `store gc`.
 *
 * @module
 */
import type { HttpClient } from "../store/http/client.ts";
import { StoreLayout } from "../store/layout.ts";
import { recordProject } from "../store/projects.ts";
import { ensureRuntime, runtimeIsCurrent } from "../store/runtime.ts";
import {
  type InstalledEntry,
  type InstallProgress,
  installWheels,
  withInstallLock,
} from "../store/installing.ts";
import { loadLock } from "../project/lock.ts";
import { sha256Hex } from "../core/sha256.ts";
import { writeFileAtomicSync } from "../core/atomic_write.ts";
import { InstallTarget } from "./interpreter.ts";
import { machineWheels, type Selection } from "./selection.ts";
import { lockMetadataCheck } from "./metadata_check.ts";
import { checkInstallPaths } from "./install_path.ts";
import { isDirectory } from "../core/file_kind.ts";

export type { InstalledEntry, InstallProgress };

/** Options of {@link installLock}. */
export interface InstallOptions extends Selection {
  /** The lock file. */
  lockPath: string;
  /** `--python`: the interpreter to choose wheels for (else ENVKNIT_PYTHON, else found). */
  python?: string;
  /** Folders searched for wheel files (by the lock's file names) before the network. */
  findLinks?: string[];
  /** Never use the network: wheels must be in the cache or a find-links folder. */
  offline?: boolean;
  /** Environment variables (`ENVKNIT_HOME`, `ENVKNIT_PYTHON`, `PATH`, …). */
  env?: Record<string, string>;
  /** The store (default: from `env`). */
  layout?: StoreLayout;
  /** The HTTP client for downloads (default: a new one). */
  http?: HttpClient;
  /** Index URLs whose credentials downloads may use (from envknit.yaml or --index-url). */
  credentialUrls?: string[];
  /**
   * More find-links folders and credential URLs, asked for only when some wheel is missing (so a
   * warm install need not read envknit.yaml).
   */
  sources?: () => Promise<{ findLinks: string[]; credentialUrls: string[] }>;
  /** Wheels built at once (default 6). */
  concurrency?: number;
  /** Attempts per wheel when a transfer breaks off (default 3). */
  attempts?: number;
  /** Progress of the missing wheels (called often: keep it cheap). */
  onProgress?: (progress: InstallProgress) => void;
}

/** What {@link installLock} did. */
export interface InstallResult {
  /** The lock file installed. */
  lockPath: string;
  /** One entry per package version (its chosen wheel), installed now or already present. */
  entries: InstalledEntry[];
  /** How many entries were installed now. */
  installed: number;
  /** How many were already present. */
  present: number;
  /** The runtime folder (`runtime/<version>`). */
  runtimeDir: string;
}

/**
 * Installs the selected environments of the lock at `options.lockPath` into the store.
 *
 * @throws EnvknitError for a missing or invalid lock, no suitable wheel, a wheel that is not
 * what the lock says, a hostile wheel, or a failed download; the store is then unchanged.
 */
export async function installLock(options: InstallOptions): Promise<InstallResult> {
  const env = options.env ?? Deno.env.toObject();
  const layout = options.layout ?? StoreLayout.fromEnv(env);
  const { lock, key, remember } = await loadLock(options.lockPath, layout.parsedCacheDir);
  // A lock's install_path is never followed; one naming anything but the store entry is refused.
  checkInstallPaths(lock, options.lockPath, layout);
  const target = new InstallTarget(lock.target, {
    python: options.python,
    env,
    cacheDir: layout.cacheDir,
    targets: lock.targets,
  });
  // The entries whose marker holds for this machine, each with the wheel that fits it.
  const chosen = await machineWheels(lock, options, target);

  // Nothing to write when every entry and the runtime are in place (a read-only store works).
  const nothingToWrite = () =>
    runtimeIsCurrent(layout) &&
    chosen.every((c) =>
      isDirectory(layout.entryDir(c.pkg.name, c.pkg.version, c.wheel.wheel.sha256))
    );
  return await withInstallLock(layout, async () => {
    // Entries checked against this lock text and selection by an earlier install are not read
    // again: entries never change in place, and store gc (which removes them) drops the memo.
    const memo = await checkedMemo(layout, key, options);
    const entries = await installWheels(chosen, {
      ...options,
      layout,
      env,
      checked: memo.checked,
      checkMetadata: lockMetadataCheck(lock, options, layout),
    });
    memo.save(entries.map((e) => e.path));
    const runtimeDir = await ensureRuntime(layout);
    await recordProject(options.lockPath, { layout });
    await remember();
    const installed = entries.filter((e) => e.status === "installed").length;
    return {
      lockPath: options.lockPath,
      entries,
      installed,
      present: entries.length - installed,
      runtimeDir,
    };
  }, { nothingToWrite });
}

/**
 * The entry folders found to be what this lock says, for this lock text and selection
 * (`cache/checked/<key>.json`), and how to remember them after an install. Any failure to read
 * or write is harmless: the entries are then checked again.
 */
async function checkedMemo(
  layout: StoreLayout,
  lockKey: string,
  selection: Selection,
): Promise<{ checked: Set<string>; save: (dirs: string[]) => void }> {
  const choices = JSON.stringify([
    lockKey,
    selection.environments ?? null,
    selection.dev ?? null,
  ]);
  const file = `${layout.checkedEntriesDir}/${(await sha256Hex(choices)).slice(0, 32)}.json`;
  let checked = new Set<string>();
  try {
    const dirs = JSON.parse(Deno.readTextFileSync(file));
    if (Array.isArray(dirs)) checked = new Set(dirs.filter((d) => typeof d === "string"));
  } catch {
    // none yet
  }
  const save = (dirs: string[]) => {
    if (dirs.length === checked.size && dirs.every((d) => checked.has(d))) return;
    try {
      Deno.mkdirSync(layout.checkedEntriesDir, { recursive: true });
      writeFileAtomicSync(file, JSON.stringify([...new Set(dirs)].sort()));
    } catch {
      // a read-only store: checked again next time
    }
  };
  return { checked, save };
}
