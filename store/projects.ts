/**
 * The registry of projects that use a store: `projects/<id>.json` holds
 * `{"lock": "/abs/path/envknit.lock.yaml", "last_used": "<ISO time>"}` (DEVELOPERS.md). Every
 * `lock`, `install` and `run` records its project, so `store gc` can tell which entries some lock
 * still uses (seed 002: shared stores cannot count references, so they remember their users).
 *
 * The id is derived from the lock's absolute path, so one project has one record however often
 * it runs.
 *
 * @module
 */
import { StoreLayout } from "./layout.ts";
import { writeFileAtomicSync } from "../core/atomic_write.ts";
import { sha256Hex } from "../core/sha256.ts";

/** One recorded project. */
export interface ProjectRecord {
  /** The file name without `.json`. */
  id: string;
  /** Absolute path of the project's lock file. */
  lock: string;
  /** When it was last used (ISO 8601), as recorded. */
  lastUsed: string;
}

/** The record id of a lock path: 16 hex digits of its sha256. */
export async function projectId(lockPath: string): Promise<string> {
  return (await sha256Hex(lockPath)).slice(0, 16);
}

function absolute(path: string): string {
  if (path.startsWith("/")) return path;
  return `${Deno.cwd().replace(/\/+$/, "")}/${path}`;
}

/** A record younger than this is not rewritten (`last_used` is informational, not a counter). */
const REFRESH_MS = 60_000;

/**
 * Records (or refreshes) the project whose lock is `lockPath` in the store's registry. A record
 * refreshed less than a minute ago is left alone (a loop of `envknit run` writes once). Failures
 * to write are ignored: a read-only store must not stop `run`; gc is then merely less informed.
 */
export async function recordProject(
  lockPath: string,
  options: { layout?: StoreLayout; env?: Record<string, string | undefined> } = {},
): Promise<void> {
  const layout = options.layout ?? StoreLayout.fromEnv(options.env);
  const lock = absolute(lockPath);
  const id = await projectId(lock);
  const file = layout.projectFile(id);
  try {
    const mtime = Deno.statSync(file).mtime?.getTime() ?? 0;
    if (Date.now() - mtime < REFRESH_MS) return;
  } catch {
    // not recorded yet
  }
  const text = JSON.stringify({ lock, last_used: new Date().toISOString() }) + "\n";
  try {
    writeFileAtomicSync(file, text, { mkdir: true }); // the first record creates projects/
  } catch {
    // not recorded (see above)
  }
}

/** Every readable project record of the store (malformed files are skipped). */
export async function listProjects(layout: StoreLayout): Promise<ProjectRecord[]> {
  const records: ProjectRecord[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(layout.projectsDir));
  } catch {
    return records;
  }
  for (const entry of entries) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    try {
      const data = JSON.parse(await Deno.readTextFile(`${layout.projectsDir}/${entry.name}`));
      if (typeof data?.lock !== "string" || !data.lock.startsWith("/")) continue;
      records.push({
        id: entry.name.slice(0, -".json".length),
        lock: data.lock,
        lastUsed: typeof data.last_used === "string" ? data.last_used : "",
      });
    } catch {
      // unreadable or half-written by a crashed writer: skipped
    }
  }
  return records.sort((a, b) => (a.lock < b.lock ? -1 : a.lock > b.lock ? 1 : 0));
}

/** Removes a project's record. */
export async function forgetProject(layout: StoreLayout, id: string): Promise<void> {
  await Deno.remove(layout.projectFile(id)).catch(() => {});
}
