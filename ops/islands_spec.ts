/**
 * What the runtime needs to route an environment's islands (issue #16): its entries with their
 * islands, and what each entry's folder holds (import names, dist-info, compiled code), read once
 * by the tool so the interpreter reads none of it at start-up. `envknit run` writes it to a file
 * named by `ENVKNIT_ISLANDS`; an environment view holds the same object as `view.json`'s
 * `islands` (`runtime_py/envknit/isolation/islands.py`, `boot_file` / `boot_view`).
 *
 * @module
 */
import type { Lockfile } from "../project/lock.ts";

/** One entry of an environment with islands, as the runtime's `IslandEntry` takes it. */
export interface IslandSpecEntry {
  name: string;
  version: string;
  /** The entry folder in the store. */
  path: string;
  /** The islands whose code sees it, or null for every island. */
  islands: number[] | null;
  per_island: boolean;
  /** Its top-level import names. */
  import_names: string[];
  /** Its `.dist-info` folder, or null. */
  dist_info: string | null;
  /** Whether it holds a compiled extension module. */
  compiled: boolean;
}

/** The islands of one environment, for the runtime. */
export interface IslandSpec {
  count: number;
  entries: IslandSpecEntry[];
}

const EXTENSION = /\.(?:so|pyd)$/;
const NOT_CODE = new Set(["bin", "include", "data", "__pycache__"]);

/** The import names, dist-info and compiled code of an entry folder (as `fill_site_packages` links). */
export function entryFacts(
  dir: string,
): { import_names: string[]; dist_info: string | null; compiled: boolean } {
  const names = new Set<string>();
  let distInfo: string | null = null;
  let compiled = false;
  for (const item of Deno.readDirSync(dir)) {
    const n = item.name;
    if (n.startsWith(".")) continue;
    if (item.isDirectory) {
      if (n.endsWith(".dist-info")) {
        distInfo = `${dir}/${n}`;
        continue;
      }
      if (n.endsWith(".data")) continue;
      const isPackage = (() => {
        try {
          return Deno.statSync(`${dir}/${n}/__init__.py`).isFile;
        } catch {
          return false;
        }
      })();
      if (NOT_CODE.has(n) && !isPackage) continue;
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) names.add(n);
      if (!compiled) compiled = holdsExtension(`${dir}/${n}`);
    } else if (n.endsWith(".py")) {
      names.add(n.slice(0, -3));
    } else if (EXTENSION.test(n)) {
      names.add(n.split(".")[0]);
      compiled = true;
    }
  }
  return { import_names: [...names].sort(), dist_info: distInfo, compiled };
}

function holdsExtension(dir: string): boolean {
  for (const item of Deno.readDirSync(dir)) {
    if (item.isFile && EXTENSION.test(item.name)) return true;
    if (item.isDirectory && holdsExtension(`${dir}/${item.name}`)) return true;
  }
  return false;
}

/**
 * The islands of `environment` for the runtime, or null when it has none. `folders` gives each
 * `name==version` of the environment its entry folder (the ones `install` chose).
 */
export function islandSpec(
  lock: Lockfile,
  environment: string,
  folders: Map<string, string>,
): IslandSpec | null {
  const islands = lock.islands?.[environment];
  if (!islands?.length) return null;
  const entries: IslandSpecEntry[] = [];
  for (const p of lock.environments[environment] ?? []) {
    const path = folders.get(`${p.name}==${p.version}`);
    if (path === undefined) continue; // not selected (a dev package with --no-dev)
    entries.push({
      name: p.name,
      version: p.version,
      path,
      islands: p.island ? [...p.island] : null,
      per_island: p.perIsland === true,
      ...entryFacts(path),
    });
  }
  return { count: islands.length, entries };
}
