/**
 * The paths of the global store (DEVELOPERS.md, "Store entries"). Every module that reads or
 * writes the store asks here, so the layout is written down once:
 *
 * ```
 * $ENVKNIT_HOME/
 *   packages/<name>/<version>/<hash16>/   one installed wheel (an "entry")
 *   packages/.tmp/<random>/               entries being built; renamed into place when complete
 *   cache/wheels/<sha256>.whl             downloaded wheels, by content hash
 *   cache/locks/, cache/runs/             validated locks and run plans (rebuilt when missing)
 *   runtime/<version>/envknit/            the Python runtime, written by the tool
 *   projects/<id>.json                    projects that use the store (for `store gc`)
 *   views/<key>/                          environment views (venvs of links into packages/)
 *   views/.tmp/<random>/                  views being built; renamed into place when complete
 *   leases/<pid>-<start>.json             running `envknit run` commands (kept by `store gc`)
 *   locks/                                file locks of the writers
 * ```
 *
 * The root itself comes from `store/home.ts` (`$ENVKNIT_HOME`, else `~/.envknit`).
 *
 * @module
 */
import { envknitHome } from "./home.ts";

/** The file every entry carries: it lets readers pick an installed wheel without parsing WHEEL. */
export const ENTRY_MARKER = ".envknit-entry.json";

/** The contents of {@link ENTRY_MARKER} (DEVELOPERS.md, "Store entries"). */
export interface EntryMarker {
  /** The package's PEP 503-normalized name. */
  name: string;
  /** Its PEP 440-normalized version. */
  version: string;
  /** The wheel's file name. */
  wheel: string;
  /** The wheel file's full sha256 (hex). */
  sha256: string;
  /** Every tag of the wheel's file name, expanded (`cp311-cp311-manylinux_2_17_x86_64`). */
  tags: string[];
}

/** The first 16 hex digits of a wheel's sha256: the last path part of its entry. */
export function hash16(sha256: string): string {
  return sha256.slice(0, 16).toLowerCase();
}

/** Paths of one store. Cheap to build; holds no open resources. */
export class StoreLayout {
  /** The absolute store root. */
  readonly root: string;

  /** The store at `root` (trailing slashes dropped); nothing is created or checked. */
  constructor(root: string) {
    this.root = root.replace(/\/+$/, "") || "/";
  }

  /** The store of `ENVKNIT_HOME` (or `~/.envknit`) in `env`. */
  static fromEnv(env: Record<string, string | undefined> = Deno.env.toObject()): StoreLayout {
    return new StoreLayout(envknitHome(env));
  }

  /** `packages/`: every installed wheel. */
  get packagesDir(): string {
    return `${this.root}/packages`;
  }

  /** `packages/.tmp/`: entries under construction (same file system, so a rename moves them). */
  get tmpDir(): string {
    return `${this.packagesDir}/.tmp`;
  }

  /** `packages/<name>/`. `name` must be PEP 503-normalized (the lock reader guarantees it). */
  nameDir(name: string): string {
    return `${this.packagesDir}/${name}`;
  }

  /** `packages/<name>/<version>/`. */
  versionDir(name: string, version: string): string {
    return `${this.packagesDir}/${name}/${version}`;
  }

  /** `packages/<name>/<version>/<hash16>/`: where the wheel with this sha256 is installed. */
  entryDir(name: string, version: string, sha256: string): string {
    return `${this.packagesDir}/${name}/${version}/${hash16(sha256)}`;
  }

  /** `cache/`: index pages, metadata, interpreter probes, wheels. */
  get cacheDir(): string {
    return `${this.root}/cache`;
  }

  /** `cache/wheels/`: downloaded wheels kept by content hash. */
  get wheelCacheDir(): string {
    return `${this.cacheDir}/wheels`;
  }

  /** `cache/wheels/.tmp/`: downloads in progress (renamed into the cache once verified). */
  get wheelCacheTmpDir(): string {
    return `${this.wheelCacheDir}/.tmp`;
  }

  /** `cache/wheels/<sha256>.whl`: a cached wheel, named by its verified content hash. */
  cachedWheel(sha256: string): string {
    return `${this.wheelCacheDir}/${sha256.toLowerCase()}.whl`;
  }

  /** `cache/parsed/`: envknit.yaml and lock files already validated, as JSON (`project/parse_cache.ts`). */
  get parsedCacheDir(): string {
    return `${this.cacheDir}/parsed`;
  }

  /** `cache/runs/`: which entries `envknit run` uses per lock, environment and interpreter. */
  get runPlansDir(): string {
    return `${this.cacheDir}/runs`;
  }

  /**
   * `cache/checked/`: per lock text and selection, the entries `install` found to be what the
   * lock says (their wheel's METADATA against the lock entries), so a warm install need not read
   * them again (entries never change in place).
   */
  get checkedEntriesDir(): string {
    return `${this.cacheDir}/checked`;
  }

  /**
   * `cache/locks-v1/`: per project, what its last plain `lock` read and wrote, so that `lock`
   * finds an up-to-date lock without resolving (`ops/lock/lock_memo.ts`).
   */
  get lockMemoDir(): string {
    return `${this.cacheDir}/locks-v1`;
  }

  /** `runtime/`: every runtime version written by some envknit. */
  get runtimesDir(): string {
    return `${this.root}/runtime`;
  }

  /** `runtime/<version>/`: it holds `envknit/`, which views link. */
  runtimeDir(version: string): string {
    return `${this.runtimesDir}/${version}`;
  }

  /** `projects/`: one JSON file per project that used the store. */
  get projectsDir(): string {
    return `${this.root}/projects`;
  }

  /** `projects/<id>.json`. */
  projectFile(id: string): string {
    return `${this.projectsDir}/${id}.json`;
  }

  /** `views/`: environment views, one folder per key (DEVELOPERS.md, "Environment views"). */
  get viewsDir(): string {
    return `${this.root}/views`;
  }

  /** `views/<key>/`: one view (a virtual environment whose site-packages links into `packages/`). */
  viewDir(key: string): string {
    return `${this.viewsDir}/${key}`;
  }

  /** `views/.tmp/`: views being built (and views gc moved aside before deleting them). */
  get viewsTmpDir(): string {
    return `${this.viewsDir}/.tmp`;
  }

  /** `leases/`: one file per running `envknit run`, naming the view it uses (for `store gc`). */
  get leasesDir(): string {
    return `${this.root}/leases`;
  }

  /** `locks/`: lock files of the writers (never removed: flock needs a stable inode). */
  get locksDir(): string {
    return `${this.root}/locks`;
  }

  /** `locks/runtime.lock`: held by the one writer of `runtime/<version>/` at a time. */
  get runtimeLock(): string {
    return `${this.locksDir}/runtime.lock`;
  }

  /** `locks/store.lock`: shared by installers, exclusive for gc and cleanup. */
  get storeLock(): string {
    return `${this.locksDir}/store.lock`;
  }
}
