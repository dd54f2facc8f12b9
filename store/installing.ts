/**
 * `installWheels`: makes the chosen wheels of some package versions present in the store (the
 * store's half of `envknit install`; `ops/install.ts` reads the lock, chooses the wheels and
 * writes the runtime).
 *
 * - An entry already in place costs one `stat`: a directory at its final path is complete,
 *   because entries only ever appear there by rename.
 * - Missing wheels come from the wheel cache (by sha256), a find-links folder, or the network
 *   (`install/sources.ts`), a bounded number at a time; each is hashed whole while it is spooled
 *   to disk, and unpacked only once its size and sha256 are the lock's (`install/build_entry.ts`).
 * - All or nothing: entries are built in temp folders and renamed into place only when every
 *   wheel succeeded, so a failed install leaves the store as it was.
 * - Every chosen entry, built now or already present, is checked before anything is committed:
 *   its marker must record the wheel's full sha256 (not only the folder's 16-digit prefix), its
 *   `.dist-info` and METADATA must name the package and version asked for, and the caller's
 *   `checkMetadata` (install: the lock's dependencies and Requires-Python) must accept them.
 * - Installers hold the store lock shared ({@link withInstallLock}: several may run at once; an
 *   entry built twice is renamed once, the loser discards its copy); gc and cleanup hold it
 *   exclusively. An installer that finds itself alone first removes the leftovers of killed ones.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { errnoOf } from "../core/fs_errors.ts";
import type { HttpClient } from "./http/client.ts";
import { FileLock } from "./file_lock.ts";
import { cleanupStale } from "./gc.ts";
import type { StoreLayout } from "./layout.ts";
// The unpacking machinery (zip, zlib, hashing) is loaded only when something is missing: a warm
// install must not pay for initialising it.
import type { PreparedEntry } from "./install/build_entry.ts";
import type { ChosenWheel, TaggedPackage } from "./install/select.ts";
import type { WheelFile } from "./packages.ts";
import { assertWheelIdentity, readEntryMetadata } from "./install/entry_identity.ts";
import { assertEntryHolds } from "./entry_marker.ts";
import {
  downloadClient,
  DownloadError,
  exists,
  isTransient,
  locateWheel,
  type WheelSource,
} from "./install/sources.ts";

/** Where missing wheels may come from, and how they are obtained. */
export interface InstallWheelsOptions {
  /** The store. */
  layout: StoreLayout;
  /**
   * Entry folders already checked against what the caller asks (`checkMetadata` and the
   * identity of their wheel) for these very packages: present, they are not read again.
   */
  checked?: ReadonlySet<string>;
  /** Folders searched for wheel files (by file name) before the network. */
  findLinks?: string[];
  /** Never use the network: wheels must be in the cache or a find-links folder. */
  offline?: boolean;
  /** Environment variables (`ENVKNIT_HOME`, trusted hosts, `HOME` for `~/.netrc`, …). */
  env: Record<string, string>;
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
  /**
   * Checks the METADATA of a chosen wheel (its own, read from the entry) against what the caller
   * knows of the package, and throws an `EnvknitError` to refuse it. Called for every chosen
   * entry, present or built now, before anything is committed.
   */
  checkMetadata?: (pkg: TaggedPackage, wheel: WheelFile, metadata: string) => void | Promise<void>;
}

/** Progress of an install. */
export interface InstallProgress {
  /** Wheels to obtain. */
  total: number;
  /** Wheels unpacked and verified so far. */
  done: number;
  /** Bytes read so far (network, cache or find-links). */
  bytes: number;
  /** Sum of the sizes the lock records for the wheels to obtain (null when some are unknown). */
  totalBytes: number | null;
}

/** One entry of an install's result. */
export interface InstalledEntry {
  /** The package's (normalized) name. */
  name: string;
  /** Its (normalized) version. */
  version: string;
  /** The wheel's file name. */
  wheel: string;
  /** The wheel's sha256. */
  sha256: string;
  /** The entry folder, `packages/<name>/<version>/<hash16>`. */
  path: string;
  /** `installed` now, or already `present`. */
  status: "installed" | "present";
  /** Where the wheel came from, for installed ones. */
  source?: "cache" | "find-links" | "download";
}

/** How {@link InstalledEntry.source} names each kind of wheel source. */
const SOURCE_LABELS: Record<WheelSource["kind"], InstalledEntry["source"]> = {
  cache: "cache",
  file: "find-links",
  url: "download",
};

/** Where to read a wheel from (the cache, a find-links folder, or its URL), and its label. */
async function locate(
  layout: StoreLayout,
  chosen: ChosenWheel,
  findLinks: readonly string[],
): Promise<{ source: WheelSource; label: InstalledEntry["source"] }> {
  const source = await locateWheel(layout, chosen.wheel.wheel, findLinks);
  return { source, label: SOURCE_LABELS[source.kind] };
}

/** Takes the store lock shared; when nobody else holds it, first clears leftovers of crashes. */
async function lockStoreForInstall(layout: StoreLayout): Promise<FileLock> {
  const alone = await FileLock.tryAcquire(layout.storeLock, { exclusive: true });
  if (alone) {
    try {
      if (await exists(layout.tmpDir) || await exists(layout.wheelCacheTmpDir)) {
        await cleanupStale(layout);
      }
      await alone.downgrade();
      return alone;
    } catch (error) {
      alone.release();
      throw error;
    }
  }
  return await FileLock.acquire(layout.storeLock, { exclusive: false });
}

/** Whether a failure is the store refusing writes (read-only file system, no permission). */
export function isReadOnlyStoreError(error: unknown): boolean {
  if (error instanceof Deno.errors.PermissionDenied) return true;
  const code = errnoOf(error);
  return code === "EROFS" || code === "EACCES" || code === "EPERM";
}

/**
 * Runs `fn` with the store lock held shared, as installers hold it (gc and cleanup wait); when
 * nobody else holds it, the leftovers of killed installers are removed first.
 *
 * A read-only store cannot hold a lock file: when taking the lock fails so and
 * `options.nothingToWrite` says `fn` will write nothing (everything is installed), `fn` runs
 * without the lock (nobody can collect garbage in a read-only store either).
 */
export async function withInstallLock<T>(
  layout: StoreLayout,
  fn: () => Promise<T>,
  options: { nothingToWrite?: () => boolean | Promise<boolean> } = {},
): Promise<T> {
  let storeLock: FileLock;
  try {
    storeLock = await lockStoreForInstall(layout);
  } catch (error) {
    if (isReadOnlyStoreError(error) && await options.nothingToWrite?.()) return await fn();
    throw error;
  }
  try {
    return await fn();
  } finally {
    storeLock.release();
  }
}

/**
 * Makes each chosen wheel's entry present in the store; the caller holds the store lock
 * ({@link withInstallLock}). Returns one entry per chosen wheel, in order.
 *
 * @throws EnvknitError for a wheel that is not what was asked for (sha256, size), a hostile
 * wheel, or a failed download; the store is then unchanged.
 */
export async function installWheels(
  chosen: readonly ChosenWheel[],
  options: InstallWheelsOptions,
): Promise<InstalledEntry[]> {
  const { layout } = options;
  const entries: InstalledEntry[] = [];
  const missing: ChosenWheel[] = [];
  const present: ChosenWheel[] = [];
  for (const c of chosen) {
    const wheel = c.wheel.wheel;
    const path = layout.entryDir(c.pkg.name, c.pkg.version, wheel.sha256);
    const entry: InstalledEntry = {
      name: c.pkg.name,
      version: c.pkg.version,
      wheel: wheel.file,
      sha256: wheel.sha256,
      path,
      status: "present",
    };
    entries.push(entry);
    // A folder at its final path is complete (entries appear by rename); its marker says which
    // wheel it holds, by the full sha256.
    try {
      Deno.statSync(path);
    } catch {
      missing.push(c);
      continue;
    }
    assertEntryHolds(path, wheel.sha256, `${c.pkg.name} ${c.pkg.version}`);
    present.push(c);
  }
  for (const c of present) {
    const dir = layout.entryDir(c.pkg.name, c.pkg.version, c.wheel.wheel.sha256);
    if (!options.checked?.has(dir)) await checkEntry(dir, c, options);
  }
  if (missing.length) {
    const built = await buildAll(layout, missing, options);
    for (const b of built) {
      const entry = entries.find((e) => e.sha256 === b.prepared.wheel.sha256)!;
      if (b.outcome === "installed") {
        entry.status = "installed";
        entry.source = b.label;
      }
    }
  }
  return entries;
}

/**
 * The checks of an entry's wheel before it counts as installed: its `.dist-info` and METADATA
 * name the package and version asked for, and the caller's `checkMetadata` accepts them.
 */
async function checkEntry(
  dir: string,
  c: ChosenWheel,
  options: InstallWheelsOptions,
): Promise<void> {
  const { name, version } = c.pkg;
  const wheel = c.wheel.wheel;
  const { distInfo, text } = await readEntryMetadata(dir, name, wheel.file);
  assertWheelIdentity(wheel.file, distInfo, text, name, version);
  await options.checkMetadata?.(c.pkg, wheel, text);
}

interface Built {
  chosen: ChosenWheel;
  prepared: PreparedEntry;
  label: InstalledEntry["source"];
  outcome: "installed" | "present";
}

/** Builds every missing entry, then commits them all; on any failure discards them all. */
async function buildAll(
  layout: StoreLayout,
  missing: ChosenWheel[],
  options: InstallWheelsOptions,
): Promise<Built[]> {
  const { buildEntry, commitEntry, discardEntry } = await import("./install/build_entry.ts");
  const findLinks = [...(options.findLinks ?? [])];
  const credentialUrls = [...(options.credentialUrls ?? [])];
  if (options.sources) {
    const more = await options.sources();
    findLinks.push(...more.findLinks);
    credentialUrls.push(...more.credentialUrls);
  }
  const located = await Promise.all(missing.map((c) => locate(layout, c, findLinks)));
  if (options.offline) {
    const remote = missing.filter((_, i) =>
      located[i].source.kind === "url" && !(located[i].source as { url: string }).url
        .startsWith("file:")
    );
    if (remote.length) {
      const names = remote.map((c) => c.wheel.wheel.file);
      throw new EnvknitError(
        `offline, and ${remote.length} wheel${remote.length === 1 ? " is" : "s are"} neither ` +
          `in the cache nor in a --find-links folder: ${names.slice(0, 5).join(", ")}${
            names.length > 5 ? ", …" : ""
          }`,
        {
          hints: [
            "on a connected machine: envknit fetch --dest DIR; then here: " +
            "envknit install --offline --find-links DIR",
          ],
        },
      );
    }
  }
  let http = options.http;
  if (!http && located.some((l) => l.source.kind === "url")) {
    http = downloadClient(options.env, credentialUrls);
  }

  const sizes = missing.map((c) => c.wheel.wheel.size);
  const progress: InstallProgress = {
    total: missing.length,
    done: 0,
    bytes: 0,
    totalBytes: sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a! + b!, 0)! : null,
  };
  const report = () => options.onProgress?.({ ...progress });
  report();

  const prepared: Built[] = [];
  let failure: unknown = null;
  let next = 0;
  const attempts = Math.max(1, options.attempts ?? 3);
  const worker = async () => {
    while (failure === null && next < missing.length) {
      const i = next++;
      const c = missing[i];
      for (let attempt = 1;; attempt++) {
        let counted = 0;
        try {
          const entry = await buildEntry({
            layout,
            name: c.pkg.name,
            version: c.pkg.version,
            wheel: c.wheel.wheel,
            tags: c.wheel.tags,
            source: located[i].source,
            http,
            onBytes: (n) => {
              counted += n;
              progress.bytes += n;
              report();
            },
          });
          prepared.push({
            chosen: c,
            prepared: entry,
            label: located[i].label,
            outcome: "installed",
          });
          progress.done++;
          report();
          break;
        } catch (error) {
          progress.bytes -= counted;
          if (failure === null && isTransient(error) && attempt < attempts) {
            await new Promise((r) => setTimeout(r, 100 * attempt));
            continue;
          }
          failure ??= isTransient(error) && attempts > 1
            ? new DownloadError(`${(error as Error).message} (after ${attempt} attempts)`, {
              hints: (error as EnvknitError).hints,
              cause: error,
            })
            : error;
          break;
        }
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 6, missing.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure === null) {
    try {
      for (const p of prepared) await checkEntry(p.prepared.tmpDir, p.chosen, options);
    } catch (error) {
      failure = error;
    }
  }
  if (failure !== null) {
    await Promise.all(prepared.map((p) => discardEntry(p.prepared)));
    // Each only when empty: a store that had no packages/ (or wheel cache) before has none after.
    // A concurrent installer that needs them again creates them (see makeTempIn).
    for (const dir of [layout.tmpDir, layout.packagesDir]) await Deno.remove(dir).catch(() => {});
    for (const dir of [layout.wheelCacheTmpDir, layout.wheelCacheDir, layout.cacheDir]) {
      await Deno.remove(dir).catch(() => {});
    }
    throw failure;
  }
  for (const p of prepared) p.outcome = await commitEntry(p.prepared);
  await Deno.remove(layout.tmpDir).catch(() => {});
  await Deno.remove(layout.wheelCacheTmpDir).catch(() => {});
  return prepared;
}
