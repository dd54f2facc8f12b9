/**
 * Reading a lock fast on the hot paths (`install` when everything is present, `run`): the lock
 * validated once by `project/lock.ts` is kept as JSON in `cache/locks/<key>.json`, keyed by the
 * sha256 of the lock's text and the tool's version. A warm `envknit run` then never loads the YAML
 * parser (whose import alone costs more than the rest of the command).
 *
 * The YAML reader is imported lazily, only when the cache has no entry for this text. A new entry
 * is written only when the caller says the command succeeded (`remember`), so a failed install
 * leaves the store exactly as it was.
 *
 * @module
 */
import { EnvknitError } from "../project/errors.ts";
import type { Lockfile } from "../project/lock.ts";
import { ENVKNIT_VERSION } from "../project/version.ts";
import type { StoreLayout } from "./layout.ts";

const FORMAT = 1;

/** The lock file name beside envknit.yaml (as `project/lock.ts` says, without importing it). */
export const LOCK_FILE = "envknit.lock.yaml";

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A lock read through the cache. */
export interface LoadedLock {
  lock: Lockfile;
  /** Identifies the lock's text (and this envknit's reading of it). */
  key: string;
  /** Stores the validated lock in the cache (a no-op when it came from there). */
  remember(): Promise<void>;
}

/**
 * Reads and validates the lock at `path` (as `readLock` does), through the cache of validated
 * locks. Errors are those of `readLock`: a missing file says to run `envknit lock`.
 */
export async function loadLock(path: string, layout: StoreLayout): Promise<LoadedLock> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new EnvknitError(`no lock file at ${path}`, { hints: ["run 'envknit lock' first"] });
    }
    throw new EnvknitError(
      `cannot read ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const key = (await sha256Hex(`${ENVKNIT_VERSION}\0${FORMAT}\0${text}`)).slice(0, 32);
  const file = `${layout.lockCacheDir}/${key}.json`;
  try {
    const cached = JSON.parse(await Deno.readTextFile(file));
    if (cached?.key === key && cached.lock && typeof cached.lock === "object") {
      return { lock: cached.lock as Lockfile, key, remember: () => Promise.resolve() };
    }
  } catch {
    // not cached (or unreadable): parse below
  }
  const { parseLock } = await import("../project/lock.ts");
  const lock = parseLock(text, path);
  const remember = async () => {
    const tmp = `${file}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    try {
      await Deno.mkdir(layout.lockCacheDir, { recursive: true });
      await Deno.writeTextFile(tmp, JSON.stringify({ key, lock }));
      await Deno.rename(tmp, file);
    } catch {
      await Deno.remove(tmp).catch(() => {}); // a read-only store only costs a parse next time
    }
  };
  return { lock, key, remember };
}
