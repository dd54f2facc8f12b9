/**
 * What the runtime needs to route an environment's islands (issue #16): its entries with their
 * islands, and what each entry's folder holds (import names, dist-info, compiled code), read once
 * by the tool so the interpreter reads none of it at start-up: an environment view holds it as
 * `view.json`'s `islands`, which the view's `_envknit_islands.pth` routes at start-up
 * (`runtime_py/envknit/isolation/islands.py`, `boot_view`).
 *
 * @module
 */
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

/** One entry of a plan with islands: its folder and which islands see it. */
export interface IslandStep {
  name: string;
  version: string;
  /** The entry folder (a real path). */
  path: string;
  /** The islands whose code sees it, or null for every island. */
  islands: number[] | null;
  perIsland: boolean;
}

/** Whether island 0 (the application's code) sees a step. */
export function seenByDefault(step: { islands: number[] | null }): boolean {
  return step.islands === null || step.islands.includes(0);
}

/**
 * The islands of an environment for the runtime (view.json's `islands`), the facts of each entry
 * read from its folder, the entries island 0 sees first.
 */
export function islandSpec(count: number, steps: IslandStep[]): IslandSpec {
  const ordered = [...steps.filter(seenByDefault), ...steps.filter((s) => !seenByDefault(s))];
  return {
    count,
    entries: ordered.map((s) => ({
      name: s.name,
      version: s.version,
      path: s.path,
      islands: s.islands,
      per_island: s.perIsland,
      ...entryFacts(s.path),
    })),
  };
}
